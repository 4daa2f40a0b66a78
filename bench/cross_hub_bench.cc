// Copyright 2026 The eventlet-cpp Authors.
//
// cross_hub_bench: the cost of handing off between greenthreads on two hubs
// on two OS threads (greenthread/cross_hub.h), in ns per hand-off, wall
// time. Go's counterparts (bench/baselines/go/cross_hub.go, GOMAXPROCS=2)
// run beside these in bench/cross_hub.sh; docs/PERFORMANCE.md has numbers.
//
//   ./bazelw run --config=opt //bench:cross_hub_bench
//   bench/cross_hub.sh            # ours and Go's, alternating, several rounds
//
// The benchmark body runs on hub 0 (this thread's main greenlet); the
// partner is the main greenlet of hub 1 on another thread. The argument
// spin_us is Hub::set_handoff_spin on both hubs (0: off; 20: the default).
#include <time.h>

#include <array>
#include <functional>
#include <optional>
#include <thread>

#include "bench/bench_util.h"
#include "greenthread/cross_hub.h"
#include "hub/hub.h"

namespace eventlet {
namespace {

// Wall time and the CPU time of the whole process (both hubs: what spinning
// costs shows here) over a benchmark's loop.
class HandoffClock {
 public:
  HandoffClock()
      : wall_(now(CLOCK_MONOTONIC)), cpu_(now(CLOCK_PROCESS_CPUTIME_ID)) {}
  // Reports ns_per_handoff (wall) and cpu_ns_per_handoff (both threads) for
  // `per_iteration` hand-offs per iteration. Call just after the loop.
  void report(benchmark::State& state, double per_iteration) {
    const double wall = now(CLOCK_MONOTONIC) - wall_;
    const double cpu = now(CLOCK_PROCESS_CPUTIME_ID) - cpu_;
    const double n = per_iteration * static_cast<double>(state.iterations());
    state.counters["ns_per_handoff"] = benchmark::Counter(wall / n);
    state.counters["cpu_ns_per_handoff"] = benchmark::Counter(cpu / n);
  }

  // `clock` in ns.
  static double now(clockid_t clock) {
    timespec ts;
    clock_gettime(clock, &ts);
    return static_cast<double>(ts.tv_sec) * 1e9 +
           static_cast<double>(ts.tv_nsec);
  }

 private:
  double wall_;
  double cpu_;
};

// Sets this thread's hub's hand-off spin from the benchmark's argument.
void set_spin(const benchmark::State& state) {
  Hub::current().set_handoff_spin(absl::Microseconds(state.range(0)));
}

// Runs `body` on a new thread with its own hub (spin as `state` says),
// destroying the hub when the body returns; join() waits for that.
class Partner {
 public:
  Partner(const benchmark::State& state, std::function<void()> body)
      : thread_([&state, body = std::move(body)] {
          set_spin(state);
          body();
          Hub::destroy_current();
        }) {}
  void join() { thread_.join(); }

