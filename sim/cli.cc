// Copyright 2026 The eventlet-cpp Authors.
#include "sim/cli.h"

#include <cstdio>
#include <cstdlib>
#include <fstream>

#include "absl/flags/flag.h"
#include "absl/strings/numbers.h"
#include "absl/time/time.h"
#include "sim/explore.h"
#include "sim/replay.h"
#include "sim/shrink.h"

ABSL_FLAG(std::string, seed, "",
          "simulation: the root seed, 0.. (default 0; exploring: the first "
          "seed, default 1)");
ABSL_FLAG(std::string, strategy, "",
          "simulation: fifo (the default), random or pct (exploring: random)");
ABSL_FLAG(int, pct_depth, 3, "simulation, strategy pct: the bug depth");
ABSL_FLAG(std::uint64_t, pct_horizon, 1000,
          "simulation, strategy pct: change points fall in events 1..K");
ABSL_FLAG(std::string, trace, "", "simulation: write the trace to this file");
ABSL_FLAG(std::string, replay, "",
          "simulation: run driven by this trace's decisions and compare");
ABSL_FLAG(int, explore, 0,
          "simulation: run this many seeds and report every failing one");
ABSL_FLAG(std::string, explore_out, "explore-out",
          "simulation: where --explore writes failing traces");
ABSL_FLAG(int, explore_stale, 0,
          "simulation: --explore stops once this many seeds in a row "
          "brought no new schedule (0: never)");
ABSL_FLAG(std::string, shrink, "",
          "simulation: write a minimal failing schedule of this trace");
ABSL_FLAG(std::uint64_t, max_events, 0,
          "simulation: stop each run after this many events (0: no limit)");
ABSL_FLAG(absl::Duration, max_time, absl::ZeroDuration(),
          "simulation: stop each run at this virtual time (0: no limit)");

