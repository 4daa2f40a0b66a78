// Copyright 2026 The eventlet-cpp Authors.
#include "bench/bench_util.h"

#include <time.h>

#include <algorithm>
#include <boost/context/fiber.hpp>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <utility>

#include "hub/hub.h"

namespace eventlet::bench {
namespace {

namespace ctx = boost::context;

double g_raw_switch_ns = 0;

}  // namespace

double thread_cpu_ns() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e9 + static_cast<double>(ts.tv_nsec);
}

double raw_switch_ns() { return g_raw_switch_ns; }

double calibrate_raw_switch() {
  bool stop = false;
  ctx::fiber f([&stop](ctx::fiber&& caller) {
    while (!stop) caller = std::move(caller).resume();
    return std::move(caller);
  });
  f = std::move(f).resume();  // first entry
  using Clock = std::chrono::steady_clock;
  double best = 1e30;
  std::int64_t n = 1000;
  for (int round = 0; round < 12; ++round) {
    const auto t0 = Clock::now();
    for (std::int64_t i = 0; i < n; ++i) f = std::move(f).resume();
    const double ns =
        std::chrono::duration<double, std::nano>(Clock::now() - t0).count();
    if (ns < 2e6 && round < 6) {
      n *= 4;  // grow the chunk until it takes a few milliseconds
      continue;
    }
    best = std::min(best, ns / static_cast<double>(2 * n));
  }
  stop = true;
  f = std::move(f).resume();
  return best == 1e30 ? 0 : best;
}

void report(benchmark::State& state, double ops_per_iteration,
            const LoopClock& clock) {
  const double ops =
      ops_per_iteration * static_cast<double>(state.iterations());
  if (ops <= 0) return;
  const double ns_per_op = clock.ns() / ops;
  state.counters["ns_per_op"] = benchmark::Counter(ns_per_op);
  if (g_raw_switch_ns > 0) {
    state.counters["x_raw_switch"] =
        benchmark::Counter(ns_per_op / g_raw_switch_ns);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(ops));
}

int run_benchmarks(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  Hub::current();  // this thread's hub, before anything is timed
  g_raw_switch_ns = calibrate_raw_switch();
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", g_raw_switch_ns);
  benchmark::AddCustomContext("raw_switch_ns", buf);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}

}  // namespace eventlet::bench
