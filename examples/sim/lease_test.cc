// Copyright 2026 The eventlet-cpp Authors.
//
// The leader lease of lease.h under exploration (tutorial 9): its lost write
// is found within 200 seeds, takes both a restart and clock skew, needs no
// preemption (the shrinker removes every one) and replays from its trace;
// the fixed lock server survives exploration.
#include "examples/sim/lease.h"

#include <string>

#include "gtest/gtest.h"
#include "sim/explore.h"
#include "sim/replay.h"
#include "sim/shrink.h"

namespace eventlet::examples {
namespace {

using sim::explore;
using sim::ExploreOptions;
using sim::ExploreResult;

ExploreOptions exploring(int seeds, const sim::FaultOptions& faults) {
  ExploreOptions o;
  o.seeds = seeds;
  o.faults = faults;
  o.quiet = true;
  o.name = "lease";
  return o;
}

TEST(Lease, ExploringFindsTheLostWriteWithin200Seeds) {
  const ExploreResult found =
      explore(LeaseScenario, exploring(200, LeaseFaults()));
  ASSERT_TRUE(found.failed) << "no seed among 200 lost a write";
  EXPECT_TRUE(found.result.error.starts_with("lost write: "))
      << found.result.error;

  std::string trace;
  sim::TraceError error;
  ASSERT_TRUE(sim::read_trace_file(found.trace_path, &trace, &error))
      << error.to_string();
  EXPECT_NE(trace.find("\"kind\":\"host_restart\",\"host\":\"10.0.0.1\""),
            std::string::npos)
      << "the lock server did not restart in " << found.trace_path;

  // No preemption is needed: the faults drawn from the seed do it all.
  const sim::ShrinkResult shrunk = sim::shrink(trace, LeaseScenario);
  ASSERT_TRUE(shrunk.ok) << shrunk.message;
  EXPECT_EQ(shrunk.preemptions_after, 0u);
  EXPECT_TRUE(sim::replay(shrunk.trace, LeaseScenario).ok);
  const sim::ReplayResult fixed = sim::replay(shrunk.trace, FixedLeaseScenario);
  EXPECT_FALSE(fixed.ok);
  EXPECT_FALSE(fixed.bad_trace);
}

TEST(Lease, ItTakesARestartAndClockSkew) {
  sim::FaultOptions no_skew = LeaseFaults();
  no_skew.clock_offset_bound = absl::ZeroDuration();
  ExploreResult r = explore(LeaseScenario, exploring(200, no_skew));
  EXPECT_FALSE(r.failed) << "restarts alone: " << r.message;

  sim::FaultOptions no_crashes = LeaseFaults();
  no_crashes.host_crash_rate = 0;
  r = explore(LeaseScenario, exploring(200, no_crashes));
  EXPECT_FALSE(r.failed) << "clock skew alone: " << r.message;
}

// Tutorial 9 runs 2,000 seeds (./bazelw run //examples/sim:lease -- --fixed
// --explore=2000); CI runs the first 500.
TEST(Lease, TheFixedLockServerSurvives500Seeds) {
  const ExploreResult r =
      explore(FixedLeaseScenario, exploring(500, LeaseFaults()));
  EXPECT_FALSE(r.failed) << r.message;
  EXPECT_EQ(r.runs, 500);
}

}  // namespace
}  // namespace eventlet::examples
