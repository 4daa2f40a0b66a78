// Copyright 2026 The eventlet-cpp Authors.
//
// example_main.h: main() of a simulated example that comes in two versions,
// the one with the bug and the corrected one (--fixed), with sim/cli.h's
// flags (--seed, --strategy, --trace, --replay, --explore, --shrink...):
//
//   int main(int argc, char** argv) {
//     return eventlet::examples::example_main(argc, argv, "lost_update",
//                                             LostUpdateScenario,
//                                             FixedLostUpdateScenario);
//   }
//
// `name` is also the Bazel target's name in this package
// (//examples/sim:NAME), for the commands the tools print. Runs and
// explorations draw `faults` (sim/faults.h). Parses the command line;
// returns the exit status of sim::cli::main.
#ifndef EVENTLET_EXAMPLES_SIM_EXAMPLE_MAIN_H_
#define EVENTLET_EXAMPLES_SIM_EXAMPLE_MAIN_H_

#include <string>

#include "sim/faults.h"

namespace eventlet::examples {

int example_main(int argc, char** argv, const std::string& name,
                 void (*scenario)(), void (*fixed_scenario)(),
                 const sim::FaultOptions& faults = {});

}  // namespace eventlet::examples

#endif  // EVENTLET_EXAMPLES_SIM_EXAMPLE_MAIN_H_
