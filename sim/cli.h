// Copyright 2026 The eventlet-cpp Authors.
//
// cli.h: one command line for every simulated program.
//
//   int main(int argc, char** argv) {
//     absl::ParseCommandLine(argc, argv);
//     return eventlet::sim::cli::main({.name = "lost_update",
//                                      .target = "//examples/sim:lost_update",
//                                      .argv0 = argv[0]},
//                                     eventlet::examples::LostUpdateScenario);
//   }
//
// The flags (Abseil flags, defined here; `--help` lists them):
//   --seed=N             the root seed (default 0; exploring starts at 1)
//   --strategy=S         fifo (default), random or pct (exploring: random)
//   --pct_depth=D        pct: the bug depth (default 3)
//   --pct_horizon=K      pct: change points in events 1..K (default 1000)
//   --trace=FILE         write the run's trace to FILE
//   --replay=FILE        run driven by FILE's decisions; compare events and
//                        outcome (sim/replay.h)
//   --explore=N          run N seeds; for each failing one print the seed,
//                        its trace and the commands that replay and shrink it
//   --explore_out=DIR    where exploring writes traces (default explore-out;
//                        created if missing)
//   --explore_stale=W    stop exploring once W seeds in a row brought no new
//                        schedule (exploring ends with the line
//                        "N seeds, M distinct schedules")
//   --shrink=FILE        write a minimal failing schedule next to FILE
//                        (FILE.min.jsonl for FILE.jsonl) and print where
//   --max_events=N, --max_time=DURATION   limits of each run (0: none)
// Relative paths are taken from the directory the command was started in
// (under `bazel run` too). Every command printed as a hint works when pasted
// in that directory.
//
// Exit status of main(): 0 when the run succeeded, the replay matched the
// trace (outcome included), exploring found no failing seed, or shrinking
// produced a minimal trace; 1 when the run failed, the replay differs, or a
// seed failed; 2 for bad flags or a rejected trace.
#ifndef EVENTLET_SIM_CLI_H_
#define EVENTLET_SIM_CLI_H_

#include <functional>
#include <string>
#include <vector>

#include "sim/sim.h"

namespace eventlet::sim::cli {

struct Program {
  std::string name;    // names trace files: NAME.random.seed-7.jsonl
  std::string target;  // the Bazel target, for hints under `bazel run`
  std::string argv0;   // for hints otherwise (the binary's path)
  // Arguments that must come before the simulation flags in a hint (e.g. a
  // tutorial's name, or --sim).
  std::vector<std::string> args;
};

// The run options the flags ask for (--seed, --strategy, --pct_*, --trace,
// --max_*), for programs that only run (e.g. the fetch demo's --sim). False,
// with `*error`, for bad values.
bool options_from_flags(Options* options, std::string* error);

// Runs `scenario` as the flags say (see above); returns the exit status.
// Call after absl::ParseCommandLine. `scenario` signals failure by throwing.
// Its runs and explorations draw `faults` (Options::faults, sim/faults.h);
// a replay or a shrink takes them from the trace's header.
int main(const Program& program, const std::function<void()>& scenario,
         const FaultOptions& faults = {});

// A path as the user gave it, resolved against the directory the command
// was started in ($BUILD_WORKING_DIRECTORY under `bazel run`).
std::string user_path(const std::string& path);

}  // namespace eventlet::sim::cli

#endif  // EVENTLET_SIM_CLI_H_
