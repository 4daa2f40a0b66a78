// Copyright 2026 The eventlet-cpp Authors.
//
// SIM_TEST's sweep: which cases it runs, that it catches a real ordering bug
// (examples/sim/lost_update) that fifo hides, and that the environment reruns
// exactly one case. The gtest-failure path and the printed report are covered
// by sim_gtest_report_test.sh.
#include "sim/sim_gtest.h"

#include <cstdlib>
#include <stdexcept>
#include <string>

#include "examples/sim/lost_update.h"
#include "greenthread/event.h"
#include "greenthread/greenthread.h"
#include "gtest/gtest.h"

namespace eventlet::sim {
namespace {

using internal::sim_test_cases;
using internal::sweep;
using internal::SweepResult;

void clear_env() {
  unsetenv("EVENTLET_SIM_STRATEGY");
  unsetenv("EVENTLET_SIM_SEED");
  unsetenv("EVENTLET_SIM_SEEDS");
}

TEST(SimTestCases, FifoThenTwentyRandomThenTwentyPct) {
  clear_env();
  auto cases = sim_test_cases({});
  ASSERT_EQ(cases.size(), 41u);
  EXPECT_EQ(cases[0].strategy, Strategy::kFifo);
  EXPECT_EQ(cases[1].strategy, Strategy::kRandom);
  EXPECT_EQ(cases[1].seed, 1u);
  EXPECT_EQ(cases[20].seed, 20u);
  EXPECT_EQ(cases[21].strategy, Strategy::kPct);
  EXPECT_EQ(cases[21].seed, 1u);
  EXPECT_EQ(cases[40].seed, 20u);
}

TEST(SimTestCases, SeedsFromTheEnvironmentAndFifoOnly) {
  clear_env();
  setenv("EVENTLET_SIM_SEEDS", "3", 1);
  EXPECT_EQ(sim_test_cases({}).size(), 7u);
  EXPECT_EQ(sim_test_cases({.sweep = false}).size(), 1u);
  setenv("EVENTLET_SIM_SEEDS", "three", 1);
  EXPECT_THROW(sim_test_cases({}), std::invalid_argument);
  clear_env();
}

TEST(SimTestCases, StrategyAndSeedSelectExactlyOneCase) {
  clear_env();
  setenv("EVENTLET_SIM_STRATEGY", "pct", 1);
  setenv("EVENTLET_SIM_SEED", "7", 1);
  auto cases = sim_test_cases({});
  ASSERT_EQ(cases.size(), 1u);
  EXPECT_EQ(cases[0].strategy, Strategy::kPct);
  EXPECT_EQ(cases[0].seed, 7u);
  // A fifo-only test keeps its one case.
  auto fifo_only = sim_test_cases({.sweep = false});
  ASSERT_EQ(fifo_only.size(), 1u);
  EXPECT_EQ(fifo_only[0].strategy, Strategy::kFifo);
  unsetenv("EVENTLET_SIM_SEED");
  EXPECT_THROW(sim_test_cases({}), std::invalid_argument);  // half set
  setenv("EVENTLET_SIM_SEED", "7", 1);
  setenv("EVENTLET_SIM_STRATEGY", "lifo", 1);
  EXPECT_THROW(sim_test_cases({}), std::invalid_argument);
  clear_env();
}

TEST(SimTestSweep, CatchesTheLostUpdateThatFifoHides) {
  clear_env();
  SweepResult fifo =
      sweep(sim_test_cases({.sweep = false}), {}, examples::LostUpdateScenario);
  EXPECT_FALSE(fifo.failed);
  EXPECT_EQ(fifo.runs, 1);

  SweepResult found =
      sweep(sim_test_cases({}), {}, examples::LostUpdateScenario);
  ASSERT_TRUE(found.failed) << "41 schedules missed the lost update";
  EXPECT_NE(found.failing.strategy, Strategy::kFifo);
  EXPECT_GT(found.runs, 1);
  EXPECT_EQ(found.result.outcome, Outcome::kError);
  EXPECT_NE(found.result.error.find("lost update"), std::string::npos);
  EXPECT_FALSE(found.gtest_failure);

  // The environment reruns exactly the failing case, and it fails again.
  setenv("EVENTLET_SIM_STRATEGY", strategy_name(found.failing.strategy), 1);
  setenv("EVENTLET_SIM_SEED", std::to_string(found.failing.seed).c_str(), 1);
  SweepResult again =
      sweep(sim_test_cases({}), {}, examples::LostUpdateScenario);
  clear_env();
  EXPECT_EQ(again.runs, 1);
  EXPECT_TRUE(again.failed);
  EXPECT_EQ(again.failing.strategy, found.failing.strategy);
  EXPECT_EQ(again.failing.seed, found.failing.seed);
  EXPECT_EQ(again.result.error, found.result.error);
}

TEST(SimTestSweep, DeadlocksAndLimitsFailInTheFirstCase) {
  clear_env();
  const auto cases = sim_test_cases({});
  SweepResult stuck = sweep(cases, {}, [] {
    Event<void> never;
    never.wait();
  });
  EXPECT_TRUE(stuck.failed);
  EXPECT_EQ(stuck.runs, 1);
  EXPECT_EQ(stuck.result.outcome, Outcome::kDeadlock);

  SweepResult spinning = sweep(cases, {.max_events = 1000}, [] {
    for (;;) sleep();
  });
  EXPECT_EQ(spinning.result.outcome, Outcome::kEventLimit);

  SweepResult slow = sweep(cases, {.max_time = absl::Seconds(1)},
                           [] { sleep(absl::Seconds(2)); });
  EXPECT_EQ(slow.result.outcome, Outcome::kTimeLimit);
  EXPECT_EQ(slow.failing.strategy, Strategy::kFifo);
}

// A SIM_TEST that passes in all 41 schedules: the deadlines, not the
// tie-breaker, order these wake-ups.
SIM_TEST(SimTestMacro, DeadlinesOrderWakeUpsInEverySchedule) {
  std::string order;
  auto late = spawn([&] {
    sleep(absl::Milliseconds(2));
    order += "late ";
  });
  auto early = spawn([&] {
    sleep(absl::Milliseconds(1));
    order += "early ";
  });
  late.wait();
  early.wait();
  EXPECT_EQ(order, "early late ");
}

}  // namespace
}  // namespace eventlet::sim
