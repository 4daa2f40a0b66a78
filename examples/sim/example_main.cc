// Copyright 2026 The eventlet-cpp Authors.
#include "examples/sim/example_main.h"

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "sim/cli.h"

ABSL_FLAG(bool, fixed, false,
          "run the corrected version (the bug cannot happen under any seed)");

namespace eventlet::examples {

int example_main(int argc, char** argv, const std::string& name,
                 void (*scenario)(), void (*fixed_scenario)(),
                 const sim::FaultOptions& faults) {
  absl::SetProgramUsageMessage(
      name +
      " [--fixed] [--seed=N] [--strategy=fifo|random|pct] "
      "[--trace=FILE | --replay=FILE | --explore=N [--explore_out=DIR] | "
      "--shrink=FILE]");
  absl::ParseCommandLine(argc, argv);
  const bool fixed = absl::GetFlag(FLAGS_fixed);
  sim::cli::Program program{name, "//examples/sim:" + name, argv[0], {}};
  // Hints (replay, shrink commands) run the same version again.
  if (fixed) program.args.push_back("--fixed");
  return sim::cli::main(program, fixed ? fixed_scenario : scenario, faults);
}

}  // namespace eventlet::examples
