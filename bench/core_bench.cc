// Copyright 2026 The eventlet-cpp Authors.
//
// core_bench: the cost of eventlet-cpp's core operations, next to the
// baselines they are judged against (docs/PERFORMANCE.md has the targets and
// the numbers).
//
//   ./bazelw run --config=opt //bench:core_bench
//   ./bazelw run --config=opt //bench:core_bench -- --benchmark_repetitions=5
//
// Every eventlet benchmark runs in the hub's main greenlet: the benchmark
// function body IS main; it spawns greenthreads and waits for them, and
// leaves nothing behind (every greenthread it spawned has finished when it
// returns), so the benchmarks do not disturb each other.
//
// Units. Each benchmark reports two counters, computed from CPU time:
//   ns_per_op    nanoseconds per operation (a switch, a sleep(0) call, a
//                spawn+wait, a handoff...; the benchmark's comment says which)
//   x_raw_switch ns_per_op divided by one raw Boost.Context switch, measured
//                by a calibration loop when the program starts (printed in the
//                context header as raw_switch_ns)
// items_per_second counts the same operations.
//
// This file includes Boost.Context and Boost.Fiber directly: they are the
// baselines, not part of the library (which sees Boost.Context only through
// hub/internal/fiber_context.h).

#include <algorithm>
#include <boost/context/fiber.hpp>
#include <boost/fiber/all.hpp>
#include <cstdint>
#include <cstdio>
#include <random>
#include <utility>
#include <vector>

#include "absl/time/time.h"
#include "bench/bench_util.h"
#include "benchmark/benchmark.h"
#include "greenthread/event.h"
#include "greenthread/greenthread.h"
#include "hub/hub.h"

