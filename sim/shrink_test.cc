// Copyright 2026 The eventlet-cpp Authors.
//
// The shrinker on examples/sim/lost_update: every failing schedule that
// exploring finds shrinks to exactly one preemption, replays to the same
// failure, and a fixed program replayed against it reports the outcome
// difference. And: a driven run takes the network's draws from the trace,
// not from its seed.
#include "sim/shrink.h"

#include <string>
#include <vector>

#include "absl/time/time.h"
#include "examples/sim/lost_update.h"
#include "green_net/address.h"
#include "green_net/socket.h"
#include "greenthread/greenthread.h"
#include "gtest/gtest.h"
#include "sim/datagram_burst_for_test.h"
#include "sim/decisions.h"
#include "sim/explore.h"
#include "sim/replay.h"
#include "sim/sim.h"
#include "sim/sim_net.h"
#include "sim/trace.h"

namespace eventlet::sim {
namespace {

// The failing traces of seeds 1..n of `strategy`, in memory.
std::vector<std::string> FailingTraces(Strategy strategy, int n) {
  std::vector<std::string> traces;
  for (int seed = 1; seed <= n; ++seed) {
    Options o;
    o.seed = static_cast<std::uint64_t>(seed);
    o.strategy = strategy;
    o.trace_in_memory = true;
    Result r = run(o, examples::LostUpdateScenario);
    if (!r.ok()) traces.push_back(std::move(r.trace));
  }
  return traces;
}

std::size_t Preemptions(const std::string& trace) {
  ParsedTrace p;
  TraceError e;
  EXPECT_TRUE(parse_trace(trace, &p, &e)) << e.to_string();
  return decisions_from_trace(p).preemptions();
}

TEST(ShrinkTest, LostUpdateShrinksToOnePreemption) {
  for (Strategy strategy : {Strategy::kRandom, Strategy::kPct}) {
    const std::vector<std::string> failing = FailingTraces(strategy, 30);
    ASSERT_GE(failing.size(), 3u) << strategy_name(strategy);
    bool some_had_more = false;
    for (const std::string& trace : failing) {
      const ShrinkResult r = shrink(trace, examples::LostUpdateScenario);
      ASSERT_TRUE(r.ok) << r.message;
      EXPECT_FALSE(r.exhausted);
      EXPECT_EQ(r.preemptions_after, 1u) << r.message;
      EXPECT_EQ(Preemptions(r.trace), 1u);
      EXPECT_EQ(r.preemptions_before, Preemptions(trace));
      EXPECT_LE(r.events_after, r.events_before);
      EXPECT_EQ(r.outcome.result, "error");
      EXPECT_NE(r.outcome.message.find("lost update"), std::string::npos);
      some_had_more |= r.preemptions_before > 1;

      // The minimal trace replays, failing the same way...
      const ReplayResult again = replay(r.trace, examples::LostUpdateScenario);
      EXPECT_TRUE(again.ok) << again.message;
      EXPECT_EQ(again.actual_outcome, r.outcome);
      // ...and against the fixed program, the outcome differs.
      const ReplayResult fixed =
          replay(r.trace, examples::FixedLostUpdateScenario);
      EXPECT_FALSE(fixed.ok);
      EXPECT_TRUE(fixed.outcome_differs);
      EXPECT_EQ(fixed.actual_outcome.result, "ok");
      EXPECT_EQ(fixed.message.rfind("outcome differs: expected error", 0), 0u)
          << fixed.message;
    }
    EXPECT_TRUE(some_had_more)
        << strategy_name(strategy) << ": no trace had anything to shrink";
  }
}

TEST(ShrinkTest, ExplainsWhatItCannotShrink) {
  Options o;
  o.strategy = Strategy::kRandom;
  o.seed = 1;
  o.trace_in_memory = true;
  const std::string ok = run(o, examples::FixedLostUpdateScenario).trace;
  ShrinkResult r = shrink(ok, examples::FixedLostUpdateScenario);
  EXPECT_FALSE(r.ok);
  EXPECT_NE(r.message.find("nothing to shrink"), std::string::npos);
  // A failing trace whose program no longer fails does not reproduce.
  const std::string failing = FailingTraces(Strategy::kRandom, 10).at(0);
  r = shrink(failing, examples::FixedLostUpdateScenario);
  EXPECT_FALSE(r.ok);
  EXPECT_NE(r.message.find("do not reproduce"), std::string::npos) << r.message;
  r = shrink("not a trace\n", examples::LostUpdateScenario);
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.message.rfind("rejected: trace line 1", 0), 0u) << r.message;
}

TEST(ShrinkTest, TheRunBudgetIsHonoured) {
  const std::string failing = FailingTraces(Strategy::kRandom, 30).at(0);
  ShrinkOptions o;
  o.max_runs = 1;  // only the reproduction run
  const ShrinkResult r = shrink(failing, examples::LostUpdateScenario, o);
  EXPECT_TRUE(r.exhausted || r.preemptions_before <= 1) << r.message;
  EXPECT_LE(r.runs, 3);
}

// 20 datagrams 300 us apart over a lossy, jittery link.
void Datagrams() {
  SendDatagramBurst({absl::Milliseconds(1), absl::Milliseconds(4), 0.3}, 20,
                    absl::Microseconds(300), absl::Milliseconds(50), "x");
}

// A trace's event lines without their hashes (which chain from the header,
// where the seed is).
std::vector<std::string> Events(const std::string& trace) {
  ParsedTrace p;
  TraceError e;
  EXPECT_TRUE(parse_trace(trace, &p, &e)) << e.to_string();
  std::vector<std::string> out;
  for (std::size_t i = 1; i < p.lines.size(); ++i) {
    out.push_back(p.lines[i].substr(0, p.lines[i].rfind(",\"h\":")));
  }
  return out;
}

TEST(DecisionsTest, ADrivenRunTakesTheNetworksDrawsFromTheTrace) {
  Options o;
  o.seed = 7;
  o.trace_in_memory = true;
  const Result recorded = run(o, Datagrams);
  ASSERT_TRUE(recorded.ok()) << recorded.summary();
  ASSERT_NE(recorded.trace.find("\"reason\":\"loss\""), std::string::npos);
  ASSERT_NE(recorded.trace.find("\"jitter\":"), std::string::npos);
  ParsedTrace p;
  TraceError e;
  ASSERT_TRUE(parse_trace(recorded.trace, &p, &e));
  const Decisions d = decisions_from_trace(p);
  EXPECT_FALSE(d.losses.empty());
  EXPECT_FALSE(d.jitters.empty());

  // Another seed draws otherwise...
  o.seed = 8;
  EXPECT_NE(Events(run(o, Datagrams).trace), Events(recorded.trace));
  // ...unless driven by the recorded draws.
  o.decisions = &d;
  EXPECT_EQ(Events(run(o, Datagrams).trace), Events(recorded.trace));
  // Edited draws change the run: no loss, no jitter.
  Decisions calm = d;
  calm.losses.clear();
  calm.jitters.clear();
  o.decisions = &calm;
  const std::string trace = run(o, Datagrams).trace;
  EXPECT_EQ(trace.find("\"reason\":\"loss\""), std::string::npos);
  EXPECT_NE(trace.find("\"jitter\":0,"), std::string::npos);
}

}  // namespace
}  // namespace eventlet::sim
