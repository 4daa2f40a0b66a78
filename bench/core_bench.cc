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
#include <time.h>

#include <algorithm>
#include <boost/context/fiber.hpp>
#include <boost/fiber/all.hpp>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <utility>
#include <vector>

#include "absl/time/time.h"
#include "benchmark/benchmark.h"
#include "greenthread/event.h"
#include "greenthread/greenthread.h"
#include "hub/hub.h"

namespace eventlet {
namespace {

namespace ctx = boost::context;

// One raw switch (half a resume round trip), in ns; set by calibrate().
double g_raw_switch_ns = 0;

// CPU time of this thread, in ns (what Google Benchmark's CPU column uses).
double thread_cpu_ns() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e9 + static_cast<double>(ts.tv_nsec);
}

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

// A fiber that resumes its resumer straight back until `stop` is set.
ctx::fiber make_echo_fiber(const bool* stop) {
  return ctx::fiber([stop](ctx::fiber&& caller) {
    while (!*stop) caller = std::move(caller).resume();
    return std::move(caller);
  });
}

// Measures one raw switch: the best of several timed chunks of resume round
// trips (each round trip is two switches), so that a preemption in one chunk
// does not skew it.
double calibrate() {
  bool stop = false;
  ctx::fiber f = make_echo_fiber(&stop);
  f = std::move(f).resume();  // warm up: first entry
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
  if (best == 1e30) best = 0;
  stop = true;
  f = std::move(f).resume();  // the fiber returns; f is empty
  return best;
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
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  eventlet::Hub::current();  // this thread's hub, before anything is timed
  eventlet::g_raw_switch_ns = eventlet::calibrate();
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", eventlet::g_raw_switch_ns);
  benchmark::AddCustomContext("raw_switch_ns", buf);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
