// Copyright 2026 The eventlet-cpp Authors.
//
// The timeline page (sim/timeline.h): produced, self-contained (no external
// URL), carrying every event as one compact row, timers packed into rows that
// never overlap, and safe against hostile strings in a trace.
// sim/timeline_browser_test.sh loads it in headless Chromium.
#include "sim/timeline.h"

#include <cstdlib>
#include <fstream>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "greenthread/greenthread.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "sim/host.h"
#include "sim/sim.h"
#include "sim/step.h"
#include "sim/testdata/step_demo.h"

namespace eventlet::sim {
namespace {

StepTrace Load(const std::string& text) {
  ParsedTrace parsed;
  TraceError error;
  EXPECT_TRUE(parse_trace(text, &parsed, &error)) << error.to_string();
  StepTrace trace;
  EXPECT_TRUE(load_step_trace(parsed, &trace, &error)) << error.to_string();
  return trace;
}

StepTrace Record(const Options& base, const std::function<void()>& fn) {
  Options options = base;
  options.trace_in_memory = true;
  Result r = run(options, fn);
  EXPECT_TRUE(r.ok()) << r.summary();
  return Load(r.trace);
}

std::size_t Count(const std::string& s, const std::string& part) {
  std::size_t n = 0;
  for (auto p = s.find(part); p != std::string::npos; p = s.find(part, p + 1)) {
    ++n;
  }
  return n;
}

// The page's embedded data (its JSON escapes '<', '>' and '&' as \u00XX,
// which JSON reads back).
nlohmann::json PageData(const std::string& html) {
  const std::string open =
      "<script type=\"application/json\" id=\"trace-data\">";
  const auto a = html.find(open);
  EXPECT_NE(a, std::string::npos);
  const auto b = html.find("</script>", a);
  return nlohmann::json::parse(
      html.substr(a + open.size(), b - a - open.size()));
}

// 300 greenthreads sleeping different times: many timers at once.
void ManySleepers() {
  std::vector<GreenThread<void>> gts;
  for (int i = 0; i < 300; ++i) {
    gts.push_back(spawn([i] {
      for (int k = 0; k < 10; ++k) {
        eventlet::sleep(absl::Microseconds(1 + (i * 7 + k * 13) % 50));
      }
    }));
  }
  for (auto& gt : gts) gt.wait();
}

TEST(Timeline, OneSelfContainedPageWithEveryEvent) {
  const StepTrace trace =
      Record(testdata::StepDemoOptions(), testdata::StepDemo);
  const std::string html = timeline_html(trace, "step_demo");

  EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_NE(html.find("</html>"), std::string::npos);
  // Nothing fetched at view time; the template's placeholders all filled.
  EXPECT_EQ(html.find("http://"), std::string::npos);
  EXPECT_EQ(html.find("https://"), std::string::npos);
  EXPECT_EQ(html.find("src="), std::string::npos);
  EXPECT_EQ(html.find("<link"), std::string::npos);
  EXPECT_EQ(html.find("@import"), std::string::npos);
  EXPECT_EQ(html.find("{{"), std::string::npos);
  EXPECT_EQ(Count(html, "<script"), 2u);  // the data and the code, inline
  EXPECT_EQ(Count(html, "<style>"), 1u);

  // One row per event: [t, gt, kind, lane, cause, phase, banner, state,
  // words, fields?], the words being the stepper's (the script writes the
  // --print line from them; the browser test compares it with step --print).
  const nlohmann::json data = PageData(html);
  const auto& rows = data["ev"];
  ASSERT_EQ(rows.size(), trace.events.size());
  const TimelineLayout layout = timeline_layout(trace);
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const StepEvent& e = trace.events[i];
    const auto& row = rows[i];
    EXPECT_EQ(row[0], e.t);
    EXPECT_EQ(row[1], e.gt);
    EXPECT_EQ(data["kinds"][row[2].get<int>()], e.kind);
    EXPECT_EQ(row[3], layout.event_lane[i]);
    EXPECT_EQ(row[4], e.cause);
    EXPECT_EQ(row[8], describe_event(e));
  }
  // The event's own fields ride along (for any kind, known or not).
  EXPECT_EQ(rows[0][9]["by"], 0);
  EXPECT_EQ(data["sw"], 3);   // "#72"
  EXPECT_EQ(data["tw"], 10);  // "t=0.005000"
  // Packets sit in the network lane; a delivery names its send as cause.
  // (The page's JSON writes '>' as \u003e.)
  EXPECT_NE(html.find("\"syn 0 B 10.0.0.1 -\\u003e 10.0.0.2\""),
            std::string::npos);
  EXPECT_EQ(rows[18][4], 5);  // #19
  EXPECT_EQ(rows[18][3], static_cast<int>(layout.lanes.size()) - 1);
  EXPECT_EQ(layout.lanes.back().label, "I/O (network)");
  // The lanes: hub, main, the greenthreads, timer rows, I/O.
  EXPECT_EQ(layout.lanes[0].label, "hub");
  EXPECT_EQ(layout.lanes[1].label, "main (0)");
  EXPECT_EQ(layout.lanes[3].label, "gt 2");
  EXPECT_EQ(layout.lanes[4].label, "timers");
  // A prepare_timers (#17) is the hub's phase; a wake-up (#66, Event 1 wakes
  // [0]) sits on its waker's lane, the ready it caused (#67) on the woken's.
  EXPECT_EQ(data["kinds"][rows[16][2].get<int>()], "prepare_timers");
  EXPECT_EQ(rows[16][3], 0);
  EXPECT_EQ(rows[65][3], 3);
  EXPECT_EQ(rows[66][3], 1);
  EXPECT_EQ(rows[66][4], 66);
  EXPECT_EQ(data["lanes"].size(), layout.lanes.size());
  // The controls the script wires up.
  for (const char* id :
       {"id=\"scrub\"", "id=\"prev\"", "id=\"next\"", "id=\"filter\"",
        "id=\"kind\"", "id=\"causal\"", "id=\"overview\"", "id=\"chart\"",
        "id=\"details\"", "id=\"state\"", "id=\"status\""}) {
    EXPECT_NE(html.find(id), std::string::npos) << id;
  }
  EXPECT_NE(html.find("ArrowRight"), std::string::npos);
}

TEST(Timeline, TimerRowsNeverOverlap) {
  const StepTrace trace = Record({}, ManySleepers);
  const TimelineLayout layout = timeline_layout(trace);
  ASSERT_GE(layout.timers.size(), 3000u);
  std::map<int, std::size_t> last_end;  // lane -> the last span's end
  std::size_t rows = 0;
  for (const auto& span : layout.timers) {
    ASSERT_EQ(layout.lanes[span.lane].kind,
              TimelineLayout::Lane::Kind::kTimers);
    auto it = last_end.find(span.lane);
    if (it != last_end.end()) {
      EXPECT_LT(it->second, span.start) << "timer " << span.timer;
    }
    last_end[span.lane] = span.end;
    rows = std::max<std::size_t>(rows, layout.lanes[span.lane].row + 1);
    // Its events sit on its row.
    EXPECT_EQ(layout.event_lane[span.start], span.lane);
    EXPECT_EQ(layout.event_lane[span.end], span.lane);
  }
  // Packed: 300 sleepers need about 300 rows, not one per timer.
  EXPECT_GE(rows, 250u);
  EXPECT_LE(rows, 310u);
}

// A kind newer than this page (a later trace version) goes on its
// greenthread's lane with its fields; the script gives it a colour and a glyph
// of its own.
TEST(Timeline, UnknownKindsKeepTheirFields) {
  StepTrace trace = Record(testdata::StepDemoOptions(), testdata::StepDemo);
  StepEvent e;
  e.seq = trace.events.size() + 1;
  e.t = trace.events.back().t;
  e.gt = 1;
  e.kind = "mutex_unlock";
  e.cause = 3;
  e.line = "{\"seq\":" + std::to_string(e.seq) +
           ",\"t\":" + std::to_string(e.t) +
           ",\"gt\":1,\"kind\":\"mutex_unlock\",\"waiter\":2,\"object\":"
           "\"Event@1\",\"cause\":3,\"h\":\"0000000000000000\"}";
  trace.events.push_back(e);
  const TimelineLayout layout = timeline_layout(trace);
  EXPECT_EQ(layout.lanes[layout.event_lane.back()].label, "gt 1");
  const nlohmann::json data = PageData(timeline_html(trace, "newer"));
  const auto& row = data["ev"].back();
  EXPECT_EQ(data["kinds"][row[2].get<int>()], "mutex_unlock");
  EXPECT_EQ(row[4], 3);
  EXPECT_EQ(row[9], nlohmann::json({{"waiter", 2}, {"object", "Event@1"}}));
}

TEST(Timeline, HostileStringsCannotEndTheScript) {
  const StepTrace trace = Record({}, [] {
    spawn_n([] { throw std::runtime_error("</script><b>&amp;\"'"); });
    eventlet::sleep();
  });
  const std::string html = timeline_html(trace, "<title>&{{data}}");
  EXPECT_EQ(Count(html, "</script>"), 2u);
  EXPECT_EQ(html.find("<b>"), std::string::npos);
  EXPECT_NE(html.find("&lt;title&gt;&amp;{{data}}"), std::string::npos);
  EXPECT_NE(html.find("\\u003c/script\\u003e"), std::string::npos);
}

TEST(Timeline, EmptyTraceStillMakesAPage) {
  const StepTrace trace = Record({}, [] {});
  const std::string html = timeline_html(trace, "empty");
  // Nothing but the closing outcome event.
  const nlohmann::json data = PageData(html);
  ASSERT_EQ(data["ev"].size(), 1u);
  EXPECT_EQ(data["kinds"][0], "outcome");
  EXPECT_TRUE(data["timers"].empty());
}

// Many greenthreads and events: the page stays small (compact rows; the
// state snapshots stop once they would make it too big) and is made quickly.
TEST(Timeline, LargeTraceStaysBounded) {
  const StepTrace trace = Record({}, ManySleepers);
  ASSERT_GT(trace.events.size(), 10000u);
  const std::string html = timeline_html(trace, "large");
  // About 90 bytes per event.
  EXPECT_LT(html.size(), 130 * trace.events.size()) << html.size();
  EXPECT_NE(html.find("the hub state is left out"), std::string::npos);
  // Kept for a look in a browser: bazel-testlogs/sim/timeline_test/.
  if (const char* dir = std::getenv("TEST_UNDECLARED_OUTPUTS_DIR")) {
    std::ofstream(std::string(dir) + "/large_timeline.html") << html;
  }
  EXPECT_EQ(PageData(html)["ev"].size(), trace.events.size());
}

// Simulated hosts: their starts, crashes and restarts on a lane of their
// own; a host's greenthreads say which host they run on.
TEST(Timeline, HostsHaveALaneAndTheirGreenthreadsSayWhere) {
  const StepTrace trace = Record(Options{}, [] {
    add_host("10.0.0.2", [] {
      spawn_n([] { eventlet::sleep(absl::Seconds(5)); });
      eventlet::sleep(absl::Seconds(5));
    });
    eventlet::sleep(absl::Seconds(1));
    crash_host("10.0.0.2");
    restart_host("10.0.0.2");
    eventlet::sleep(absl::Seconds(1));
  });
  const TimelineLayout layout = timeline_layout(trace);
  int hosts_lane = -1;
  std::vector<std::string> host_subs;
  for (std::size_t i = 0; i < layout.lanes.size(); ++i) {
    const auto& lane = layout.lanes[i];
    if (lane.kind == TimelineLayout::Lane::Kind::kHosts) {
      hosts_lane = static_cast<int>(i);
    }
    if (lane.sub.find("on 10.0.0.2") != std::string::npos) {
      host_subs.push_back(lane.label);
    }
  }
  ASSERT_NE(hosts_lane, -1);
  // The start greenthread, its child, the restarted start and its child.
  EXPECT_EQ(host_subs,
            (std::vector<std::string>{"gt 1", "gt 2", "gt 3", "gt 4"}));
  std::vector<std::string> on_hosts_lane;
  for (std::size_t i = 0; i < trace.events.size(); ++i) {
    if (layout.event_lane[i] == hosts_lane) {
      on_hosts_lane.push_back(trace.events[i].kind);
    }
  }
  EXPECT_EQ(on_hosts_lane, (std::vector<std::string>{"host_start", "host_crash",
                                                     "host_restart"}));
  const std::string html = timeline_html(trace, "hosts");
  EXPECT_NE(html.find("host_crash"), std::string::npos);
}

}  // namespace
}  // namespace eventlet::sim
