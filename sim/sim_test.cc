// Copyright 2026 The eventlet-cpp Authors.
//
// sim::run: virtual time, deadlock reports, limits, seeded determinism,
// traces (byte-identical per seed, valid, chained observers).
#include "sim/sim.h"

#include <cstdio>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "greenthread/event.h"
#include "greenthread/greenthread.h"
#include "greenthread/queue.h"
#include "greenthread/semaphore.h"
#include "gtest/gtest.h"
#include "hub/hub.h"
#include "pool/green_pool.h"
#include "sim/trace.h"

namespace eventlet::sim {
namespace {

// Three greenthreads taking turns through sleep(0) and timers.
void Workload() {
  std::vector<GreenThread<int>> gts;
  for (int i = 0; i < 3; ++i) {
    gts.push_back(spawn([i] {
      int sum = 0;
      for (int k = 0; k < 4; ++k) {
        eventlet::sleep(absl::ZeroDuration());
        sum += static_cast<int>(random().uniform(10));
      }
      eventlet::sleep(absl::Milliseconds(10 * (3 - i)));
      return sum;
    }));
  }
  for (auto& gt : gts) gt.wait();
}

TEST(SimRunTest, AnHourOfVirtualSleepIsInstant) {
  const absl::Time start = absl::Now();
  Result r = run({}, [] {
    auto gt = spawn([] { eventlet::sleep(absl::Hours(1)); });
    gt.wait();
    EXPECT_EQ(Hub::current().backend().name(), std::string("sim"));
  });
  EXPECT_TRUE(r.ok()) << r.summary();
  EXPECT_EQ(r.virtual_time, absl::Hours(1));
  // Not an hour, nor a second per virtual minute (generous for a busy machine).
  EXPECT_LT(absl::Now() - start, absl::Seconds(20));
}

TEST(SimRunTest, DeadlockIsReportedWithEveryGreenthread) {
  Options o;
  o.trace_in_memory = true;
  Result r = run(o, [&] {
    // Locals of fn: a stall unwinds the greenthreads waiting on them before
    // fn's frames (sim.h).
    Event<int> a, b;
    auto x = spawn([&] { return a.wait(); });
    auto y = spawn([&] {
      eventlet::sleep(absl::Seconds(1));
      return b.wait();
    });
    x.wait();  // nobody ever sends
  });
  ASSERT_EQ(r.outcome, Outcome::kDeadlock) << r.summary();
  ASSERT_TRUE(r.deadlock.has_value());
  const DeadlockReport& d = *r.deadlock;
  EXPECT_EQ(d.time, absl::Seconds(1));
  ASSERT_EQ(d.greenthreads.size(), 3u) << d.to_string();
  EXPECT_EQ(d.greenthreads[0].id, 0);
  EXPECT_EQ(d.greenthreads[0].state, "suspended");
  EXPECT_EQ(d.greenthreads[1].id, 1);
  EXPECT_NE(d.greenthreads[1].waiting_on, "");
  EXPECT_TRUE(d.greenthreads[2].created.known);
  EXPECT_EQ(d.greenthreads[2].created.creator, 0);
  EXPECT_NE(r.error.find("deadlock at t=1000000000"), std::string::npos)
      << r.error;
  EXPECT_NE(r.trace.find("\"kind\":\"stall\",\"why\":\"deadlock\""),
            std::string::npos);
}

TEST(SimRunTest, DeadlockNamesTheObjectWaitedOnAndWhoLastTouchedIt) {
  Options o;
  o.trace_in_memory = true;
  Result r = run(o, [&] {
    Semaphore lock(1);
    Queue<int> jobs;
    auto holder = spawn([&] {
      lock.acquire();  // never released
      jobs.put(1);
    });
    auto blocked = spawn([&] { lock.acquire(); });
    jobs.get();
    jobs.get();  // nobody puts a second job
  });
  ASSERT_EQ(r.outcome, Outcome::kDeadlock) << r.summary();
  const DeadlockReport& d = *r.deadlock;
  // main and 2 (1 has finished).
  ASSERT_EQ(d.greenthreads.size(), 2u) << d.to_string();
  // main waits in the Queue, which 1 last put a job in (main's blocked gets
  // do not count).
  EXPECT_EQ(d.greenthreads[0].object.kind, "Queue");
  EXPECT_EQ(d.greenthreads[0].object.last_touch, 1);
  // 2 waits in the Semaphore that 1 acquired and never released.
  EXPECT_EQ(d.greenthreads[1].id, 2);
  EXPECT_EQ(d.greenthreads[1].object.kind, "Semaphore");
  EXPECT_EQ(d.greenthreads[1].object.last_touch, 1);
  EXPECT_NE(d.greenthreads[0].object.id, d.greenthreads[1].object.id);
  // The outcome's message names them, with the numbers the trace uses.
  const std::string sem = "2 on Semaphore::acquire (Semaphore " +
                          std::to_string(d.greenthreads[1].object.id) +
                          ", last touched by 1)";
  EXPECT_NE(d.summary().find(sem), std::string::npos) << d.summary();
  EXPECT_NE(r.error.find("greenthread 2: suspended on Semaphore::acquire "
                         "(Semaphore "),
            std::string::npos)
      << r.error;
  EXPECT_NE(r.trace.find("\"kind\":\"block\",\"on\":\"Semaphore::acquire\","
                         "\"obj\":" +
                         std::to_string(d.greenthreads[1].object.id)),
            std::string::npos)
      << r.trace;
}

TEST(SimRunTest, ObjectsAreNumberedByFirstWaitTracedOrNot) {
  auto program = [] {
    Semaphore never(0);
    Event<int> nobody_sends;
    auto x = spawn([&] { return nobody_sends.wait(); });
    eventlet::sleep();  // x waits first: the Event is object 1
    never.acquire();    // main's Semaphore is object 2
  };
  Result untraced = run({}, program);
  Options o;
  o.trace_in_memory = true;
  Result traced = run(o, program);
  ASSERT_EQ(untraced.outcome, Outcome::kDeadlock) << untraced.summary();
  EXPECT_EQ(untraced.traced_outcome, traced.traced_outcome);
  EXPECT_EQ(
      untraced.traced_outcome.message,
      "0 on Semaphore::acquire (Semaphore 2), 1 on Event::wait (Event 1)");
}

TEST(SimRunTest, DeadlockWithoutTraceStillNamesTheWaits) {
  Result r = run({}, [] {
    Event<int> never;
    never.wait();
  });
  ASSERT_EQ(r.outcome, Outcome::kDeadlock);
  ASSERT_EQ(r.deadlock->greenthreads.size(), 1u);
  EXPECT_FALSE(r.deadlock->greenthreads[0].created.known);
}

TEST(SimRunTest, TimeLimit) {
  Options o;
  o.max_time = absl::Seconds(5);
  Result r = run(o, [] {
    for (;;) eventlet::sleep(absl::Seconds(1));
  });
  EXPECT_EQ(r.outcome, Outcome::kTimeLimit) << r.summary();
  EXPECT_EQ(r.virtual_time, absl::Seconds(5));
}

TEST(SimRunTest, EventLimit) {
  Options o;
  o.max_events = 1000;
  Result r = run(o, [] {
    for (;;) eventlet::sleep(absl::Milliseconds(1));
  });
  EXPECT_EQ(r.outcome, Outcome::kEventLimit) << r.summary();
  EXPECT_GE(r.events, 1000u);
  EXPECT_LT(r.events, 1100u);
}

TEST(SimRunTest, ExceptionsEscapingFnAreReported) {
  Result r = run({}, [] { throw std::runtime_error("boom"); });
  EXPECT_EQ(r.outcome, Outcome::kError);
  EXPECT_EQ(r.error, "boom");
  EXPECT_TRUE(r.exception != nullptr);
}

TEST(SimRunTest, RandomOutsideASimulationThrows) {
  EXPECT_FALSE(in_simulation());
  EXPECT_THROW(random(), std::logic_error);
}

TEST(SimRunTest, EventLimitStopsASleepZeroLoopInMain) {
  Options o;
  o.max_events = 1000;
  Result r = run(o, [] {
    for (;;) eventlet::sleep();
  });
  EXPECT_EQ(r.outcome, Outcome::kEventLimit) << r.summary();
  EXPECT_GE(r.events, 1000u);
  EXPECT_LT(r.events, 1100u);
}

TEST(SimRunTest, EventLimitStopsASleepZeroLoopInAGreenthread) {
  Options o;
  o.max_events = 500;
  o.trace_in_memory = true;
  Result r = run(o, [] {
    auto spinner = spawn([] {
      for (;;) eventlet::sleep();
    });
    spinner.wait();
  });
  EXPECT_EQ(r.outcome, Outcome::kEventLimit) << r.summary();
  EXPECT_LT(r.events, 600u);
  EXPECT_NE(r.trace.find("\"kind\":\"stall\",\"why\":\"event limit\""),
            std::string::npos);
}

TEST(SimRunTest, PctNeedsPositiveParameters) {
  Options o;
  o.strategy = Strategy::kPct;
  o.pct_depth = 0;
  EXPECT_THROW(run(o, [] {}), std::invalid_argument);
  o.pct_depth = 2;
  o.pct_horizon = 0;
  EXPECT_THROW(run(o, [] {}), std::invalid_argument);
}

// Records, in order, when things are destroyed.
struct Noted {
  std::vector<std::string>* log;
  std::string what;
  ~Noted() { log->push_back(what); }
};

TEST(SimTeardownTest, ADeadlockUnwindsGreenthreadsWhileFnsLocalsLive) {
  std::vector<std::string> log;
  Result r = run({}, [&] {
    Noted local{&log, "fn's local"};
    Event<int> never;  // a local of fn that a greenthread waits on
    auto waiter = spawn([&] {
      Noted guard{&log, "waiter unwound"};
      return never.wait();
    });
    auto unstarted = spawn_after(absl::Hours(1), [&] { return 1; });
    waiter.wait();
  });
  ASSERT_EQ(r.outcome, Outcome::kDeadlock) << r.summary();
  // The waiter left Event::wait (touching `never`) before fn's frames went.
  EXPECT_EQ(log, (std::vector<std::string>{"waiter unwound", "fn's local"}));
}

TEST(SimTeardownTest, ATimeLimitUnwindsAGreenPoolLocalToFn) {
  std::vector<std::string> log;
  Options o;
  o.max_time = absl::Seconds(10);
  Result r = run(o, [&] {
    GreenPool pool(4);
    for (int i = 0; i < 4; ++i) {
      pool.spawn_n([&log, i] {
        Noted guard{&log, "worker " + std::to_string(i)};
        for (;;) eventlet::sleep(absl::Seconds(1));
      });
    }
    pool.waitall();
  });
  ASSERT_EQ(r.outcome, Outcome::kTimeLimit) << r.summary();
  // ~GreenPool found the pool empty (it would wait otherwise).
  EXPECT_EQ(log.size(), 4u);
}

TEST(SimTeardownTest, AnEventLimitUnwindsASpinningGreenthread) {
  std::vector<std::string> log;
  Options o;
  o.max_events = 300;
  Result r = run(o, [&] {
    Event<int> done;
    auto spinner = spawn([&] {
      Noted guard{&log, "spinner unwound"};
      while (!done.ready()) eventlet::sleep();
    });
    done.wait();
  });
  ASSERT_EQ(r.outcome, Outcome::kEventLimit) << r.summary();
  EXPECT_EQ(log, std::vector<std::string>{"spinner unwound"});
}

TEST(SimTeardownTest, PendingGreenthreadsAreUnwoundInsideTheRun) {
  std::vector<std::string> log;
  bool in_sim_during_unwind = false;
  Result r = run({}, [&] {
    spawn([&] {
      struct Check {
        bool* out;
        ~Check() { *out = in_simulation(); }
      } check{&in_sim_during_unwind};
      eventlet::sleep(absl::Hours(1));
    });
    eventlet::sleep();  // let it start
  });
  EXPECT_TRUE(r.ok()) << r.summary();
  EXPECT_TRUE(in_sim_during_unwind);
}

Result Traced(std::uint64_t seed, Strategy s) {
  Options o;
  o.seed = seed;
  o.strategy = s;
  o.trace_in_memory = true;
  return run(o, Workload);
}

TEST(SimTraceTest, SameSeedGivesAByteIdenticalTrace) {
  for (Strategy s : {Strategy::kFifo, Strategy::kRandom, Strategy::kPct}) {
    Result a = Traced(7, s);
    Result b = Traced(7, s);
    ASSERT_TRUE(a.ok()) << a.summary();
    EXPECT_GT(a.events, 50u);
    EXPECT_EQ(a.trace, b.trace);
    EXPECT_EQ(a.trace_hash, b.trace_hash);
  }
}

TEST(SimTraceTest, RandomStrategyDependsOnTheSeed) {
  std::set<std::uint64_t> hashes;
  for (std::uint64_t seed = 1; seed <= 8; ++seed) {
    Result r = Traced(seed, Strategy::kRandom);
    EXPECT_NE(r.trace.find("\"kind\":\"choose\""), std::string::npos);
    hashes.insert(r.trace_hash);
  }
  EXPECT_GT(hashes.size(), 1u);
  // FIFO has no choose events.
  EXPECT_EQ(Traced(1, Strategy::kFifo).trace.find("choose"), std::string::npos);
}

TEST(SimTraceTest, TraceParsesAndCarriesTheHeader) {
  Result r = Traced(99, Strategy::kRandom);
  ParsedTrace p;
  TraceError e;
  ASSERT_TRUE(parse_trace(r.trace, &p, &e)) << e.to_string();
  EXPECT_EQ(p.header.seed, 99u);
  EXPECT_EQ(p.header.strategy, "random");
  EXPECT_EQ(p.header.build, kBuildId);
  EXPECT_EQ(p.lines.size(), r.events + 1);
  EXPECT_EQ(p.final_hash, r.trace_hash);
  EXPECT_EQ(p.lines[0],
            "{\"format\":\"eventlet-sim-trace\",\"version\":4,\"seed\":99,"
            "\"strategy\":\"random\",\"build\":\"eventlet-cpp-sim/4\"}");
  // The last event is the outcome.
  EXPECT_NE(p.lines.back().find("\"kind\":\"outcome\",\"result\":\"ok\","
                                "\"message\":\"\""),
            std::string::npos)
      << p.lines.back();
}

TEST(SimTraceTest, CausesLinkWakeUpsToTheirSwitches) {
  Result r = Traced(1, Strategy::kFifo);
  // Every switch into a spawned greenthread names the ready event that queued
  // it (its start) as its cause.
  std::istringstream in(r.trace);
  std::string line;
  std::map<std::string, std::string> kind_of_seq;
  int switches_with_cause = 0;
  while (std::getline(in, line)) {
    auto field = [&](const std::string& key) -> std::string {
      const std::string k = "\"" + key + "\":";
      auto at = line.find(k);
      if (at == std::string::npos) return "";
      at += k.size();
      auto stop = line.find_first_of(",}", at);
      return line.substr(at, stop - at);
    };
    const std::string seq = field("seq");
    const std::string kind = field("kind");
    kind_of_seq[seq] = kind;
    if (kind == "\"switch\"" && !field("cause").empty()) {
      const std::string cause_kind = kind_of_seq[field("cause")];
      EXPECT_TRUE(cause_kind == "\"ready\"" || cause_kind == "\"timer_fire\"")
          << line << " caused by " << cause_kind;
      ++switches_with_cause;
    }
  }
  EXPECT_GT(switches_with_cause, 10);
}

TEST(SimTraceTest, AWakeUpFromATimerCallbackNamesTheTimerFire) {
  Options o;
  o.trace_in_memory = true;
  Result r = run(o, [] {
    Event<int> e;
    Hub::current().schedule_call_global(absl::Milliseconds(2),
                                        [&e] { e.send(1); });
    e.wait();
  });
  ASSERT_TRUE(r.ok()) << r.summary();
  // #4 the first prepare moves timer 1 to the heap; #6 poll, #7 poll_done,
  // #8 pass, #9 the timer fires, #10 its callback's Event::send (caused by
  // #9) wakes main: #11 queues main as timer 2, caused by the send.
  EXPECT_NE(r.trace.find("{\"seq\":4,\"t\":0,\"gt\":-1,\"kind\":"
                         "\"prepare_timers\",\"timers\":[1],"),
            std::string::npos)
      << r.trace;
  EXPECT_NE(r.trace.find("{\"seq\":9,\"t\":2000000,\"gt\":-1,\"kind\":"
                         "\"timer_fire\",\"timer\":1,\"cause\":1,"),
            std::string::npos)
      << r.trace;
  EXPECT_NE(r.trace.find("{\"seq\":10,\"t\":2000000,\"gt\":-1,\"kind\":"
                         "\"event_send\",\"obj\":1,\"wakes\":[0],"
                         "\"cause\":9,"),
            std::string::npos)
      << r.trace;
  EXPECT_NE(r.trace.find("{\"seq\":11,\"t\":2000000,\"gt\":0,\"kind\":"
                         "\"ready\",\"by\":-1,\"timer\":2,\"cause\":10,"),
            std::string::npos)
      << r.trace;
}

TEST(SimTraceTest, TraceFileEqualsTheInMemoryTrace) {
  const std::string path =
      std::string(std::getenv("TEST_TMPDIR") ? std::getenv("TEST_TMPDIR")
                                             : "/tmp") +
      "/sim_trace.jsonl";
  Options o;
  o.seed = 3;
  o.strategy = Strategy::kRandom;
  o.trace_path = path;
  Result file_run = run(o, Workload);
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  EXPECT_EQ(ss.str(), Traced(3, Strategy::kRandom).trace);
  EXPECT_TRUE(file_run.trace.empty());
}

// An observer installed before ours keeps receiving every event.
struct Counting : HubObserver {
  int switches = 0;
  int spawns = 0;
  void on_switch(const Greenlet&, const Greenlet&) override { ++switches; }
  void on_spawn(const Greenlet&, const Greenlet&) override { ++spawns; }
};

TEST(SimTraceTest, ChainsToAnObserverAlreadyInstalled) {
  Counting counting;
  Result r;
  run({}, [&] {
    Hub& hub = Hub::current();
    hub.set_observer(&counting);
    TraceRecorder rec(hub, TraceHeader{}, true, nullptr);
    rec.install(nullptr);
    Workload();
    rec.uninstall();
    EXPECT_EQ(hub.observer(), &counting);
    EXPECT_GT(rec.events(), 0u);
    hub.set_observer(nullptr);
  });
  EXPECT_EQ(counting.spawns, 3);
  EXPECT_GT(counting.switches, 10);
}

}  // namespace
}  // namespace eventlet::sim
