// Copyright 2026 The eventlet-cpp Authors.
//
// The Chrome Trace Event export (sim/chrome_trace.h) of every tutorial trace
// and of step_demo: the JSON has the structure viewers need. Every event has
// ph, ts, pid and tid; metadata names every track; complete slices on one
// track never overlap; every flow has one start and one end, in time order,
// each inside a slice of its track (so viewers bind them); one instant per
// event that is not a switch, in trace order.
#include "sim/chrome_trace.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "sim/step.h"

namespace eventlet::sim {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

std::int64_t Ns(const json& micros) {
  return std::llround(micros.get<double>() * 1000.0);
}

std::vector<fs::path> Traces() {
  const fs::path root = fs::path(std::getenv("TEST_SRCDIR")) / "eventlet_cpp";
  std::vector<fs::path> out;
  for (const auto& entry :
       fs::directory_iterator(root / "examples" / "tutorials")) {
    const std::string name = entry.path().filename().string();
    if (name.size() > 12 && name.ends_with(".trace.jsonl")) {
      out.push_back(entry.path());
    }
  }
  out.push_back(root / "sim" / "testdata" / "step_demo.trace.jsonl");
  return out;
}

void Validate(const StepTrace& trace, const json& doc) {
  ASSERT_TRUE(doc.is_object());
  ASSERT_TRUE(doc["traceEvents"].is_array());
  EXPECT_EQ(doc["displayTimeUnit"], "ns");
  std::set<std::int64_t> named, used;
  std::map<std::int64_t, std::vector<std::pair<std::int64_t, std::int64_t>>>
      slices;  // tid -> [from, to) in ns
  struct Flow {
    int starts = 0, ends = 0;
    std::int64_t s_ts = 0, f_ts = 0, s_tid = 0, f_tid = 0;
  };
  std::map<std::uint64_t, Flow> flows;
  std::vector<std::pair<std::uint64_t, std::int64_t>> instants;  // seq, ts
  for (const json& ev : doc["traceEvents"]) {
    ASSERT_TRUE(ev.contains("ph") && ev["ph"].is_string()) << ev;
    ASSERT_TRUE(ev.contains("ts") && ev["ts"].is_number()) << ev;
    ASSERT_TRUE(ev.contains("pid") && ev["pid"].is_number_integer()) << ev;
    ASSERT_TRUE(ev.contains("tid") && ev["tid"].is_number_integer()) << ev;
    const std::string ph = ev["ph"];
    const std::int64_t tid = ev["tid"];
    if (ph == "M") {
      if (ev["name"] == "thread_name") {
        EXPECT_TRUE(ev["args"]["name"].is_string());
        named.insert(tid);
      }
      continue;
    }
    used.insert(tid);
    if (ph == "X") {
      ASSERT_TRUE(ev["dur"].is_number()) << ev;
      EXPECT_GT(Ns(ev["dur"]), 0) << ev;
      slices[tid].emplace_back(Ns(ev["ts"]), Ns(ev["ts"]) + Ns(ev["dur"]));
    } else if (ph == "i") {
      EXPECT_EQ(ev["s"], "t");
      instants.emplace_back(ev["args"]["seq"], Ns(ev["ts"]));
    } else if (ph == "s" || ph == "f") {
      EXPECT_EQ(ev["cat"], "cause");
      Flow& f = flows[ev["id"].get<std::uint64_t>()];
      if (ph == "s") {
        ++f.starts;
        f.s_ts = Ns(ev["ts"]);
        f.s_tid = tid;
      } else {
        EXPECT_EQ(ev["bp"], "e");
        ++f.ends;
        f.f_ts = Ns(ev["ts"]);
        f.f_tid = tid;
      }
    } else {
      ADD_FAILURE() << "unexpected phase " << ev;
    }
  }
  // Metadata names every track in use.
  for (std::int64_t tid : used) EXPECT_TRUE(named.count(tid)) << tid;
  // Slices on one track do not overlap.
  for (auto& [tid, list] : slices) {
    std::sort(list.begin(), list.end());
    for (std::size_t k = 1; k < list.size(); ++k) {
      EXPECT_LE(list[k - 1].second, list[k].first) << "tid " << tid;
    }
  }
  // (Binary search: the slices of a track are sorted and disjoint, and
  // traces of several thousand events have thousands of flows.)
  auto inside_a_slice = [&](std::int64_t tid, std::int64_t ts) {
    const auto& list = slices[tid];
    auto after = std::upper_bound(
        list.begin(), list.end(), ts,
        [](std::int64_t t, const std::pair<std::int64_t, std::int64_t>& s) {
          return t < s.first;
        });
    return after != list.begin() && ts < std::prev(after)->second;
  };
  // Flows pair up, go forward in time and bind to slices; one per cause.
  std::size_t causes = 0, switches = 0;
  for (const StepEvent& e : trace.events) {
    if (e.cause) ++causes;
    if (e.kind == "switch") ++switches;
  }
  EXPECT_EQ(flows.size(), causes);
  for (const auto& [id, f] : flows) {
    EXPECT_EQ(f.starts, 1) << id;
    EXPECT_EQ(f.ends, 1) << id;
    EXPECT_LT(f.s_ts, f.f_ts) << id;
    EXPECT_TRUE(inside_a_slice(f.s_tid, f.s_ts)) << "flow " << id;
    EXPECT_TRUE(inside_a_slice(f.f_tid, f.f_ts)) << "flow " << id;
  }
  // One instant per non-switch event, timestamps in trace order, never
  // before the event's virtual time.
  ASSERT_EQ(instants.size(), trace.events.size() - switches);
  for (std::size_t k = 0; k < instants.size(); ++k) {
    const StepEvent& e = trace.events[instants[k].first - 1];
    EXPECT_GE(instants[k].second, e.t);
    if (k) {
      EXPECT_LT(instants[k - 1].second, instants[k].second);
    }
    EXPECT_LT(instants[k].second - e.t, 1000)  // these traces: < 1 us drift
        << "seq " << e.seq;
  }
}

TEST(ChromeTrace, EveryTutorialTraceValidates) {
  const auto traces = Traces();
  ASSERT_GE(traces.size(), 9u);
  for (const fs::path& path : traces) {
    SCOPED_TRACE(path.filename().string());
    StepTrace trace;
    TraceError error;
    ASSERT_TRUE(load_step_trace_file(path.string(), &trace, &error))
        << error.to_string();
    const json doc = json::parse(chrome_trace_json(trace));
    Validate(trace, doc);
  }
}

// A kind newer than the exporter is an instant with its fields.
TEST(ChromeTrace, UnknownKindsAreInstantsWithTheirFields) {
  const fs::path path = fs::path(std::getenv("TEST_SRCDIR")) / "eventlet_cpp" /
                        "sim" / "testdata" / "step_demo.trace.jsonl";
  StepTrace trace;
  TraceError error;
  ASSERT_TRUE(load_step_trace_file(path.string(), &trace, &error));
  StepEvent e;
  e.seq = trace.events.size() + 1;
  e.t = trace.events.back().t;
  e.gt = 1;
  e.kind = "mutex_unlock";
  e.cause = 3;
  e.line = "{\"seq\":" + std::to_string(e.seq) +
           ",\"t\":" + std::to_string(e.t) +
           ",\"gt\":1,\"kind\":\"mutex_unlock\",\"waiter\":2,\"cause\":3,"
           "\"h\":\"0000000000000000\"}";
  trace.events.push_back(e);
  const json doc = json::parse(chrome_trace_json(trace));
  Validate(trace, doc);
  bool found = false;
  for (const json& ev : doc["traceEvents"]) {
    if (ev["ph"] == "i" && ev["name"] == "mutex_unlock") {
      found = true;
      EXPECT_EQ(ev["args"]["fields"], json({{"waiter", 2}}));
      EXPECT_EQ(ev["args"]["cause"], 3);
    }
  }
  EXPECT_TRUE(found);
}

TEST(ChromeTrace, TracksAndPhasesAreNamed) {
  const fs::path path = fs::path(std::getenv("TEST_SRCDIR")) / "eventlet_cpp" /
                        "sim" / "testdata" / "step_demo.trace.jsonl";
  StepTrace trace;
  TraceError error;
  ASSERT_TRUE(load_step_trace_file(path.string(), &trace, &error));
  const json doc = json::parse(chrome_trace_json(trace));
  std::map<std::int64_t, std::string> names;
  std::set<std::string> hub_slices;
  for (const json& ev : doc["traceEvents"]) {
    if (ev["ph"] == "M" && ev["name"] == "thread_name") {
      names[ev["tid"]] = ev["args"]["name"];
    }
    if (ev["ph"] == "X" && ev["tid"] == 1) hub_slices.insert(ev["name"]);
  }
  EXPECT_EQ(names[1], "hub");
  EXPECT_EQ(names[2], "main (0)");
  EXPECT_EQ(names[4], "gt 2");
  EXPECT_EQ(hub_slices, (std::set<std::string>{"start", "prepare timers",
                                               "fire timers", "poll"}));
}

// Simulated hosts: a track per host, its up and down times as slices.
TEST(ChromeTrace, EachHostHasATrackOfUpAndDownSlices) {
  ParsedTrace parsed;
  parsed.lines = {
      "{}",
      R"({"seq":1,"t":0,"gt":1,"kind":"spawn","by":0,"h":"0"})",
      R"({"seq":2,"t":0,"gt":0,"kind":"host_start","host":"10.0.0.2",)"
      R"("start":1,"offset":0,"drift":0,"h":"0"})",
      R"({"seq":3,"t":5,"gt":0,"kind":"host_crash","host":"10.0.0.2",)"
      R"("why":"test","h":"0"})",
      R"({"seq":4,"t":9,"gt":0,"kind":"spawn","by":0,"h":"0"})",
      R"({"seq":5,"t":9,"gt":0,"kind":"host_restart","host":"10.0.0.2",)"
      R"("why":"test","start":2,"h":"0"})",
  };
  StepTrace trace;
  TraceError error;
  ASSERT_TRUE(load_step_trace(parsed, &trace, &error)) << error.to_string();
  const json doc = json::parse(chrome_trace_json(trace));
  Validate(trace, doc);
  std::int64_t tid = -1;
  for (const json& ev : doc["traceEvents"]) {
    if (ev["ph"] == "M" && ev["name"] == "thread_name" &&
        ev["args"]["name"] == "host 10.0.0.2") {
      tid = ev["tid"];
    }
  }
  ASSERT_NE(tid, -1);
  std::vector<std::string> states;
  for (const json& ev : doc["traceEvents"]) {
    if (ev["ph"] == "X" && ev["tid"] == tid) states.push_back(ev["name"]);
  }
  EXPECT_EQ(states, (std::vector<std::string>{"up", "down", "up"}));
}

}  // namespace
}  // namespace eventlet::sim
