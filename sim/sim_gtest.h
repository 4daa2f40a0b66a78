// Copyright 2026 The eventlet-cpp Authors.
//
// sim_gtest.h: gtest tests that run on the simulated clock under many
// schedules (a seed sweep).
//
//   SIM_TEST(Counter, NoLostUpdate) {
//     int balance = 0;
//     ...spawn depositors, wait for them...
//     EXPECT_EQ(balance, 2);
//   }
//
// SIM_TEST(Suite, Name) defines TEST(Suite, Name) whose body runs under
// sim::run (sim/sim.h): once with Strategy::kFifo (eventlet's own order), then
// for seeds 1..N with kRandom and seeds 1..N with kPct, N from the environment
// variable EVENTLET_SIM_SEEDS (default 20). Each case is a fresh simulation
// (a new hub at virtual time 0), so the body must set up everything it uses.
//
// A case fails when the body throws, deadlocks, hits a limit (see
// SimTestOptions) or records a gtest failure (EXPECT_*/ASSERT_* in the body
// and in greenthreads it spawns; they run on sim::run's thread, which gtest
// allows). The sweep stops at the first failing case, runs it again traced,
// writes the trace to $TEST_UNDECLARED_OUTPUTS_DIR (else $TEST_TMPDIR, else
// /tmp) as <Suite>.<Name>.<strategy>-<seed>.jsonl, and prints the strategy,
// seed, outcome, trace path and a command that reruns exactly that case.
//
// Rerun one case: with EVENTLET_SIM_STRATEGY=fifo|random|pct and
// EVENTLET_SIM_SEED=S both set, every SIM_TEST runs only that case (a
// fifo-only test, see below, runs its fifo case):
//   ./bazelw test //pool:green_pool_test --test_filter=GreenPool.Spawn
//     --test_env=EVENTLET_SIM_STRATEGY=random --test_env=EVENTLET_SIM_SEED=7
// (one line; the failure report prints it ready to paste).
//
// Replay or shrink the failing case's trace (sim/replay.h, sim/shrink.h), as
// the failure report prints ready to paste:
//   EVENTLET_SIM_REPLAY=/abs/path.jsonl  runs the test's body driven by the
//     trace's decisions and compares (a difference is a test failure);
//   EVENTLET_SIM_SHRINK=/abs/path.jsonl  shrinks it to the fewest
//     preemptions and writes <name>.min.jsonl beside the failing trace (into
//     $TEST_UNDECLARED_OUTPUTS_DIR under bazel), reported as a test failure
//     (the body does fail in that schedule).
// For these, a gtest assertion that fails in the body is the run's outcome:
// "error" with the message "gtest failure at FILE:LINE" (the first one).
//
// SIM_TEST_OPTS(Suite, Name, designated initializers of SimTestOptions) does
// the same with per-test options, e.g.
//   SIM_TEST_OPTS(GreenPool, SpawnOrder, .sweep = false) { ... }
//   SIM_TEST_OPTS(Pool, LongRun, .max_time = absl::Hours(2)) { ... }
//
// What kRandom and kPct vary: the order of each hub pass's zero-delay
// wake-ups (spawns, sleep(0), wake-ups by Event/Queue/Semaphore). Timers with
// different deadlines keep their order. A test that asserts eventlet's exact
// FIFO order of such wake-ups asserts fifo's order only: give it
// `.sweep = false`. Everything else should hold in every schedule.
#ifndef EVENTLET_SIM_SIM_GTEST_H_
#define EVENTLET_SIM_SIM_GTEST_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "sim/sim.h"

namespace eventlet::sim {

struct SimTestOptions {
  // false: run the fifo case only (the body asserts eventlet's FIFO order).
  bool sweep = true;
  // Per case: stop as a failure when virtual time would pass this
  // (absl::ZeroDuration(): no limit) or after this many hub events (0: no
  // limit; the default catches a greenthread that never stops).
  absl::Duration max_time = absl::ZeroDuration();
  std::uint64_t max_events = 10'000'000;
  // Strategy kPct, as sim::Options.
  int pct_depth = 3;
  std::uint64_t pct_horizon = 1000;
};

// One schedule of a sweep.
struct SimCase {
  Strategy strategy = Strategy::kFifo;
  std::uint64_t seed = 0;  // 0 for fifo
};

namespace internal {

// The cases SIM_TEST runs, in order: the one named by EVENTLET_SIM_STRATEGY
// and EVENTLET_SIM_SEED if both are set (for a test with options.sweep false,
// only if it names fifo: such a test has no other case); else fifo, then
// random 1..N, then pct 1..N (N = EVENTLET_SIM_SEEDS, default 20) when
// options.sweep, else fifo only. Throws std::invalid_argument for a malformed
// or half-set environment.
std::vector<SimCase> sim_test_cases(const SimTestOptions& options);

// What a sweep found.
struct SweepResult {
  bool failed = false;
  int runs = 0;                // cases run (including the failing one)
  SimCase failing;             // the first failing case
  Result result;               // its run (outcome ok if only gtest failed)
  bool gtest_failure = false;  // the case recorded a gtest failure
};

// Runs `body` under sim::run for each case in order, stopping at the first
// failing one (see the file comment). A gtest failure counts only if it was
// recorded in the current gtest test during that case. Does not trace, write
// or print anything.
SweepResult sweep(const std::vector<SimCase>& cases,
                  const SimTestOptions& options,
                  const std::function<void()>& body);

// A failure to report: which test, which case, what happened, the trace.
struct SimTestFailure {
  std::string suite;
  std::string name;
  SweepResult sweep;
  std::string trace_path;   // "" if the trace could not be written
  std::string trace_error;  // why not
};

// Prints the failure report to stderr: the failing strategy and seed, the
// outcome (and the deadlock report), the trace path and the command that
// reruns exactly that case (./bazelw test $TEST_TARGET ... under bazel,
// else this binary with the environment). Returns the command.
std::string report_sim_test_failure(const SimTestFailure& failure);

// Runs `body` under `options` with the gtest failures it records
// intercepted (not counted in the running test) and turned into its outcome:
// std::runtime_error("gtest failure at FILE:LINE") thrown once it returns.
// Result::trace etc. as sim::run.
Result run_with_failures_as_outcome(const Options& options,
                                    const std::function<void()>& body);

// The body of every SIM_TEST: sweeps, and on a failure writes the trace of
// the failing case, reports it and records a gtest failure at file:line.
void run_sim_test(const char* suite, const char* name, const char* file,
                  int line, const SimTestOptions& options,
                  const std::function<void()>& body);

}  // namespace internal
}  // namespace eventlet::sim

#define SIM_TEST_OPTS(suite, name, ...)               \
  static void suite##_##name##_SimBody();             \
  TEST(suite, name) {                                 \
    ::eventlet::sim::internal::run_sim_test(          \
        #suite, #name, __FILE__, __LINE__,            \
        ::eventlet::sim::SimTestOptions{__VA_ARGS__}, \
        &suite##_##name##_SimBody);                   \
  }                                                   \
  static void suite##_##name##_SimBody()

#define SIM_TEST(suite, name) SIM_TEST_OPTS(suite, name)

#endif  // EVENTLET_SIM_SIM_GTEST_H_
