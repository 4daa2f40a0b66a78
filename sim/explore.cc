// Copyright 2026 The eventlet-cpp Authors.
#include "sim/explore.h"

#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <set>
#include <system_error>

namespace eventlet::sim {
namespace {

std::optional<std::uint64_t> parse_u64(const char* s) {
  if (s == nullptr || *s == '\0') return std::nullopt;
  std::uint64_t v = 0;
  const char* end = s + std::strlen(s);
  auto r = std::from_chars(s, end, v);
  if (r.ec != std::errc() || r.ptr != end) return std::nullopt;
  return v;
}

}  // namespace

std::string test_output_dir() {
  for (const char* var : {"TEST_UNDECLARED_OUTPUTS_DIR", "TEST_TMPDIR"}) {
    if (const char* d = std::getenv(var); d != nullptr && *d != '\0') return d;
  }
  return "/tmp";
}

std::string ExploreResult::coverage() const {
  std::string s = std::to_string(runs) + (runs == 1 ? " seed, " : " seeds, ") +
                  std::to_string(distinct_schedules) + " distinct schedule" +
                  (distinct_schedules == 1 ? "" : "s");
  if (states_tracked) {
    s += ", " + std::to_string(distinct_states) + " distinct state" +
         (distinct_states == 1 ? "" : "s");
  }
  return s;
}

ExploreResult explore(const std::function<void()>& scenario,
                      const ExploreOptions& options) {
  ExploreResult out;
  std::set<std::uint64_t> schedules;
  std::set<std::uint64_t> states;
  int stale = 0;  // seeds in a row without a new schedule
  // Counts a run; true when exploring should stop for lack of new schedules.
  auto cover = [&](const Result& r) {
    const bool fresh = schedules.insert(r.schedule_hash).second;
    states.insert(r.states.begin(), r.states.end());
    out.states_tracked = out.states_tracked || !r.states.empty();
    out.distinct_schedules = schedules.size();
    out.distinct_states = states.size();
    stale = fresh ? 0 : stale + 1;
    return options.stop_after_stale > 0 && stale >= options.stop_after_stale;
  };
  auto finish = [&] {
    if (!options.quiet) {
      std::fprintf(stderr, "sim::explore: %s%s\n", out.coverage().c_str(),
                   out.stopped_early ? " (stopped: no new schedules)" : "");
    }
    return out;
  };
  std::optional<std::uint64_t> only = options.only_seed;
  if (!only) only = parse_u64(std::getenv("EVENTLET_SEED"));
  Options o;
  o.strategy = options.strategy;
  o.max_time = options.max_time;
  o.max_events = options.max_events;
  o.pct_depth = options.pct_depth;
  o.pct_horizon = options.pct_horizon;
  o.faults = options.faults;
  const std::string dir =
      options.trace_dir.empty() ? test_output_dir() : options.trace_dir;
  const int count = only ? 1 : options.seeds;
  for (int i = 0; i < count; ++i) {
    o.seed = only ? *only : options.first_seed + static_cast<std::uint64_t>(i);
    ++out.runs;
    const Result first = run(o, scenario);
    out.stopped_early = cover(first) && i + 1 < count;
    if (first.ok()) {
      if (out.stopped_early) return finish();
      continue;
    }
    // Again, traced: same seed, same schedule.
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);  // fopen reports failures
    ExploreFailure failure;
    failure.seed = o.seed;
    failure.trace_path = dir + "/" + options.name + "." +
                         strategy_name(o.strategy) + ".seed-" +
                         std::to_string(o.seed) + ".jsonl";
    Options traced = o;
    traced.trace_path = failure.trace_path;
    Result r = run(traced, scenario);
    failure.outcome = r.traced_outcome;
    out.failures.push_back(failure);
    if (out.failed) continue;
    out.failed = true;
    out.seed = o.seed;
    out.trace_path = failure.trace_path;
    out.result = std::move(r);
    out.message = "sim::explore: seed " + std::to_string(o.seed) + " fails (" +
                  out.result.summary() + ")\n  trace: " + out.trace_path +
                  "\n  reproduce: run this seed alone with EVENTLET_SEED=" +
                  std::to_string(o.seed) + " in the environment\n";
    if (out.result.deadlock) out.message += out.result.deadlock->to_string();
    if (!options.quiet) std::fputs(out.message.c_str(), stderr);
    if (!options.all_seeds || out.stopped_early) return finish();
  }
  return finish();
}

}  // namespace eventlet::sim
