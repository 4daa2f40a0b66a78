//go:build ignore

// http_hello.go: Go net/http hello world, the Go baseline of bench/http_load.sh.
//
//	GOMAXPROCS=1 go run http_hello.go -addr 127.0.0.1:8082
//
// Answers every request with "Hello, World!\n" (text/plain), as
// //examples:hello_server does, and prints the address once listening.
package main

import (
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8082", "listen address")
	flag.Parse()
	body := []byte("Hello, World!\n")
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Write(body)
	})
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Printf("go http_hello: listening on http://%s/\n", ln.Addr())
	os.Stdout.Sync()
	http.Serve(ln, handler)
}