 private:
  std::thread thread_;
};

// The partner's side of a queue ping-pong: answers each value from `ping`
// on `pong` until a negative one ends it.
void echo(CrossHubQueue<int>& ping, CrossHubQueue<int>& pong) {
  for (;;) {
    const int v = ping.get();
    if (v < 0) return;
    pong.put(v);
  }
}

// Both spin settings compared (spin_us: 0, off; 20, the default), in wall
// time (the two hubs run on two threads).
void spin_off_and_default(benchmark::internal::Benchmark* b) {
  b->ArgName("spin_us")->Arg(0)->Arg(20)->UseRealTime();
}

// One round of the event ping-pong: hub 0 sends ping, hub 1 waits for it and
// sends pong.
struct EventRound {
  CrossHubEvent<> ping;
  CrossHubEvent<> pong;
};

// CrossHubEvent ping-pong: two one-shot events per round trip, each made
// fresh (a ring of three rounds, each remade once both sides are done with
// it: its construction is part of the cost, as for a one-shot event in real
// code). ns_per_op: per hand-off (two per iteration).
void BM_CrossHubEventPingPong(benchmark::State& state) {
  set_spin(state);
  std::array<std::optional<EventRound>, 3> rounds;
  for (auto& r : rounds) r.emplace();
  const std::int64_t n = state.max_iterations;
  Partner partner(state, [&] {
    for (std::int64_t i = 0; i < n; ++i) {
      EventRound& r = *rounds[i % 3];
      r.ping.wait();
      r.pong.send();
    }
  });
  HandoffClock clock;
  std::int64_t i = 0;
  for (auto _ : state) {
    EventRound& r = *rounds[i % 3];
    r.ping.send();
    r.pong.wait();
    // The partner is past round i - 1 and cannot reach round i + 2 before
    // the next ping: remake it now.
    rounds[(i + 2) % 3].emplace();
    ++i;
  }
  clock.report(state, 2);
  partner.join();
}
BENCHMARK(BM_CrossHubEventPingPong)->Apply(spin_off_and_default);

// CrossHubQueue ping-pong: an int to the partner and back through two
// queues. ns_per_op: per hand-off (two per iteration). Go's counterpart:
// unbuffered channel ping-pong.
void BM_CrossHubQueuePingPong(benchmark::State& state) {
  set_spin(state);
  CrossHubQueue<int> ping;
  CrossHubQueue<int> pong;
  Partner partner(state, [&] { echo(ping, pong); });
  HandoffClock clock;
  for (auto _ : state) {
    ping.put(1);
    benchmark::DoNotOptimize(pong.get());
  }
  clock.report(state, 2);
  ping.put(-1);
  partner.join();
}
BENCHMARK(BM_CrossHubQueuePingPong)->Apply(spin_off_and_default);

// One-way stream: hub 0 puts kBatch ints, hub 1 gets them and acknowledges
// each batch's last one (so hub 0 is never more than a batch ahead, like a
// bounded channel). ns_per_op: per item, wall time. Go's counterpart: a
// buffered channel of kBatch, acknowledged the same way.
constexpr int kBatch = 1024;
void BM_CrossHubQueueStream(benchmark::State& state) {
  set_spin(state);
  CrossHubQueue<int> items;
  CrossHubQueue<int> acks;
  Partner partner(state, [&] {
    for (;;) {
      const int v = items.get();
      if (v < 0) return;
      if (v == kBatch - 1) acks.put(v);
    }
  });
  HandoffClock clock;
  for (auto _ : state) {
    for (int i = 0; i < kBatch; ++i) items.put(i);
    benchmark::DoNotOptimize(acks.get());
  }
  clock.report(state, kBatch);
  items.put(-1);
  partner.join();
}
BENCHMARK(BM_CrossHubQueueStream)->Apply(spin_off_and_default);

// What the spin costs when traffic stops: 100 ping-pongs, then both hubs
// idle for 100 ms (hub 0 in a timed sleep, hub 1 waiting in get()). Reports
// idle_cpu_us: the process's CPU time over those 100 ms, which is at most
// one spin per hub (Hub::set_handoff_spin) plus the timer's wake-up; an
// idle hub does not spin.
void BM_CrossHubIdleAfterTraffic(benchmark::State& state) {
  set_spin(state);
  double idle_cpu_ns = 0;
  for (auto _ : state) {
    CrossHubQueue<int> ping;
    CrossHubQueue<int> pong;
    Partner partner(state, [&] { echo(ping, pong); });
    for (int i = 0; i < 100; ++i) {
      ping.put(i);
      benchmark::DoNotOptimize(pong.get());
    }
    const double cpu0 = HandoffClock::now(CLOCK_PROCESS_CPUTIME_ID);
    Hub::current().sleep(absl::Milliseconds(100));
    idle_cpu_ns += HandoffClock::now(CLOCK_PROCESS_CPUTIME_ID) - cpu0;
    ping.put(-1);
    partner.join();
  }
  state.counters["idle_cpu_us"] = benchmark::Counter(
      idle_cpu_ns / 1e3 / static_cast<double>(state.iterations()));
}
BENCHMARK(BM_CrossHubIdleAfterTraffic)
    ->Apply(spin_off_and_default)
    ->Iterations(3);

}  // namespace
}  // namespace eventlet

int main(int argc, char** argv) {
  return eventlet::bench::run_benchmarks(argc, argv);
}
