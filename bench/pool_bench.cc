// Copyright 2026 The eventlet-cpp Authors.
//
// pool_bench: coordination primitives, pools and tpool (issue 3's targets),
// as ratios to a raw Boost.Context switch measured in the same run.
//
//   ./bazelw run --config=opt //bench:pool_bench
//
// Each benchmark's body runs in the hub's main greenlet and leaves no
// greenthread behind.
#include <numeric>
#include <vector>

#include "bench/bench_util.h"
#include "greenthread/greenthread.h"
#include "greenthread/queue.h"
#include "greenthread/semaphore.h"
#include "pool/green_pool.h"
#include "tpool/tpool.h"

namespace eventlet {
namespace {

using bench::LoopClock;
using bench::report;

// GreenPool(1000): spawn range(0) trivial jobs, then waitall.
// ns_per_op: per job (spawn + run + exit + its share of waitall).
void BM_GreenPoolSpawnWaitall(benchmark::State& state) {
  const int jobs = static_cast<int>(state.range(0));
  GreenPool pool(1000);
  int sink = 0;
  LoopClock clock;
  for (auto _ : state) {
    for (int i = 0; i < jobs; ++i) pool.spawn_n([&sink] { ++sink; });
    pool.waitall();
  }
  clock.stop();
  benchmark::DoNotOptimize(sink);
  report(state, jobs, clock);
}
BENCHMARK(BM_GreenPoolSpawnWaitall)->Arg(1000)->Arg(10000);

// GreenPool(1000).spawn (with a GreenThread handle) + waitall.
void BM_GreenPoolSpawnHandleWaitall(benchmark::State& state) {
  const int jobs = static_cast<int>(state.range(0));
  GreenPool pool(1000);
  LoopClock clock;
  for (auto _ : state) {
    for (int i = 0; i < jobs; ++i) pool.spawn([i] { return i; });
    pool.waitall();
  }
  clock.stop();
  report(state, jobs, clock);
}
BENCHMARK(BM_GreenPoolSpawnHandleWaitall)->Arg(1000);

// imap over range(0) items with GreenPool(1000). ns_per_op: per item.
void BM_GreenPoolImap(benchmark::State& state) {
  const int items = static_cast<int>(state.range(0));
  std::vector<int> input(items);
  std::iota(input.begin(), input.end(), 0);
  GreenPool pool(1000);
  long long sum = 0;
  LoopClock clock;
  for (auto _ : state) {
    for (int v : pool.imap([](int x) { return x + 1; }, input)) sum += v;
  }
  clock.stop();
  benchmark::DoNotOptimize(sum);
  report(state, items, clock);
}
BENCHMARK(BM_GreenPoolImap)->Arg(100000);

// Two greenthreads bounce a token through two Queue<int>(1)... here main and
// one partner. ns_per_op: per round trip (2 puts, 2 gets, 2 handoffs).
void BM_QueuePingPong(benchmark::State& state) {
  Queue<int> ping;
  Queue<int> pong;
  auto partner = spawn([&] {
    for (;;) {
      int v = ping.get();
      if (v < 0) return;
      pong.put(v);
    }
  });
  LoopClock clock;
  for (auto _ : state) {
    ping.put(1);
    benchmark::DoNotOptimize(pong.get());
  }
  clock.stop();
  ping.put(-1);
  partner.wait();
  report(state, 1, clock);
}
BENCHMARK(BM_QueuePingPong);

// A semaphore handed back and forth: main releases, the partner acquires and
// releases the other one. ns_per_op: per handoff.
void BM_SemaphoreHandoff(benchmark::State& state) {
  Semaphore a(0);
  Semaphore b(0);
  bool stop = false;
  auto partner = spawn([&] {
    for (;;) {
      a.acquire();
      if (stop) return;
      b.release();
    }
  });
  LoopClock clock;
  for (auto _ : state) {
    a.release();
    b.acquire();
  }
  clock.stop();
  stop = true;
  a.release();
  partner.wait();
  report(state, 2, clock);
}
BENCHMARK(BM_SemaphoreHandoff);

// tpool::execute round trip with range(0) worker threads. ns_per_op: per call.
void BM_TpoolRoundTrip(benchmark::State& state) {
  tpool::killall();
  tpool::set_num_threads(static_cast<std::size_t>(state.range(0)));
  int sink = 0;
  LoopClock clock;
  for (auto _ : state) sink += tpool::execute([] { return 1; });
  clock.stop();
  benchmark::DoNotOptimize(sink);
  report(state, 1, clock);
  tpool::killall();
}
BENCHMARK(BM_TpoolRoundTrip)->Arg(1)->Arg(4)->UseRealTime();

// tpool throughput: 64 greenthreads each making calls; ns_per_op: per call
// (wall time, all calls in flight together).
void BM_TpoolThroughput(benchmark::State& state) {
  tpool::killall();
  tpool::set_num_threads(static_cast<std::size_t>(state.range(0)));
  constexpr int kCallers = 64;
  constexpr int kCallsEach = 16;
  for (auto _ : state) {
    GreenPool callers(kCallers);
    for (int c = 0; c < kCallers; ++c) {
      callers.spawn_n([] {
        for (int i = 0; i < kCallsEach; ++i) tpool::execute([] { return 1; });
      });
    }
    callers.waitall();
  }
  state.SetItemsProcessed(state.iterations() * kCallers * kCallsEach);
  tpool::killall();
}
BENCHMARK(BM_TpoolThroughput)->Arg(1)->Arg(4)->UseRealTime();

}  // namespace
}  // namespace eventlet

int main(int argc, char** argv) {
  return eventlet::bench::run_benchmarks(argc, argv);
}
