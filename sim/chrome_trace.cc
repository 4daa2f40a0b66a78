// Copyright 2026 The eventlet-cpp Authors.
#include "sim/chrome_trace.h"

#include <algorithm>
#include <cstdint>
#include <map>
#include <set>
#include <string_view>
#include <utility>
#include <vector>

#include "nlohmann/json.hpp"
#include "sim/event_fields.h"

namespace eventlet::sim {
namespace {

using nlohmann::json;

constexpr int kPid = 1;

std::int64_t tid_of(std::int64_t gt) { return gt + 2; }

// Nanoseconds as microseconds (exact to the ns as a double for any run
// shorter than about 100 days).
double micros(std::int64_t ns) { return static_cast<double>(ns) / 1000.0; }

json metadata(const char* name, std::int64_t tid, json args) {
  return {{"ph", "M"},  {"name", name}, {"pid", kPid},
          {"tid", tid}, {"ts", 0},      {"args", std::move(args)}};
}

json slice(const std::string& name, const char* cat, std::int64_t tid,
           std::int64_t from_ns, std::int64_t to_ns, json args) {
  return {{"ph", "X"},
          {"name", name},
          {"cat", cat},
          {"pid", kPid},
          {"tid", tid},
          {"ts", micros(from_ns)},
          {"dur", micros(to_ns - from_ns)},
          {"args", std::move(args)}};
}

}  // namespace

std::string chrome_trace_json(const StepTrace& trace) {
  const auto& events = trace.events;
  const std::size_t n = events.size();
  // Timestamps: virtual time, pushed 1 ns past the previous event if needed.
  std::vector<std::int64_t> ts(n);
  for (std::size_t i = 0; i < n; ++i) {
    ts[i] = i == 0 ? events[i].t : std::max(events[i].t, ts[i - 1] + 1);
  }
  const std::int64_t end = n ? ts[n - 1] + 1 : 0;

  json out = json::array();
  std::set<std::int64_t> gts = {kHubGt, 0};
  for (const StepEvent& e : events) {
    gts.insert(e.gt);
    if (e.kind == "switch") gts.insert(e.from);
  }
  out.push_back(metadata("process_name", 0,
                         {{"name", "eventlet-cpp simulation (" +
                                       format_header_line(trace) + ")"}}));
  for (std::int64_t gt : gts) {
    const std::string name = gt == kHubGt ? "hub"
                             : gt == 0    ? "main (0)"
                                          : "gt " + gt_name(gt);
    out.push_back(metadata("thread_name", tid_of(gt), {{"name", name}}));
    out.push_back(
        metadata("thread_sort_index", tid_of(gt), {{"sort_index", gt + 2}}));
  }

  // Who holds the CPU, the track each event sits on, the running slices and
  // the hub's phases.
  Stepper stepper(trace);
  std::vector<std::int64_t> track(n);
  std::int64_t running = 0, run_from = 0;
  std::uint64_t run_seq = 0;
  auto close_run = [&](std::int64_t to_ns, std::uint64_t to_seq) {
    if (running == kHubGt || to_ns <= run_from) return;
    json args = {{"until_seq", to_seq}};
    if (run_seq) args["from_seq"] = run_seq;
    out.push_back(slice("runs", "cpu", tid_of(running), run_from, to_ns,
                        std::move(args)));
  };
  std::string phase;
  std::int64_t phase_from = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const StepEvent& e = events[i];
    stepper.go_to(e.seq);
    const std::string now = phase_name(stepper.state().phase);
    if (i == 0 || now != phase) {
      if (i > 0) {
        out.push_back(slice(phase, "phase", tid_of(kHubGt), phase_from, ts[i],
                            json::object()));
      }
      phase = now;
      phase_from = ts[i];
    }
    if (e.kind == "switch") {
      close_run(ts[i], e.seq);
      running = e.gt;
      run_from = ts[i];
      run_seq = e.seq;
    }
    track[i] = tid_of(running);
  }
  if (n) {
    close_run(end, events[n - 1].seq);
    out.push_back(
        slice(phase, "phase", tid_of(kHubGt), phase_from, end, json::object()));
  }

  // One track per simulated host, after the greenthreads': "up" and "down"
  // slices between its host_start / host_crash / host_restart events.
  struct HostTrack {
    std::int64_t tid;
    std::string state;
    std::int64_t from;
    std::uint64_t from_seq;
  };
  std::map<std::string, HostTrack> hosts;
  std::int64_t next_tid = tid_of(*gts.rbegin()) + 1;
  for (std::size_t i = 0; i < n; ++i) {
    const StepEvent& e = events[i];
    if (e.type != EventKind::kHostStart && e.type != EventKind::kHostCrash &&
        e.type != EventKind::kHostRestart) {
      continue;
    }
    auto [it, added] = hosts.try_emplace(e.host);
    HostTrack& h = it->second;
    if (added) {
      h.tid = next_tid++;
      out.push_back(
          metadata("thread_name", h.tid, {{"name", "host " + e.host}}));
      out.push_back(
          metadata("thread_sort_index", h.tid, {{"sort_index", h.tid}}));
    } else {
      out.push_back(slice(h.state, "host", h.tid, h.from, ts[i],
                          {{"from_seq", h.from_seq}, {"until_seq", e.seq}}));
    }
    h.state = e.type == EventKind::kHostCrash ? "down" : "up";
    h.from = ts[i];
    h.from_seq = e.seq;
  }
  for (const auto& [address, h] : hosts) {
    out.push_back(
        slice(h.state, "host", h.tid, h.from, end, {{"from_seq", h.from_seq}}));
  }

  for (std::size_t i = 0; i < n; ++i) {
    const StepEvent& e = events[i];
    if (e.kind != "switch") {
      json args = {{"seq", e.seq},
                   {"t", e.t},
                   {"gt", e.gt},
                   {"what", describe_event(e)}};
      json fields = event_own_fields(e);
      if (!fields.empty()) args["fields"] = std::move(fields);
      if (e.cause) args["cause"] = e.cause;
      out.push_back({{"ph", "i"},
                     {"s", "t"},
                     {"name", e.kind},
                     {"cat", "event"},
                     {"pid", kPid},
                     {"tid", track[i]},
                     {"ts", micros(ts[i])},
                     {"args", std::move(args)}});
    }
    if (e.cause == 0 || e.cause > e.seq - 1) continue;
    const std::size_t c = e.cause - 1;
    // Both ends of the cause flow, bound to the slices around them.
    for (const auto& [ph, at] : {std::pair{"s", c}, std::pair{"f", i}}) {
      json end = {{"ph", ph},
                  {"name", "cause"},
                  {"cat", "cause"},
                  {"id", e.seq},
                  {"pid", kPid},
                  {"tid", track[at]},
                  {"ts", micros(ts[at])}};
      if (ph == std::string_view("f")) end["bp"] = "e";
      out.push_back(std::move(end));
    }
  }
  json doc = {{"traceEvents", std::move(out)},
              {"displayTimeUnit", "ns"},
              {"otherData",
               {{"source", format_header_line(trace)},
                {"ts",
                 "virtual time in us; events at one virtual time are "
                 "spread 1 ns apart in trace order (args.t is exact)"}}}};
  return doc.dump() + "\n";
}

}  // namespace eventlet::sim
