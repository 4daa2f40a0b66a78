// Copyright 2026 The eventlet-cpp Authors.
//
// explore.h: run a scenario under many seeds to find an unlucky interleaving.
//
//   TEST(Counter, NoLostUpdate) {
//     auto r = sim::explore([] { RunCounterScenario(); }, {.seeds = 200});
//     EXPECT_FALSE(r.failed) << r.message;
//   }
//
// Each seed runs the scenario with sim::run (strategy kRandom by default, or
// kPct with its depth and horizon; untraced, so exploring is fast). A seed
// fails when the scenario throws, deadlocks or hits a limit. A failing seed
// is run again with tracing, and its trace written to
// <trace_dir>/<name>.<strategy>.seed-<S>.jsonl (trace_dir is created if
// missing). By default explore() then prints the seed, the failure and the
// path to stderr, and stops; with `all_seeds` it goes on and lists every
// failing seed in ExploreResult::failures. The environment variable
// EVENTLET_SEED=S (or ExploreOptions::only_seed) runs exactly that seed
// instead, to reproduce a failure. A trace replays (sim::replay) and shrinks
// (sim::shrink); sim/cli.h gives a program flags for all of this.
//
// Coverage. Each run's decisions hash to Result::schedule_hash; explore()
// counts the distinct ones over its seeds (ExploreResult::distinct_schedules)
// and, if the scenario registers a sim::StateHash (sim/invariant.h), the
// distinct states seen at pass boundaries over all seeds. Unless quiet, it
// prints one line at the end to stderr:
//
//   $ sim::explore: 100 seeds, 37 distinct schedules, 12 distinct states
//
// (", K distinct states" only when a StateHash was seen). With
// `stop_after_stale` = W > 0, it stops once W seeds in a row added no new
// schedule (ExploreResult::stopped_early): the scenario has few schedules
// and more seeds would only repeat them.
#ifndef EVENTLET_SIM_EXPLORE_H_
#define EVENTLET_SIM_EXPLORE_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "sim/sim.h"

namespace eventlet::sim {

struct ExploreOptions {
  int seeds = 100;  // how many seeds: first_seed, first_seed+1...
  std::uint64_t first_seed = 1;
  std::optional<std::uint64_t> only_seed;  // overrides; else EVENTLET_SEED
  Strategy strategy = Strategy::kRandom;
  // Where failing traces go; "" = $TEST_UNDECLARED_OUTPUTS_DIR, else
  // $TEST_TMPDIR, else /tmp.
  std::string trace_dir;
  absl::Duration max_time = absl::ZeroDuration();  // per run, as Options
  std::uint64_t max_events = 10'000'000;           // per run, as Options
  int pct_depth = 3;                               // strategy kPct, as Options
  std::uint64_t pct_horizon = 1000;                // strategy kPct, as Options
  FaultOptions faults;  // every run's seeded faults, as Options (sim/faults.h)
  bool quiet = false;   // do not print the failure
  bool all_seeds = false;        // go on after a failure: every failing seed
  std::string name = "explore";  // trace file names start with it
  // Stop once this many seeds in a row brought no new schedule (0: never).
  int stop_after_stale = 0;
};

struct ExploreFailure {
  std::uint64_t seed = 0;
  TraceOutcome outcome;
  std::string trace_path;
};

struct ExploreResult {
  bool failed = false;
  std::uint64_t seed = 0;  // the first failing seed
  int runs = 0;            // seeds tried
  Result result;           // the first failing run (traced)
  std::string trace_path;  // where its trace was written
  std::string message;     // seed, failure, trace path, how to reproduce
  std::vector<ExploreFailure> failures;  // every failing seed, in order
  // Coverage over the seeds run (see above).
  std::size_t distinct_schedules = 0;
  std::size_t distinct_states = 0;
  bool states_tracked = false;  // some run registered a StateHash
  bool stopped_early = false;   // stop_after_stale ended it
  // "N seeds, M distinct schedules[, K distinct states]".
  std::string coverage() const;
};

ExploreResult explore(const std::function<void()>& scenario,
                      const ExploreOptions& options = {});

// Where tests write traces: $TEST_UNDECLARED_OUTPUTS_DIR (bazel keeps it in
// bazel-testlogs/.../test.outputs/), else $TEST_TMPDIR, else /tmp.
std::string test_output_dir();

}  // namespace eventlet::sim

#endif  // EVENTLET_SIM_EXPLORE_H_
