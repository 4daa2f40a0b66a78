//go:build ignore

// idle.go: what an idle goroutine costs, like //bench:idle_memory.
//
//	go run idle.go -n 1000000
//
// Starts N goroutines that each sleep an hour, waits until all have started,
// and prints the growth of the resident set (/proc/self/statm) per goroutine
// and how long spawning and starting them took.
package main

import (
	"flag"
	"fmt"
	"os"
	"runtime"
	"sync"
	"time"
)

func rss() int64 {
	data, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return -1
	}
	var size, resident int64
	fmt.Sscan(string(data), &size, &resident)
	return resident * int64(os.Getpagesize())
}

func main() {
	n := flag.Int("n", 1000000, "goroutines")
	procs := flag.Int("procs", 1, "GOMAXPROCS")
	flag.Parse()
	runtime.GOMAXPROCS(*procs)
	runtime.GC()
	before := rss()
	t0 := time.Now()
	var started sync.WaitGroup
	started.Add(*n)
	for i := 0; i < *n; i++ {
		go func() {
			started.Done()
			time.Sleep(time.Hour)
		}()
	}
	started.Wait()
	runtime.Gosched()
	elapsed := time.Since(t0)
	after := rss()
	delta := float64(after - before)
	fmt.Printf("%d goroutines: RSS delta %.1f MiB, %.0f bytes per goroutine, spawn+start took %.0f ms (go %s, GOMAXPROCS=%d)\n",
		*n, delta/(1<<20), delta/float64(*n), float64(elapsed.Microseconds())/1000, runtime.Version(), runtime.GOMAXPROCS(0))
	os.Exit(0)
}
