// Copyright 2026 The eventlet-cpp Authors.
//
// Runs the tutorials' programs (docs/tutorials) with sim/cli.h's flags:
//
//   tutorial --list                          the names
//   tutorial NAME --trace=OUT.jsonl          record NAME (fifo, seed 0)
//   tutorial 07_explore --explore=50 --explore_out=DIR
//                                            tutorial 7: explore seeds 1..50
//   tutorial NAME --replay=FILE | --shrink=FILE | --seed=N --strategy=S ...
#include <cstdio>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "examples/tutorials/tutorials.h"
#include "sim/cli.h"

ABSL_FLAG(bool, list, false, "print the tutorials' names");

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "tutorial --list | tutorial NAME [--trace=FILE] [--seed=N] "
      "[--strategy=fifo|random|pct] [--replay=FILE | --explore=N "
      "[--explore_out=DIR] | --shrink=FILE]");
  const std::vector<char*> args = absl::ParseCommandLine(argc, argv);
  using eventlet::tutorials::all;
  if (absl::GetFlag(FLAGS_list)) {
    for (const eventlet::tutorials::Tutorial& t : all()) {
      std::printf("%.*s\n", static_cast<int>(t.name.size()), t.name.data());
    }
    return 0;
  }
  if (args.size() != 2) {
    std::fprintf(stderr, "usage: %s\n", absl::ProgramUsageMessage().data());
    return 2;
  }
  const std::string name = args[1];
  for (const eventlet::tutorials::Tutorial& t : all()) {
    if (t.name != name) continue;
    return eventlet::sim::cli::main(
        {name, "//examples/tutorials:tutorial", argv[0], {name}}, t.program,
        t.faults);
  }
  std::fprintf(stderr, "%s: no tutorial named %s (see --list)\n", argv[0],
               name.c_str());
  return 2;
}
