// Go baselines for pool_bench (issue 3), GOMAXPROCS=1 like one hub:
// spawn 1000 goroutines then Wait (per goroutine), channel ping-pong (per
// round trip), a mutex-free semaphore handoff over two channels (per handoff).
//
//	GOMAXPROCS=1 go run bench/baselines/go/pool.go
package main

import (
	"fmt"
	"runtime"
	"sync"
	"testing"
)

func main() {
	fmt.Printf("go %s GOMAXPROCS=%d\n", runtime.Version(), runtime.GOMAXPROCS(0))
	spawn := testing.Benchmark(func(b *testing.B) {
		var wg sync.WaitGroup
		for i := 0; i < b.N; i += 1000 {
			wg.Add(1000)
			for j := 0; j < 1000; j++ {
				go func() { wg.Done() }()
			}
			wg.Wait()
		}
	})
	fmt.Printf("spawn 1000 + Wait: %.0f ns/goroutine\n", float64(spawn.T.Nanoseconds())/float64(spawn.N))
	ping := testing.Benchmark(func(b *testing.B) {
		a, c := make(chan int), make(chan int)
		go func() {
			for v := range a {
				c <- v
			}
		}()
		for i := 0; i < b.N; i++ {
			a <- 1
			<-c
		}
		close(a)
	})
	fmt.Printf("unbuffered channel ping-pong: %.0f ns/round trip\n", float64(ping.T.Nanoseconds())/float64(ping.N))
}
