// Copyright 2026 The eventlet-cpp Authors.
//
// lease: the leader lease of lease.h as a simulated program with sim/cli.h's
// flags, under LeaseFaults() (host crashes, skewed clocks), e.g.
//
//   ./bazelw run //examples/sim:lease -- --explore=200
//   ./bazelw run //examples/sim:lease -- --shrink=explore-out/...jsonl
//   ./bazelw run //examples/sim:lease -- --fixed --explore=2000
//
// --fixed runs the corrected lock server (its grace period after a restart
// includes the clock skew margin).
#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "examples/sim/lease.h"
#include "sim/cli.h"

ABSL_FLAG(bool, fixed, false,
          "run the corrected lock server (no two leaders under any seed)");

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "lease [--fixed] [--seed=N] [--strategy=fifo|random|pct] "
      "[--trace=FILE | --replay=FILE | --explore=N [--explore_out=DIR] | "
      "--shrink=FILE]");
  absl::ParseCommandLine(argc, argv);
  const bool fixed = absl::GetFlag(FLAGS_fixed);
  eventlet::sim::cli::Program program{
      "lease", "//examples/sim:lease", argv[0], {}};
  if (fixed) program.args.push_back("--fixed");
  return eventlet::sim::cli::main(program,
                                  fixed ? eventlet::examples::FixedLeaseScenario
                                        : eventlet::examples::LeaseScenario,
                                  eventlet::examples::LeaseFaults());
}
