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

// PCT: random priorities per greenthread, highest first. The lost update
// needs the auditor ahead of the depositor in two passes running; a priority
// order does that consistently, so PCT finds it within a few seeds.
TEST(PctTest, FindsTheLostUpdateWithinTenSeeds) {
  unsetenv("EVENTLET_SEED");
  ExploreOptions o;
  o.strategy = Strategy::kPct;
  o.seeds = 10;
  o.quiet = true;
  ExploreResult found = explore(examples::LostUpdateScenario, o);
  ASSERT_TRUE(found.failed) << "PCT missed the lost update in 10 seeds";
  EXPECT_LE(found.runs, 10);
  EXPECT_NE(found.result.error.find("lost update"), std::string::npos);
  // The failing PCT trace replays exactly (depth and horizon come from its
  // header).
  ReplayResult again =
      replay_file(found.trace_path, examples::LostUpdateScenario);
  EXPECT_TRUE(again.ok) << again.message;
  EXPECT_EQ(again.run.outcome, Outcome::kError);
}

TEST(PctTest, FindsItAtEveryDepthTried) {
  unsetenv("EVENTLET_SEED");
  for (int depth : {1, 2, 3, 5}) {
    ExploreOptions o;
    o.strategy = Strategy::kPct;
    o.pct_depth = depth;
    o.pct_horizon = 60;  // about the scenario's length in events
    o.seeds = 20;
    o.quiet = true;
    EXPECT_TRUE(explore(examples::LostUpdateScenario, o).failed)
        << "depth " << depth;
  }
}

Result PctTraced(std::uint64_t seed, int depth) {
  Options o;
  o.seed = seed;
  o.strategy = Strategy::kPct;
  o.pct_depth = depth;
  o.pct_horizon = 50;
  o.trace_in_memory = true;
  return run(o, examples::LostUpdateScenario);
}

TEST(PctTest, SameSeedSameTrace) {
  for (std::uint64_t seed = 1; seed <= 5; ++seed) {
    Result a = PctTraced(seed, 3);
    Result b = PctTraced(seed, 3);
    EXPECT_FALSE(a.trace.empty());
    EXPECT_EQ(a.trace, b.trace) << "seed " << seed;
    EXPECT_NE(a.trace.find("\"strategy\":\"pct\",\"build\":\"" +
                           std::string(kBuildId) +
                           "\",\"pct_depth\":3,\"pct_horizon\":50}"),
              std::string::npos)
        << a.trace.substr(0, 200);
    EXPECT_NE(a.trace.find("\"kind\":\"choose\""), std::string::npos);
  }
}

TEST(PctTest, SeedsGiveBothOrders) {
  // Depth 1 (no change point): the seed's priorities alone order every pass,
  // so some seeds keep eventlet's order and others lose the update.
  int ok = 0, lost = 0;
  for (std::uint64_t seed = 1; seed <= 16; ++seed) {
    (PctTraced(seed, 1).ok() ? ok : lost)++;
  }
  EXPECT_GT(ok, 0);
  EXPECT_GT(lost, 0);
}

TEST(ExploreTest, AllSeedsListsEveryFailureAndCreatesTheDirectory) {
  unsetenv("EVENTLET_SEED");
  const std::string dir =
      std::string(std::getenv("TEST_TMPDIR")) + "/not/there/yet";
  ExploreOptions o;
  o.seeds = 20;
  o.all_seeds = true;
  o.quiet = true;
  o.name = "lost";
  o.trace_dir = dir;
  ExploreResult r = explore(examples::LostUpdateScenario, o);
  EXPECT_EQ(r.runs, 20);
  ASSERT_GE(r.failures.size(), 2u);
  EXPECT_EQ(r.failures.front().seed, r.seed);
  for (const ExploreFailure& f : r.failures) {
    EXPECT_EQ(f.trace_path,
              dir + "/lost.random.seed-" + std::to_string(f.seed) + ".jsonl");
    EXPECT_EQ(f.outcome.result, "error");
    ReplayResult again =
        replay_file(f.trace_path, examples::LostUpdateScenario);
    EXPECT_TRUE(again.ok) << again.message;
  }
}

TEST(ExploreTest, FixedScenarioPassesEverySeed) {
  unsetenv("EVENTLET_SEED");
  for (Strategy s : {Strategy::kRandom, Strategy::kPct}) {
    ExploreOptions o;
    o.seeds = 50;
    o.strategy = s;
    ExploreResult r = explore(examples::FixedLostUpdateScenario, o);
    EXPECT_FALSE(r.failed) << strategy_name(s) << ": " << r.message;
    EXPECT_EQ(r.runs, 50);
  }
}

}  // namespace
}  // namespace eventlet::sim
