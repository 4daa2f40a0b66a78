// Copyright 2026 The eventlet-cpp Authors.
//
// lost_update: the lost-update scenario (lost_update.h) as a simulated
// program with sim/cli.h's flags, e.g.
//
//   ./bazelw run //examples/sim:lost_update -- --explore=50
//   ./bazelw run //examples/sim:lost_update -- --shrink=explore-out/...jsonl
//   ./bazelw run //examples/sim:lost_update -- --replay=explore-out/...jsonl
//
// --fixed runs the corrected scenario (the deposit holds a semaphore across
// its read-modify-write): replaying a failing trace against it reports that
// the outcome differs.
#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "examples/sim/lost_update.h"
#include "sim/cli.h"

ABSL_FLAG(bool, fixed, false,
          "run the corrected scenario (no lost update under any schedule)");

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "lost_update [--fixed] [--seed=N] [--strategy=fifo|random|pct] "
      "[--trace=FILE | --replay=FILE | --explore=N [--explore_out=DIR] | "
      "--shrink=FILE]");
  absl::ParseCommandLine(argc, argv);
  const bool fixed = absl::GetFlag(FLAGS_fixed);
  eventlet::sim::cli::Program program{
      "lost_update", "//examples/sim:lost_update", argv[0], {}};
  if (fixed) program.args.push_back("--fixed");
  return eventlet::sim::cli::main(program, [fixed] {
    if (fixed) {
      eventlet::examples::FixedLostUpdateScenario();
    } else {
      eventlet::examples::LostUpdateScenario();
    }
  });
}
