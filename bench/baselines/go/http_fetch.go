//go:build ignore

// http_fetch.go: Go's net/http client doing what //examples:fetch does with
// --print_each=false: fetch one URL n times, c requests in flight (c
// goroutines taking the next index from a channel, like a GreenPool),
// keep-alive with up to c idle connections, GOMAXPROCS=1 (like one hub).
// Prints the same summary lines as the fetch demo.
//
//	GO111MODULE=off go run http_fetch.go -c 64 -n 200000 http://127.0.0.1:8080/
//	GO111MODULE=off go run http_fetch.go -cacert ca.pem https://127.0.0.1:8443/
package main

import (
	"crypto/tls"
	"crypto/x509"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"runtime"
	"sort"
	"time"
)

func main() {
	concurrency := flag.Int("c", 200, "requests in flight at once")
	total := flag.Int("n", 10000, "requests in all")
	procs := flag.Int("procs", 1, "GOMAXPROCS")
	cacert := flag.String("cacert", "", "https: trust the CAs of this PEM file")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: http_fetch [-c N] [-n N] URL")
		os.Exit(2)
	}
	url := flag.Arg(0)
	runtime.GOMAXPROCS(*procs)

	transport := &http.Transport{
		MaxIdleConns:        *concurrency,
		MaxIdleConnsPerHost: *concurrency, // the default (2) would reconnect all the time
		DisableCompression:  true,
	}
	if *cacert != "" {
		pem, err := os.ReadFile(*cacert)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		roots := x509.NewCertPool()
		roots.AppendCertsFromPEM(pem)
		transport.TLSClientConfig = &tls.Config{RootCAs: roots}
	}
	client := &http.Client{Transport: transport}
	latencies := make([]time.Duration, *total)
	failed := make([]bool, *total)
	next := make(chan int, *concurrency)
	done := make(chan struct{})
	for w := 0; w < *concurrency; w++ {
		go func() {
			for i := range next {
				began := time.Now()
				resp, err := client.Get(url)
				if err == nil {
					_, err = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
				}
				latencies[i] = time.Since(began)
				failed[i] = err != nil
			}
			done <- struct{}{}
		}()
	}
	start := time.Now()
	for i := 0; i < *total; i++ {
		next <- i
	}
	close(next)
	for w := 0; w < *concurrency; w++ {
		<-done
	}
	wall := time.Since(start)

	errors := 0
	for _, f := range failed {
		if f {
			errors++
		}
	}
	sort.Slice(latencies, func(a, b int) bool { return latencies[a] < latencies[b] })
	pct := func(p float64) float64 {
		rank := int(p*float64(len(latencies)) + 0.999999)
		if rank < 1 {
			rank = 1
		}
		if rank > len(latencies) {
			rank = len(latencies)
		}
		return float64(latencies[rank-1].Nanoseconds()) / 1e6
	}
	fmt.Printf("requests: %d\n", *total)
	fmt.Printf("errors: %d\n", errors)
	fmt.Printf("wall time: %.3f s\n", wall.Seconds())
	fmt.Printf("req/s: %.1f\n", float64(*total)/wall.Seconds())
	fmt.Printf("latency p50: %.3f ms\n", pct(0.50))
	fmt.Printf("latency p99: %.3f ms\n", pct(0.99))
}
