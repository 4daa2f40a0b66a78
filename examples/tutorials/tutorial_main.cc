// Copyright 2026 The eventlet-cpp Authors.
//
// Records the tutorials' traces (docs/tutorials):
//
//   tutorial NAME OUT.jsonl        NAME (e.g. 01_spawn) under sim::run,
//   strategy
//                                  fifo, seed 0, its trace written to OUT
//   tutorial --explore=STRATEGY DIR
//                                  tutorial 7: explores lost_update under seeds
//                                  1..50 (STRATEGY random or pct); the first
//                                  failing seed's trace goes to DIR
//   tutorial --list                the names
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

#include "examples/sim/lost_update.h"
#include "examples/tutorials/tutorials.h"
#include "sim/explore.h"
#include "sim/sim.h"

namespace {

// Under `bazel run` the working directory is the runfiles tree: resolve a
// relative path against the directory the command was started from.
std::string user_path(const char* path) {
  const char* dir = std::getenv("BUILD_WORKING_DIRECTORY");
  if (path[0] == '/' || dir == nullptr || *dir == '\0') return path;
  return std::string(dir) + "/" + path;
}

int usage(const char* argv0) {
  std::fprintf(stderr,
               "usage: %s NAME OUT.jsonl | --explore=random|pct DIR | --list\n",
               argv0);
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace eventlet;
  if (argc == 2 && std::strcmp(argv[1], "--list") == 0) {
    for (const tutorials::Tutorial& t : tutorials::all()) {
      std::printf("%.*s\n", static_cast<int>(t.name.size()), t.name.data());
    }
    return 0;
  }
  if (argc != 3) return usage(argv[0]);
  const std::string_view arg = argv[1];
  if (arg.starts_with("--explore=")) {
    sim::ExploreOptions options;
    if (!sim::parse_strategy(arg.substr(10), &options.strategy)) {
      return usage(argv[0]);
    }
    options.seeds = 50;
    options.only_seed.reset();
    options.trace_dir = user_path(argv[2]);
    const sim::ExploreResult r =
        sim::explore(examples::LostUpdateScenario, options);
    if (!r.failed) {
      std::printf("no failure in %d seeds\n", r.runs);
      return 1;
    }
    std::printf("seed %llu fails after %d runs: %s\n",
                static_cast<unsigned long long>(r.seed), r.runs,
                r.result.error.c_str());
    return 0;
  }
  for (const tutorials::Tutorial& t : tutorials::all()) {
    if (t.name != arg) continue;
    sim::Options options;  // strategy fifo, seed 0
    options.trace_path = user_path(argv[2]);
    const sim::Result r = sim::run(options, t.program);
    if (!r.ok()) {
      std::fprintf(stderr, "%s: %s\n", argv[1], r.summary().c_str());
      return 1;
    }
    return 0;
  }
  std::fprintf(stderr, "%s: no tutorial named %s\n", argv[0], argv[1]);
  return 2;
}