namespace eventlet {
namespace {

namespace ctx = boost::context;

using bench::LoopClock;
using bench::report;

// A fiber that resumes its resumer straight back until `stop` is set.
ctx::fiber make_echo_fiber(const bool* stop) {
  return ctx::fiber([stop](ctx::fiber&& caller) {
    while (!*stop) caller = std::move(caller).resume();
    return std::move(caller);
  });
}

// ---- Baseline: a raw Boost.Context switch -------------------------------
// One iteration: resume a fiber that immediately resumes back (2 switches).
// ns_per_op: per switch.
void BM_RawFiberSwitch(benchmark::State& state) {
  bool stop = false;
  ctx::fiber f = make_echo_fiber(&stop);
  f = std::move(f).resume();
  LoopClock clock;
  for (auto _ : state) {
    f = std::move(f).resume();
  }
  clock.stop();
  stop = true;
  f = std::move(f).resume();
  report(state, 2, clock);
}
BENCHMARK(BM_RawFiberSwitch);

// ---- Baseline: a raw switch under a deeper call stack ---------------------
// As BM_RawFiberSwitch, but both sides make the switch range(0) non-inlined
// calls deep, as a library's switch path does (sleep -> Hub::sleep ->
// switch_out -> switch_to -> switch_context -> jump_fcontext). A switch
// returns into frames the CPU's return-address predictor did not see being
// called, so every one of those returns mispredicts; this shows what that
// costs on this machine. ns_per_op: per switch.
__attribute__((noinline)) void resume_at_depth(ctx::fiber& f, int depth) {
  if (depth <= 1) {
    f = std::move(f).resume();
  } else {
    resume_at_depth(f, depth - 1);
  }
  benchmark::ClobberMemory();  // no tail call: keep the frame
}

void BM_RawFiberSwitchDepth(benchmark::State& state) {
  const int depth = static_cast<int>(state.range(0));
  bool stop = false;
  ctx::fiber f([&stop, depth](ctx::fiber&& caller) {
    while (!stop) resume_at_depth(caller, depth);
    return std::move(caller);
  });
  f = std::move(f).resume();
  LoopClock clock;
  for (auto _ : state) {
    resume_at_depth(f, depth);
  }
  clock.stop();
  stop = true;
  f = std::move(f).resume();
  report(state, 2, clock);
}
BENCHMARK(BM_RawFiberSwitchDepth)->Arg(1)->Arg(3)->Arg(6);

// ---- sleep(0) ping-pong -----------------------------------------------------
// Main and `partners` greenthreads all loop sleep(0) (range(0) = 1 is the
// ping-pong of the target: two greenthreads, no fds watched). One iteration:
// one sleep(0) by main and one by each partner. ns_per_op: per sleep(0) call.
void BM_Sleep0PingPong(benchmark::State& state) {
  const int partners = static_cast<int>(state.range(0));
  bool stop = false;
  std::vector<GreenThread<void>> threads;
  for (int i = 0; i < partners; ++i) {
    threads.push_back(spawn([&stop] {
      while (!stop) sleep();
    }));
  }
  sleep();  // let them start
  LoopClock clock;
  for (auto _ : state) {
    sleep();
  }
  clock.stop();
  stop = true;
  for (auto& t : threads) t.wait();
  report(state, 1 + partners, clock);
}
BENCHMARK(BM_Sleep0PingPong)->Arg(1)->Arg(10)->Arg(1000);

// ---- spawn + wait, one at a time ----------------------------------------
// ns_per_op: per spawn+wait of a trivial function returning int.
void BM_SpawnWait(benchmark::State& state) {
  int x = 0;
  LoopClock clock;
  for (auto _ : state) {
    auto gt = spawn([&x] { return ++x; });
    benchmark::DoNotOptimize(gt.wait());
  }
  clock.stop();
  report(state, 1, clock);
}
BENCHMARK(BM_SpawnWait);

// ---- spawn_n a batch, then let it run --------------------------------------
// One iteration: spawn_n range(0) trivial greenthreads, then yield until all
// have run. ns_per_op: per greenthread. Batches beyond the stack pool's hot
// cache (1024 stacks) also pay for fresh stack pages.
void BM_SpawnNBatch(benchmark::State& state) {
  const std::int64_t n = state.range(0);
  std::int64_t done = 0;
  LoopClock clock;
  for (auto _ : state) {
    done = 0;
    for (std::int64_t i = 0; i < n; ++i) spawn_n([&done] { ++done; });
    while (done != n) sleep();
  }
  clock.stop();
  report(state, static_cast<double>(n), clock);
}
BENCHMARK(BM_SpawnNBatch)->Arg(100)->Arg(1000)->Arg(10000);

// ---- Event ping-pong ------------------------------------------------------
// Main and a partner hand a token back and forth through two Event<int>s,
// each reset by its receiver every round. One iteration: two handoffs.
// ns_per_op: per handoff (send -> the waiter has the value).
void BM_EventPingPong(benchmark::State& state) {
  Event<int> ping;
  Event<int> pong;
  auto partner = spawn([&] {
    for (;;) {
      const int v = ping.wait();
      ping.reset();
      if (v < 0) return;
      pong.send(v + 1);
    }
  });
  int token = 0;
  LoopClock clock;
  for (auto _ : state) {
    ping.send(token);
    token = pong.wait();
    pong.reset();
  }
  clock.stop();
  ping.send(-1);
  partner.wait();
  report(state, 2, clock);
}
BENCHMARK(BM_EventPingPong);

// ---- Timer schedule + cancel ----------------------------------------------
// schedule_call_global(1 s) then cancel, in main; the timer never reaches
// the heap. With range(0) > 0, that many other timers wait in the heap.
// ns_per_op: per schedule+cancel pair.
void BM_TimerScheduleCancel(benchmark::State& state) {
  Hub& hub = Hub::current();
  std::vector<TimerHandle> background;
  for (std::int64_t i = 0; i < state.range(0); ++i) {
    background.push_back(
        hub.schedule_call_global(absl::Seconds(100 + i), [] {}));
  }
  if (!background.empty()) sleep();  // moves them into the heap
  int fired = 0;
  LoopClock clock;
  for (auto _ : state) {
    TimerHandle h =
        hub.schedule_call_global(absl::Seconds(1), [&] { ++fired; });
    h.cancel();
  }
  clock.stop();
  for (auto& h : background) h.cancel();
  sleep();
  benchmark::DoNotOptimize(fired);
  report(state, 1, clock);
}
BENCHMARK(BM_TimerScheduleCancel)->Arg(0)->Arg(10000);

// ---- Timer through the heap -------------------------------------------------
// main schedules a zero-delay callback and sleeps(0): the callback's timer
// joins the heap at the pass boundary and is popped and fired in the next
// pass, before main resumes. With range(0) > 0, that many other callbacks
// wait in the heap, due in 100 to 200 s in a random (seeded) order, so the
// push and the pop cross a heap of that size. ns_per_op: per iteration.
void BM_TimerFire(benchmark::State& state) {
  Hub& hub = Hub::current();
  std::mt19937_64 rng(13);
  std::vector<TimerHandle> background;
  for (std::int64_t i = 0; i < state.range(0); ++i) {
    const absl::Duration jitter = absl::Nanoseconds(rng() % 100'000'000'000);
    background.push_back(
        hub.schedule_call_global(absl::Seconds(100) + jitter, [] {}));
  }
  std::int64_t fired = 0;
  LoopClock clock;
  for (auto _ : state) {
    hub.schedule_call_global(absl::ZeroDuration(), [&fired] { ++fired; });
    sleep();
  }
  clock.stop();
  for (auto& h : background) h.cancel();
  sleep();
  if (fired != state.iterations()) state.SkipWithError("a callback was late");
  report(state, 1, clock);
}
BENCHMARK(BM_TimerFire)->Arg(0)->Arg(100000);

// ---- Baseline: Boost.Fiber yield ----------------------------------------
// The main fiber and one other fiber loop boost::this_fiber::yield().
// ns_per_op: per yield() call (two per iteration).
void BM_BoostFiberYield(benchmark::State& state) {
  bool stop = false;
  boost::fibers::fiber other([&stop] {
    while (!stop) boost::this_fiber::yield();
  });
  boost::this_fiber::yield();
  LoopClock clock;
  for (auto _ : state) {
    boost::this_fiber::yield();
  }
  clock.stop();
  stop = true;
  other.join();
  report(state, 2, clock);
}
BENCHMARK(BM_BoostFiberYield);

// ---- Baseline: Boost.Fiber spawn + join ----------------------------------
// Create a fiber running a trivial function, join it; one at a time, with
// Boost.Fiber's default stack allocator. ns_per_op: per fiber.
void BM_BoostFiberSpawnJoin(benchmark::State& state) {
  int x = 0;
  LoopClock clock;
  for (auto _ : state) {
    boost::fibers::fiber f([&x] { ++x; });
    f.join();
  }
  clock.stop();
  benchmark::DoNotOptimize(x);
  report(state, 1, clock);
}
BENCHMARK(BM_BoostFiberSpawnJoin);

// ---- Baseline: Boost.Fiber channel ping-pong ----------------------------
// The main fiber and another hand a token through two channels. range(0):
// 0 = unbuffered_channel, 2 = buffered_channel of capacity 2 (Boost's
// smallest). ns_per_op: per handoff (two per iteration).
template <typename Channel>
void channel_ping_pong(benchmark::State& state, Channel& ping, Channel& pong) {
  boost::fibers::fiber other([&] {
    int v;
    while (ping.pop(v) == boost::fibers::channel_op_status::success) {
      pong.push(v + 1);
    }
  });
  int token = 0;
  LoopClock clock;
  for (auto _ : state) {
    ping.push(token);
    pong.pop(token);
  }
  clock.stop();
  ping.close();
  other.join();
  pong.close();
  report(state, 2, clock);
}

void BM_BoostFiberChannel(benchmark::State& state) {
  if (state.range(0) == 0) {
    boost::fibers::unbuffered_channel<int> ping, pong;
    channel_ping_pong(state, ping, pong);
  } else {
    boost::fibers::buffered_channel<int> ping(state.range(0)),
        pong(state.range(0));
    channel_ping_pong(state, ping, pong);
  }
}
BENCHMARK(BM_BoostFiberChannel)->Arg(0)->Arg(2);

}  // namespace
}  // namespace eventlet

int main(int argc, char** argv) {
  return eventlet::bench::run_benchmarks(argc, argv);
}
