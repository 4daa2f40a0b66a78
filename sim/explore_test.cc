// Copyright 2026 The eventlet-cpp Authors.
//
// sim::explore finds the lost update of examples/sim/lost_update.cc, which
// eventlet's FIFO order hides, and the failing seed reproduces exactly.
#include "sim/explore.h"

#include <cstdlib>

#include "examples/sim/lost_update.h"
#include "gtest/gtest.h"
#include "sim/replay.h"
#include "sim/sim.h"

namespace eventlet::sim {
namespace {

TEST(ExploreTest, FifoHidesTheLostUpdate) {
  Result r = run({}, examples::LostUpdateScenario);
  EXPECT_TRUE(r.ok()) << r.summary();
}

TEST(ExploreTest, FindsTheLostUpdateAndTheSeedReproducesIt) {
  unsetenv("EVENTLET_SEED");
  ExploreOptions o;
  o.seeds = 50;
  ExploreResult found = explore(examples::LostUpdateScenario, o);
  ASSERT_TRUE(found.failed) << "no seed exposed the lost update";
  EXPECT_EQ(found.result.outcome, Outcome::kError);
  EXPECT_NE(found.result.error.find("lost update"), std::string::npos);
  EXPECT_NE(found.message.find("EVENTLET_SEED=" + std::to_string(found.seed)),
            std::string::npos);

  // The written trace replays exactly (same schedule, same failure).
  ReplayResult again =
      replay_file(found.trace_path, examples::LostUpdateScenario);
  EXPECT_TRUE(again.ok) << again.message;
  EXPECT_EQ(again.run.outcome, Outcome::kError);

  // EVENTLET_SEED runs exactly that seed.
  setenv("EVENTLET_SEED", std::to_string(found.seed).c_str(), 1);
  ExploreOptions quiet;
  quiet.quiet = true;
  ExploreResult one = explore(examples::LostUpdateScenario, quiet);
  unsetenv("EVENTLET_SEED");
  EXPECT_EQ(one.runs, 1);
  EXPECT_TRUE(one.failed);
  EXPECT_EQ(one.seed, found.seed);
}

TEST(ExploreTest, CorrectScenarioPassesEverySeed) {
  unsetenv("EVENTLET_SEED");
  ExploreOptions o;
  o.seeds = 30;
  ExploreResult r = explore([] { Result unused; }, o);
  EXPECT_FALSE(r.failed);
  EXPECT_EQ(r.runs, 30);
}

TEST(ExploreTest, SeedFlag) {
  char a0[] = "prog", a1[] = "--seed=42", a2[] = "--seed=x";
  char* ok[] = {a0, a1};
  char* bad[] = {a0, a2};
  EXPECT_EQ(seed_flag(2, ok), 42u);
  EXPECT_FALSE(seed_flag(2, bad).has_value());
  EXPECT_FALSE(seed_flag(1, ok).has_value());
}

}  // namespace
}  // namespace eventlet::sim
