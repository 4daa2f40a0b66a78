// Copyright 2026 The eventlet-cpp Authors.
#include "sim/replay.h"

#include <fstream>
#include <sstream>

namespace eventlet::sim {
namespace {

constexpr const char* kEnd = "<end of trace>";

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

ReplayResult replay(std::string_view trace, absl::FunctionRef<void()> fn,
                    const Options& limits) {
  ReplayResult out;
  ParsedTrace expected;
  TraceError error;
  if (!parse_trace(trace, &expected, &error)) {
    out.bad_trace = error;
    out.message = "rejected: " + error.to_string();
    return out;
  }
  if (expected.header.build != kBuildId) {
    out.bad_trace = TraceError{1, "recorded with build \"" +
                                      expected.header.build + "\", this is \"" +
                                      kBuildId + "\": schedules may differ"};
    out.message = "rejected: " + out.bad_trace->to_string();
    return out;
  }
  Options o = limits;
  o.seed = expected.header.seed;
  if (!parse_strategy(expected.header.strategy, &o.strategy)) {
    out.bad_trace = TraceError{1, "unknown strategy"};
    out.message = "rejected: " + out.bad_trace->to_string();
    return out;
  }
  if (o.strategy == Strategy::kPct) {
    o.pct_depth = static_cast<int>(expected.header.pct_depth);
    o.pct_horizon = expected.header.pct_horizon;
  }
  o.trace_path.clear();
  o.trace_in_memory = true;
  if (o.max_events == 0) o.max_events = 2 * expected.lines.size() + 1000;
  try {
    out.run = run(o, fn);
  } catch (const std::exception& e) {
    out.message = std::string("replay could not run: ") + e.what();
    return out;
  }
  const std::vector<std::string_view> actual = split_lines(out.run.trace);
  const std::size_t n = std::max(actual.size(), expected.lines.size());
  for (std::size_t i = 1; i < n; ++i) {
    const bool have_e = i < expected.lines.size();
    const bool have_a = i < actual.size();
    if (have_e && have_a && expected.lines[i] == actual[i]) continue;
    Divergence d;
    d.seq = i;
    d.expected = have_e ? expected.lines[i] : kEnd;
    d.actual = have_a ? std::string(actual[i]) : kEnd;
    for (std::size_t k = i > 3 ? i - 3 : 1; k < i; ++k) {
      d.context.push_back(expected.lines[k]);
    }
    out.message = d.to_string();
    out.divergence = std::move(d);
    return out;
  }
  out.ok = true;
  return out;
}

ReplayResult replay_file(const std::string& path, absl::FunctionRef<void()> fn,
                         const Options& limits) {
  std::ifstream f(path, std::ios::binary);
  if (!f) {
    ReplayResult out;
    out.bad_trace = TraceError{0, "cannot read " + path};
    out.message = "rejected: " + out.bad_trace->to_string();
    return out;
  }
  std::stringstream ss;
  ss << f.rdbuf();
  return replay(ss.str(), fn, limits);
}

}  // namespace eventlet::sim
