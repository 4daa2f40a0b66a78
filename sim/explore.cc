// Copyright 2026 The eventlet-cpp Authors.
#include "sim/explore.h"

#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
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

ExploreResult explore(const std::function<void()>& scenario,
                      const ExploreOptions& options) {
  ExploreResult out;
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
    if (run(o, scenario).ok()) continue;
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
    if (!options.all_seeds) return out;
  }
  return out;
}

}  // namespace eventlet::sim
