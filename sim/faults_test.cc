// Copyright 2026 The eventlet-cpp Authors.
//
// The simulator's faults on purpose, end to end under sim::run: each network
// fault, EVENTLET_BUGGIFY and a broken invariant shows in the trace and
// replays byte-identically (sim::replay, driven by the trace's decisions);
// with every fault off, a run draws and traces exactly what it did before.
#include <cstdint>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "green_net/address.h"
#include "green_net/convenience.h"
#include "green_net/socket.h"
#include "greenthread/greenthread.h"
#include "gtest/gtest.h"
#include "sim/buggify.h"
#include "sim/datagram_burst_for_test.h"
#include "sim/explore.h"
#include "sim/invariant.h"
#include "sim/replay.h"
#include "sim/sim.h"
#include "sim/sim_net.h"
#include "sim/step.h"
#include "sim/timeline.h"
#include "sim/trace.h"

namespace eventlet::sim {
namespace {

// A client sends 20 short messages to an echo server over `link`, 1 ms
// apart, and stops at the first error; with `reset_at` > 0 the test resets
// the client's connection itself after that many messages.
void Echo(const LinkOptions& link, int reset_at) {
  network().set_link("10.0.0.1", "10.0.0.2", link);
  net::Socket server = net::listen(*net::Address::parse("10.0.0.2:80"));
  auto echo = spawn([&server] {
    net::Socket conn = server.accept();
    net::error_code ec;
    for (std::string got; got = conn.recv(64, ec), !ec && !got.empty();) {
      conn.send(got, ec);
      if (ec) return;
    }
  });
  net::Socket client = net::connect(*net::Address::parse("10.0.0.2:80"));
  net::error_code ec;
  for (int i = 0; i < 20 && !ec; ++i) {
    if (i == reset_at) network().reset_connection(client.fd());
    client.send("m" + std::to_string(i), ec);
    if (!ec) client.recv(64, ec);
    eventlet::sleep(absl::Milliseconds(1));
  }
  client.close();
  echo.wait();
}

// 30 datagrams 100 us apart over `link`.
void Datagrams(const LinkOptions& link) {
  SendDatagramBurst(link, 30, absl::Microseconds(100), absl::Milliseconds(20),
                    "d");
}

Result Record(std::uint64_t seed, const std::function<void()>& fn) {
  Options o;
  o.seed = seed;
  o.strategy = Strategy::kRandom;
  o.trace_in_memory = true;
  return run(o, fn);
}

// Records `fn`, checks its trace has `needle`, and that the trace replays
// byte for byte.
void ExpectTracedAndReplayed(const std::function<void()>& fn,
                             const std::string& needle,
                             std::uint64_t seed = 5) {
  const Result recorded = Record(seed, fn);
  ASSERT_NE(recorded.trace.find(needle), std::string::npos)
      << needle << " not in the trace; outcome " << recorded.summary();
  ParsedTrace parsed;
  TraceError error;
  ASSERT_TRUE(parse_trace(recorded.trace, &parsed, &error))
      << error.to_string();
  const ReplayResult again = replay(recorded.trace, fn);
  EXPECT_TRUE(again.ok) << again.message;
  EXPECT_EQ(again.run.trace, recorded.trace);
}

TEST(FaultsTest, AResetByCallIsTracedAndReplays) {
  ExpectTracedAndReplayed([] { Echo({}, 5); }, R"("kind":"net_reset","fd":)");
  const Result r = Record(5, [] { Echo({}, 5); });
  EXPECT_NE(r.trace.find(R"("reason":"reset")"), std::string::npos);
}

TEST(FaultsTest, AResetRateIsTracedAndReplays) {
  LinkOptions l;
  l.jitter = absl::Microseconds(50);
  l.reset = 0.1;
  ExpectTracedAndReplayed([l] { Echo(l, -1); }, R"("reason":"chance")");
}

TEST(FaultsTest, DuplicationIsTracedAndReplays) {
  LinkOptions l;
  l.jitter = absl::Microseconds(300);
  l.duplicate = 0.2;
  ExpectTracedAndReplayed([l] { Datagrams(l); }, R"("kind":"net_duplicate")");
}

TEST(FaultsTest, ReorderingIsTracedAndReplays) {
  LinkOptions l;
  l.reorder = 0.2;
  l.reorder_delay = absl::Milliseconds(1);
  ExpectTracedAndReplayed([l] { Datagrams(l); }, R"("kind":"net_reorder")");
}

TEST(FaultsTest, AScheduledPartitionIsTracedAndReplays) {
  auto fn = [] {
    network().schedule_partition("10.0.0.2", "10.0.0.1", absl::Milliseconds(3),
                                 absl::Milliseconds(6), /*one_way=*/true);
    Echo({}, -1);
  };
  ExpectTracedAndReplayed(fn, R"("kind":"net_partition")");
  const Result r = Record(5, fn);
  EXPECT_NE(r.trace.find(R"("kind":"net_heal","src":"10.0.0.2",)"
                         R"("dst":"10.0.0.1","reason":"schedule")"),
            std::string::npos);
}

// The stepper describes each fault and keeps the network's view; the
// timeline gives each kind its own glyph.
TEST(FaultsTest, TheStepperAndTimelineShowFaults) {
  LinkOptions l;
  l.duplicate = 0.3;
  const Result r = Record(5, [l] {
    network().schedule_partition("10.0.0.1", "10.0.0.2", absl::Milliseconds(1),
                                 absl::Milliseconds(2));
    Datagrams(l);
    Echo({}, 3);
  });
  ParsedTrace parsed;
  TraceError error;
  ASSERT_TRUE(parse_trace(r.trace, &parsed, &error)) << error.to_string();
  StepTrace trace;
  ASSERT_TRUE(load_step_trace(parsed, &trace, &error)) << error.to_string();
  std::vector<std::string> seen;
  std::string cut_view;
  Stepper stepper(trace);
  for (const StepEvent& e : trace.events) {
    if (e.kind.rfind("net_", 0) != 0 || e.kind == "net_send" ||
        e.kind == "net_deliver" || e.kind == "net_drop") {
      continue;
    }
    if (seen.empty() || seen.back().rfind(e.kind, 0) != 0) {
      seen.push_back(e.kind + ": " + describe_event(e));
    }
    if (e.kind == "net_partition" && cut_view.empty()) {
      stepper.go_to(e.seq);
      cut_view = stepper.net_view();
    }
  }
  std::string all;
  for (const std::string& s : seen) all += s + "\n";
  EXPECT_NE(all.find("net_partition: 10.0.0.1 -> 10.0.0.2 cut (schedule)"),
            std::string::npos)
      << all;
  EXPECT_NE(cut_view.find("; 10.0.0.1 -> 10.0.0.2 cut since #"),
            std::string::npos)
      << cut_view;
  EXPECT_NE(all.find("net_duplicate: packet "), std::string::npos) << all;
  EXPECT_NE(all.find("net_heal: 10.0.0.1 -> 10.0.0.2 healed (schedule)"),
            std::string::npos)
      << all;
  EXPECT_NE(all.find("10.0.0.2 reset (reset)"), std::string::npos) << all;
  const std::string html = timeline_html(trace, "faults");
  EXPECT_NE(html.find("net_reset: 'Z'"), std::string::npos);
}

// A retry loop whose timeout buggify shortens.
void Buggified() {
  int shortened = 0;
  for (int i = 0; i < 40; ++i) {
    absl::Duration timeout = absl::Milliseconds(10);
    if (EVENTLET_BUGGIFY) {
      timeout = absl::Milliseconds(1);
      ++shortened;
    }
    if (EVENTLET_BUGGIFY) eventlet::sleep();  // another site
    eventlet::sleep(timeout);
  }
}

TEST(FaultsTest, BuggifyIsTracedNamingItsSiteAndReplays) {
  // The first seed that activates a site (each is active in about a quarter
  // of the runs).
  std::uint64_t seed = 1;
  while (Record(seed, Buggified).trace.find("buggify") == std::string::npos) {
    ASSERT_LT(++seed, 30u);
  }
  ExpectTracedAndReplayed(
      Buggified, R"("kind":"buggify","site":"sim/faults_test.cc:)", seed);
}

TEST(FaultsTest, BuggifyIsFalseOutsideSimulationAndWhenOff) {
  EXPECT_FALSE(EVENTLET_BUGGIFY);
  Options o;
  o.buggify = false;
  o.trace_in_memory = true;
  EXPECT_EQ(run(o, Buggified).trace.find("buggify"), std::string::npos);
  o.buggify = true;
  o.buggify_activation = 1;
  o.buggify_firing = 1;
  int fired = 0;
  run(o, [&fired] {
    for (int i = 0; i < 10; ++i) fired += EVENTLET_BUGGIFY ? 1 : 0;
  });
  EXPECT_EQ(fired, 10);
  o.buggify_firing = 2;
  EXPECT_THROW(run(o, [] {}), std::invalid_argument);
}

// Two sites, one line each.
bool SiteA() { return EVENTLET_BUGGIFY; }
bool SiteB() { return EVENTLET_BUGGIFY; }

TEST(FaultsTest, SitesAreActivatedPerRunFromTheSeedWhateverTheOrder) {
  Options o;
  o.buggify_firing = 1;  // an active site is always true
  int active = 0;
  for (std::uint64_t seed = 1; seed <= 40; ++seed) {
    o.seed = seed;
    bool a1 = false, b1 = false, a2 = false, b2 = false;
    run(o, [&] {
      a1 = SiteA();
      b1 = SiteB();
    });
    run(o, [&] {
      b2 = SiteB();
      a2 = SiteA();
    });
    EXPECT_EQ(a1, a2) << "seed " << seed;
    EXPECT_EQ(b1, b2) << "seed " << seed;
    active += a1 ? 1 : 0;
  }
  // About a quarter of the runs (activation 0.25).
  EXPECT_GT(active, 2);
  EXPECT_LT(active, 25);
}

// Two greenthreads move money between accounts; the transfer is not atomic
// (it yields between the debit and the credit), so an invariant checked at
// pass boundaries sees the money in flight.
void Transfers() {
  int a = 100, b = 0;
  Invariant conserved("money is conserved", [&] { return a + b == 100; });
  auto mover = spawn([&] {
    for (int i = 0; i < 3; ++i) {
      a -= 10;
      eventlet::sleep();
      b += 10;
    }
  });
  mover.wait();
}

TEST(FaultsTest, ABrokenInvariantEndsTheRunNamingIt) {
  const Result r = Record(1, Transfers);
  EXPECT_EQ(r.outcome, Outcome::kInvariant) << r.summary();
  EXPECT_EQ(r.invariant, "money is conserved");
  EXPECT_EQ(r.traced_outcome.result, "invariant");
  EXPECT_EQ(r.traced_outcome.message,
            "\"money is conserved\" does not hold: returned false");
  EXPECT_NE(r.trace.find(R"("kind":"invariant","name":"money is conserved")"),
            std::string::npos);
  const ReplayResult again = replay(r.trace, Transfers);
  EXPECT_TRUE(again.ok) << again.message;
  // Untraced runs stop the same way.
  EXPECT_EQ(run({}, Transfers).outcome, Outcome::kInvariant);
}

TEST(FaultsTest, InvariantsThatHoldCostNothingButAreChecked) {
  int checks = 0;
  const Result r = run({}, [&checks] {
    Invariant counted("counted", [&checks] { return ++checks > 0; });
    for (int i = 0; i < 5; ++i) eventlet::sleep();
    EXPECT_TRUE(check_invariants());
  });
  EXPECT_TRUE(r.ok()) << r.summary();
  EXPECT_GE(checks, 6) << "each pass and the call";
  EXPECT_TRUE(check_invariants()) << "outside a simulation";
}

TEST(FaultsTest, ExploreCountsDistinctSchedulesAndStates) {
  auto scenario = [] {
    int turns = 0;
    StateHash state([&turns] { return static_cast<std::uint64_t>(turns); });
    auto a = spawn([&turns] { turns = turns * 2 + 1; });
    auto b = spawn([&turns] { turns = turns * 2 + 2; });
    a.wait();
    b.wait();
  };
  ExploreOptions o;
  o.seeds = 30;
  o.quiet = true;
  const ExploreResult r = explore(scenario, o);
  EXPECT_FALSE(r.failed);
  EXPECT_EQ(r.runs, 30);
  EXPECT_EQ(r.distinct_schedules, 2u) << "a first or b first";
  EXPECT_TRUE(r.states_tracked);
  // Both run in the first pass: 0 before it, then 4 (a first) or 5.
  EXPECT_EQ(r.distinct_states, 3u);
  EXPECT_EQ(r.coverage(), "30 seeds, 2 distinct schedules, 3 distinct states");

  o.stop_after_stale = 5;
  const ExploreResult early = explore(scenario, o);
  EXPECT_TRUE(early.stopped_early);
  EXPECT_LT(early.runs, 30);
  EXPECT_EQ(early.distinct_schedules, 2u);
}

}  // namespace
}  // namespace eventlet::sim
