//go:build ignore

// micro.go: Go's numbers for the core_bench targets (docs/PERFORMANCE.md).
//
//	go run micro.go            # GOMAXPROCS=1, like one eventlet hub
//	go run micro.go -procs 2
//
// Gosched ping-pong (per Gosched call), spawn + WaitGroup one at a time (per
// goroutine), unbuffered channel ping-pong (per handoff). Each is timed with
// testing.Benchmark, which picks the iteration count (>= 1 s per benchmark).
package main

import (
	"flag"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
)

func report(name string, perIter float64, r testing.BenchmarkResult) {
	ns := float64(r.T.Nanoseconds()) / float64(r.N) / perIter
	fmt.Printf("%-26s %10.1f ns/op   (%d iterations, %d ops each)\n", name, ns, r.N, int(perIter))
}

func main() {
	procs := flag.Int("procs", 1, "GOMAXPROCS")
	flag.Parse()
	runtime.GOMAXPROCS(*procs)
	fmt.Printf("go %s, GOMAXPROCS=%d\n", runtime.Version(), runtime.GOMAXPROCS(0))

	// The main goroutine and one other both loop Gosched: two calls per iteration.
	report("Gosched ping-pong", 2, testing.Benchmark(func(b *testing.B) {
		var stop int32
		done := make(chan struct{})
		go func() {
			for atomic.LoadInt32(&stop) == 0 {
				runtime.Gosched()
			}
			close(done)
		}()
		runtime.Gosched()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			runtime.Gosched()
		}
		b.StopTimer()
		atomic.StoreInt32(&stop, 1)
		<-done
	}))

	report("spawn+WaitGroup", 1, testing.Benchmark(func(b *testing.B) {
		var wg sync.WaitGroup
		x := 0
		for i := 0; i < b.N; i++ {
			wg.Add(1)
			go func() {
				x++
				wg.Done()
			}()
			wg.Wait()
		}
	}))

	// Two unbuffered channels; main -> other -> main: two handoffs per iteration.
	report("unbuffered chan ping-pong", 2, testing.Benchmark(func(b *testing.B) {
		ping := make(chan int)
		pong := make(chan int)
		go func() {
			for v := range ping {
				pong <- v + 1
			}
			close(pong)
		}()
		b.ResetTimer()
		t := 0
		for i := 0; i < b.N; i++ {
			ping <- t
			t = <-pong
		}
		b.StopTimer()
		close(ping)
		<-pong
	}))
}
