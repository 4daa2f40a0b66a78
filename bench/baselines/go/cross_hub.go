//go:build ignore

// cross_hub.go: Go's counterparts of //bench:cross_hub_bench (docs/PERFORMANCE.md,
// "Cross-hub hand-off"), in ns per hand-off, wall time:
//
//	GOMAXPROCS=2 go run cross_hub.go     # as bench/cross_hub.sh runs it
//
// "event ping-pong": a fresh pair of channels closed per round trip (a
// one-shot event each way, made as in cross_hub_bench); "chan ping-pong": two unbuffered channels;
// "chan stream": batches of 1024 ints through a buffered channel of 1024,
// each batch acknowledged. Go's scheduler may run both goroutines on one P
// (the woken goroutine goes to the waker's run queue), so a hand-off here
// need not cross OS threads, where ours always does. Each is timed with
// testing.Benchmark (>= 1 s); the lines match cross_hub_bench's names.
package main

import (
	"fmt"
	"runtime"
	"testing"
)

const batch = 1024

func report(name string, perIter float64, r testing.BenchmarkResult) {
	ns := float64(r.T.Nanoseconds()) / float64(r.N) / perIter
	fmt.Printf("%-28s %10.1f ns_per_handoff   (%d iterations, %d hand-offs each)\n",
		name, ns, r.N, int(perIter))
}

func main() {
	fmt.Printf("go %s, GOMAXPROCS=%d\n", runtime.Version(), runtime.GOMAXPROCS(0))

	report("Go_EventPingPong", 2, testing.Benchmark(func(b *testing.B) {
		// A ring of three rounds, each remade once both sides are done with
		// it, as in cross_hub_bench.
		type round struct{ ping, pong chan struct{} }
		fresh := func() round { return round{make(chan struct{}), make(chan struct{})} }
		rounds := [3]round{fresh(), fresh(), fresh()}
		done := make(chan struct{})
		go func() {
			for i := 0; i < b.N; i++ {
				r := rounds[i%3]
				<-r.ping
				close(r.pong)
			}
			close(done)
		}()
		for i := 0; i < b.N; i++ {
			r := rounds[i%3]
			close(r.ping)
			<-r.pong
			rounds[(i+2)%3] = fresh()
		}
		<-done
	}))

	report("Go_ChanPingPong", 2, testing.Benchmark(func(b *testing.B) {
		ping := make(chan int)
		pong := make(chan int)
		go func() {
			for v := range ping {
				pong <- v
			}
		}()
		for i := 0; i < b.N; i++ {
			ping <- i
			<-pong
		}
		close(ping)
	}))

	report("Go_ChanStream", batch, testing.Benchmark(func(b *testing.B) {
		items := make(chan int, batch)
		acks := make(chan int)
		go func() {
			for v := range items {
				if v == batch-1 {
					acks <- v
				}
			}
		}()
		for i := 0; i < b.N; i++ {
			for j := 0; j < batch; j++ {
				items <- j
			}
			<-acks
		}
		close(items)
	}))
}
