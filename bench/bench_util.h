// Copyright 2026 The eventlet-cpp Authors.
//
// bench_util.h: what every eventlet-cpp benchmark binary shares — the raw
// Boost.Context switch it reports ratios against, CPU-time loop clocks, and
// the ns_per_op / x_raw_switch counters (docs/PERFORMANCE.md explains them).
#ifndef EVENTLET_BENCH_BENCH_UTIL_H_
#define EVENTLET_BENCH_BENCH_UTIL_H_

#include "benchmark/benchmark.h"

namespace eventlet::bench {

// One raw switch (half a boost::context::fiber resume round trip), in ns:
// the best of several timed chunks, so that one preemption does not skew it.
double calibrate_raw_switch();
// The value measured by init() (0 before).
double raw_switch_ns();

// CPU time of this thread, in ns (what Google Benchmark's CPU column uses).
double thread_cpu_ns();

// Times a benchmark's measured loop in CPU time: construct it just before
// `for (auto _ : state)`, call stop() just after.
class LoopClock {
 public:
  LoopClock() : start_(thread_cpu_ns()) {}
  void stop() { ns_ = thread_cpu_ns() - start_; }
  double ns() const { return ns_; }

 private:
  double start_;
  double ns_ = 0;
};

// Adds ns_per_op and x_raw_switch for `ops_per_iteration` operations per
// benchmark iteration, and items_per_second counting those operations.
void report(benchmark::State& state, double ops_per_iteration,
            const LoopClock& clock);

// Runs the benchmarks of this binary: creates the thread's hub, calibrates the
// raw switch (printed as the "raw_switch_ns" context line), runs them.
int run_benchmarks(int argc, char** argv);

}  // namespace eventlet::bench

#endif  // EVENTLET_BENCH_BENCH_UTIL_H_
