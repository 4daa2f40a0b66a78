// Copyright 2026 The eventlet-cpp Authors.
#include "sim/replay.h"

#include <fstream>
#include <sstream>

#include "sim/decisions.h"

namespace eventlet::sim {
namespace {

constexpr const char* kEnd = "<end of trace>";

// A line without its rolling hash: what replay compares.
std::string_view content(std::string_view line) {
  const std::size_t at = line.rfind(",\"h\":\"");
  return at == std::string_view::npos ? line : line.substr(0, at);
}

std::vector<std::string_view> split_lines(std::string_view text) {
  std::vector<std::string_view> lines;
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) nl = text.size();
    lines.push_back(text.substr(pos, nl - pos));
    pos = nl + 1;
  }
  return lines;
}

}  // namespace

std::string Divergence::to_string() const {
  std::string s = "replay diverges at event seq " + std::to_string(seq) + "\n";
  for (const std::string& c : context) s += "    " + c + "\n";
  s += "  expected: " + expected + "\n";
  s += "  actual:   " + actual + "\n";
  return s;
}

bool prepare_driven_run(std::string_view trace, const Options& limits,
                        ParsedTrace* parsed, Options* options,
                        TraceError* error) {
  ParseOptions parse_options;
  parse_options.allow_edited_choices = true;
  if (!parse_trace(trace, parsed, error, parse_options)) return false;
  if (parsed->header.build != kBuildId) {
    *error = TraceError{
        1, "recorded with build \"" + printable(parsed->header.build) +
               "\", this is \"" + kBuildId + "\": schedules may differ"};
    return false;
  }
  Options o = limits;
  o.seed = parsed->header.seed;
  if (parsed->header.strategy == "live") {
    *error = TraceError{1,
                        "a live trace (debug::spew) records a real hub's "
                        "events, not a simulated run's decisions: it cannot "
                        "be replayed"};
    return false;
  }
  if (!parse_strategy(parsed->header.strategy, &o.strategy)) {
    *error = TraceError{1, "unknown strategy"};
    return false;
  }
  if (o.strategy == Strategy::kPct) {
    o.pct_depth = static_cast<int>(parsed->header.pct_depth);
    o.pct_horizon = parsed->header.pct_horizon;
  }
  o.faults = parsed->header.faults;
  o.trace_path.clear();
  o.trace_in_memory = false;
  o.decisions = nullptr;
  if (o.max_events == 0) o.max_events = 2 * parsed->lines.size() + 1000;
  *options = o;
  return true;
}

ReplayResult replay(std::string_view trace, absl::FunctionRef<void()> fn,
                    const Options& limits) {
  ReplayResult out;
  ParsedTrace expected;
  TraceError error;
  Options o;
  if (!prepare_driven_run(trace, limits, &expected, &o, &error)) {
    out.bad_trace = error;
    out.message = "rejected: " + error.to_string();
    return out;
  }
  const Decisions decisions = decisions_from_trace(expected);
  o.decisions = &decisions;
  o.trace_in_memory = true;
  out.edited_decisions = expected.edited_lines.size();
  out.expected_outcome = trace_outcome(expected);
  try {
    out.run = run(o, fn);
  } catch (const std::exception& e) {
    out.message = std::string("replay could not run: ") + e.what();
    return out;
  }
  out.actual_outcome = out.run.traced_outcome;
  // A trace cut short has no outcome to compare (its end is a divergence).
  if (expected.complete && out.actual_outcome != out.expected_outcome) {
    out.outcome_differs = true;
    out.message = "outcome differs: expected " +
                  out.expected_outcome.to_string() + ", got " +
                  out.actual_outcome.to_string() + "\n";
  }
  const std::vector<std::string_view> actual = split_lines(out.run.trace);
  const std::size_t n = std::max(actual.size(), expected.lines.size());
  for (std::size_t i = 1; i < n; ++i) {
    const bool have_e = i < expected.lines.size();
    const bool have_a = i < actual.size();
    if (have_e && have_a && content(expected.lines[i]) == content(actual[i])) {
      continue;
    }
    Divergence d;
    d.seq = i;
    d.expected = have_e ? expected.lines[i] : kEnd;
    d.actual = have_a ? std::string(actual[i]) : kEnd;
    for (std::size_t k = i > 3 ? i - 3 : 1; k < i; ++k) {
      d.context.push_back(expected.lines[k]);
    }
    out.message += d.to_string();
    out.divergence = std::move(d);
    return out;
  }
  out.ok = !out.outcome_differs;
  return out;
}

bool read_trace_file(const std::string& path, std::string* text,
                     TraceError* error) {
  std::ifstream f(path, std::ios::binary);
  if (!f) {
    *error = TraceError{0, "cannot read " + path};
    return false;
  }
  std::stringstream ss;
  ss << f.rdbuf();
  *text = std::move(ss).str();
  return true;
}

ReplayResult replay_file(const std::string& path, absl::FunctionRef<void()> fn,
                         const Options& limits) {
  std::string text;
  TraceError error;
  if (!read_trace_file(path, &text, &error)) {
    ReplayResult out;
    out.bad_trace = error;
    out.message = "rejected: " + error.to_string();
    return out;
  }
  return replay(text, fn, limits);
}

}  // namespace eventlet::sim