namespace eventlet::sim::cli {
namespace {

// What a user pastes to run this program again with `flags`.
std::string command(const Program& program, const std::string& flags) {
  std::string s;
  if (std::getenv("BUILD_WORKING_DIRECTORY") != nullptr &&
      !program.target.empty()) {
    s = "./bazelw run " + program.target + " --";
  } else {
    s = program.argv0.empty() ? program.name : program.argv0;
  }
  for (const std::string& a : program.args) s += " " + a;
  return s + " " + flags;
}

// FILE.jsonl -> FILE.min.jsonl (else FILE.min.jsonl appended).
std::string minimal_path(const std::string& path) {
  const std::string ext = ".jsonl";
  if (path.size() > ext.size() &&
      path.compare(path.size() - ext.size(), ext.size(), ext) == 0) {
    return path.substr(0, path.size() - ext.size()) + ".min.jsonl";
  }
  return path + ".min.jsonl";
}

int run_once(const Program& program, const std::function<void()>& scenario,
             const Options& options) {
  const Result r = run(options, scenario);
  std::printf("%s: %s\n", program.name.c_str(), r.summary().c_str());
  const std::string trace = absl::GetFlag(FLAGS_trace);
  if (!trace.empty()) {
    std::printf("trace: %s\n", trace.c_str());
    if (!r.ok()) {
      std::printf("replay it: %s\nshrink it: %s\n",
                  command(program, "--replay=" + trace).c_str(),
                  command(program, "--shrink=" + trace).c_str());
    }
  }
  return r.ok() ? 0 : 1;
}

int replay_mode(const std::function<void()>& scenario, const Options& limits) {
  const std::string path = absl::GetFlag(FLAGS_replay);
  const ReplayResult r = replay_file(user_path(path), scenario, limits);
  if (r.bad_trace) {
    std::fprintf(stderr, "%s: %s\n", path.c_str(), r.message.c_str());
    return 2;
  }
  if (r.edited_decisions != 0) {
    std::printf("%s: %zu decision(s) edited by hand\n", path.c_str(),
                r.edited_decisions);
  }
  if (!r.ok) {
    std::printf("%s: replay differs from the trace\n%s", path.c_str(),
                r.message.c_str());
    return 1;
  }
  std::printf("%s: replay matches the trace (%llu events); outcome %s\n",
              path.c_str(), static_cast<unsigned long long>(r.run.events),
              r.actual_outcome.to_string().c_str());
  return 0;
}

int explore_mode(const Program& program, const std::function<void()>& scenario,
                 const Options& base) {
  ExploreOptions o;
  o.seeds = absl::GetFlag(FLAGS_explore);
  o.first_seed = absl::GetFlag(FLAGS_seed).empty() ? 1 : base.seed;
  o.strategy =
      absl::GetFlag(FLAGS_strategy).empty() ? Strategy::kRandom : base.strategy;
  o.pct_depth = base.pct_depth;
  o.pct_horizon = base.pct_horizon;
  o.faults = base.faults;
  o.max_time = base.max_time;
  if (base.max_events != 0) o.max_events = base.max_events;
  o.all_seeds = true;
  o.quiet = true;
  o.stop_after_stale = absl::GetFlag(FLAGS_explore_stale);
  o.name = program.name;
  const std::string out_dir = absl::GetFlag(FLAGS_explore_out);
  o.trace_dir = user_path(out_dir);
  const ExploreResult r = explore(scenario, o);
  for (const ExploreFailure& f : r.failures) {
    // The path as the user would type it: under their --explore_out.
    const std::string file = out_dir + f.trace_path.substr(o.trace_dir.size());
    std::printf(
        "seed %llu fails: %s\n  trace:  %s\n  replay: %s\n  shrink: %s\n",
        static_cast<unsigned long long>(f.seed), f.outcome.to_string().c_str(),
        file.c_str(), command(program, "--replay=" + file).c_str(),
        command(program, "--shrink=" + file).c_str());
  }
  std::printf("explored %d seeds (%llu..%llu, strategy %s): %zu failed\n",
              r.runs, static_cast<unsigned long long>(o.first_seed),
              static_cast<unsigned long long>(o.first_seed + r.runs - 1),
              strategy_name(o.strategy), r.failures.size());
  std::printf("%s%s\n", r.coverage().c_str(),
              r.stopped_early ? " (stopped: no new schedules)" : "");
  return r.failures.empty() ? 0 : 1;
}

int shrink_mode(const Program& program, const std::function<void()>& scenario,
                const Options& limits) {
  const std::string path = absl::GetFlag(FLAGS_shrink);
  std::string text;
  TraceError error;
  if (!read_trace_file(user_path(path), &text, &error)) {
    std::fprintf(stderr, "%s: %s\n", path.c_str(), error.to_string().c_str());
    return 2;
  }
  ShrinkOptions o;
  o.limits = limits;
  const ShrinkResult r = shrink(text, scenario, o);
  if (!r.ok) {
    std::fprintf(stderr, "%s: %s\n", path.c_str(), r.message.c_str());
    return r.message.starts_with("rejected") ? 2 : 1;
  }
  const std::string out = minimal_path(path);
  std::ofstream f(user_path(out), std::ios::binary | std::ios::trunc);
  f << r.trace;
  f.close();
  if (!f) {
    std::fprintf(stderr, "%s: cannot write %s\n", path.c_str(), out.c_str());
    return 2;
  }
  std::printf(
      "shrinking %s (%s)\n  preemptions: %zu -> %zu\n  events:      %llu -> "
      "%llu\n  runs:        %d%s\n  minimal trace: %s\n  replay it: %s\n  "
      "step through it: ./bazelw run //sim:step -- %s\n",
      path.c_str(), r.outcome.to_string().c_str(), r.preemptions_before,
      r.preemptions_after, static_cast<unsigned long long>(r.events_before),
      static_cast<unsigned long long>(r.events_after), r.runs,
      r.exhausted ? " (budget spent: may not be minimal)" : "", out.c_str(),
      command(program, "--replay=" + out).c_str(), out.c_str());
  return 0;
}

}  // namespace

std::string user_path(const std::string& path) {
  const char* dir = std::getenv("BUILD_WORKING_DIRECTORY");
  if (path.empty() || path[0] == '/' || dir == nullptr || *dir == '\0') {
    return path;
  }
  return std::string(dir) + "/" + path;
}

bool options_from_flags(Options* options, std::string* error) {
  Options o;
  const std::string seed = absl::GetFlag(FLAGS_seed);
  if (!seed.empty() && !absl::SimpleAtoi(seed, &o.seed)) {
    *error =
        "--seed takes an unsigned integer, not \"" + printable(seed) + "\"";
    return false;
  }
  const std::string strategy = absl::GetFlag(FLAGS_strategy);
  if (!strategy.empty() && !parse_strategy(strategy, &o.strategy)) {
    *error = "--strategy must be fifo, random or pct, not \"" +
             printable(strategy) + "\"";
    return false;
  }
  o.pct_depth = absl::GetFlag(FLAGS_pct_depth);
  o.pct_horizon = absl::GetFlag(FLAGS_pct_horizon);
  if (o.pct_depth < 1 ||
      static_cast<std::uint64_t>(o.pct_depth) > kMaxPctDepth ||
      o.pct_horizon < 1) {
    *error = "--pct_depth must be 1..10000 and --pct_horizon at least 1";
    return false;
  }
  o.trace_path = user_path(absl::GetFlag(FLAGS_trace));
  o.max_events = absl::GetFlag(FLAGS_max_events);
  const absl::Duration max_time = absl::GetFlag(FLAGS_max_time);
  if (max_time < absl::ZeroDuration()) {
    *error = "--max_time must not be negative";
    return false;
  }
  o.max_time = max_time;
  *options = o;
  return true;
}

int main(const Program& program, const std::function<void()>& scenario,
         const FaultOptions& faults) {
  Options options;
  std::string error;
  if (!options_from_flags(&options, &error)) {
    std::fprintf(stderr, "%s: %s\n", program.name.c_str(), error.c_str());
    return 2;
  }
  options.faults = faults;
  const int modes = !absl::GetFlag(FLAGS_replay).empty() +
                    (absl::GetFlag(FLAGS_explore) != 0) +
                    !absl::GetFlag(FLAGS_shrink).empty();
  if (modes > 1) {
    std::fprintf(stderr,
                 "%s: --replay, --explore and --shrink go one at a time\n",
                 program.name.c_str());
    return 2;
  }
  if (absl::GetFlag(FLAGS_explore) < 0) {
    std::fprintf(stderr, "%s: --explore takes a number of seeds\n",
                 program.name.c_str());
    return 2;
  }
  if (modes == 1 && !options.trace_path.empty()) {
    std::fprintf(stderr,
                 "%s: --trace goes with a plain run (exploring and shrinking "
                 "write their own traces)\n",
                 program.name.c_str());
    return 2;
  }
  Options limits;
  limits.max_time = options.max_time;
  limits.max_events = options.max_events;
  try {
    if (!absl::GetFlag(FLAGS_replay).empty()) {
      return replay_mode(scenario, limits);
    }
    if (absl::GetFlag(FLAGS_explore) != 0) {
      return explore_mode(program, scenario, options);
    }
    if (!absl::GetFlag(FLAGS_shrink).empty()) {
      return shrink_mode(program, scenario, limits);
    }
    return run_once(program, scenario, options);
  } catch (const std::exception& e) {  // e.g. a trace file that can't open
    std::fprintf(stderr, "%s: %s\n", program.name.c_str(), e.what());
    return 2;
  }
}

}  // namespace eventlet::sim::cli
