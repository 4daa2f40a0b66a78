// Copyright 2026 The eventlet-cpp Authors.
//
// The timeline page (sim/timeline.h): produced, self-contained (no external
// URL), carrying every event, and safe against hostile strings in a trace.
// sim/timeline_browser_test.sh loads it in headless Chromium.
#include "sim/timeline.h"

#include <cstdlib>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "greenthread/greenthread.h"
#include "gtest/gtest.h"
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

std::size_t Count(const std::string& s, const std::string& part) {
  std::size_t n = 0;
  for (auto p = s.find(part); p != std::string::npos; p = s.find(part, p + 1)) {
    ++n;
  }
  return n;
}

TEST(Timeline, OneSelfContainedPageWithEveryEvent) {
  Options options = testdata::StepDemoOptions();
  options.trace_in_memory = true;
  Result r = run(options, testdata::StepDemo);
  ASSERT_TRUE(r.ok()) << r.summary();
  const StepTrace trace = Load(r.trace);
  const std::string html = timeline_html(trace, "step_demo");

  EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_NE(html.find("</html>"), std::string::npos);
  // Nothing fetched at view time.
  EXPECT_EQ(html.find("http://"), std::string::npos);
  EXPECT_EQ(html.find("https://"), std::string::npos);
  EXPECT_EQ(html.find("src="), std::string::npos);
  EXPECT_EQ(html.find("<link"), std::string::npos);
  EXPECT_EQ(html.find("@import"), std::string::npos);
  EXPECT_EQ(Count(html, "<script"), 2u);  // the data and the code, inline
  // Every event, as its text line and its JSON line (in the embedded data).
  for (const StepEvent& e : trace.events) {
    EXPECT_NE(html.find("\"seq\":" + std::to_string(e.seq) + ","),
              std::string::npos)
        << e.seq;
  }
  EXPECT_NE(html.find("#23  t=0.001000  gt=1    switch"), std::string::npos);
  // Packets sit in the network lane; a delivery names its send as cause.
  // (The page's JSON writes '>' as \u003e.)
  EXPECT_NE(html.find("#19  t=0.001000  gt=hub  net_deliver    syn 0 B "
                      "10.0.0.1 -\\u003e 10.0.0.2    (cause #5)"),
            std::string::npos);
  EXPECT_NE(html.find("\"sub\":\"fds, polls, packets\""), std::string::npos);
  EXPECT_NE(html.find("net_deliver: '"), std::string::npos);
  // The lanes and the scrubber.
  EXPECT_NE(html.find("\"label\":\"hub\""), std::string::npos);
  EXPECT_NE(html.find("\"label\":\"main (0)\""), std::string::npos);
  EXPECT_NE(html.find("\"label\":\"gt 2\""), std::string::npos);
  EXPECT_NE(html.find("\"label\":\"timers\""), std::string::npos);
  EXPECT_NE(html.find("\"label\":\"I/O (network)\""), std::string::npos);
  EXPECT_NE(html.find("type=\"range\""), std::string::npos);
  EXPECT_NE(html.find("id=\"prev\""), std::string::npos);
  EXPECT_NE(html.find("id=\"next\""), std::string::npos);
  EXPECT_NE(html.find("ArrowRight"), std::string::npos);
}

TEST(Timeline, HostileStringsCannotEndTheScript) {
  Options options;
  options.trace_in_memory = true;
  Result r = run(options, [] {
    spawn_n([] { throw std::runtime_error("</script><b>&amp;\"'"); });
    eventlet::sleep();
  });
  ASSERT_TRUE(r.ok()) << r.summary();
  const StepTrace trace = Load(r.trace);
  const std::string html = timeline_html(trace, "<title>&");
  EXPECT_EQ(Count(html, "</script>"), 2u);
  EXPECT_EQ(html.find("<b>"), std::string::npos);
  EXPECT_NE(html.find("&lt;title&gt;&amp;"), std::string::npos);
  EXPECT_NE(html.find("\\u003c/script\\u003e"), std::string::npos);
}

TEST(Timeline, EmptyTraceStillMakesAPage) {
  Options options;
  options.trace_in_memory = true;
  Result r = run(options, [] {});
  ASSERT_TRUE(r.ok()) << r.summary();
  const StepTrace trace = Load(r.trace);
  const std::string html = timeline_html(trace, "empty");
  // Nothing but the closing outcome event.
  EXPECT_NE(html.find("\"events\":[{"), std::string::npos);
  EXPECT_NE(html.find("\"kind\":\"outcome\""), std::string::npos);
  EXPECT_EQ(html.find("\"seq\":2,"), std::string::npos);
}

// Many greenthreads and events: the page stays bounded (the state snapshots
// stop once they would make it too big) and is made quickly.
TEST(Timeline, LargeTraceStaysBounded) {
  Options options;
  options.trace_in_memory = true;
  Result r = run(options, [] {
    std::vector<GreenThread<void>> gts;
    for (int i = 0; i < 300; ++i) {
      gts.push_back(spawn([i] {
        for (int k = 0; k < 10; ++k) {
          eventlet::sleep(absl::Microseconds(1 + (i * 7 + k * 13) % 50));
        }
      }));
    }
    for (auto& gt : gts) gt.wait();
  });
  ASSERT_TRUE(r.ok()) << r.summary();
  const StepTrace trace = Load(r.trace);
  ASSERT_GT(trace.events.size(), 10000u);
  const std::string html = timeline_html(trace, "large");
  EXPECT_LT(html.size(), 16u << 20) << html.size();
  EXPECT_NE(html.find("the hub state is left out"), std::string::npos);
  // Kept for a look in a browser: bazel-testlogs/sim/timeline_test/.
  if (const char* dir = std::getenv("TEST_UNDECLARED_OUTPUTS_DIR")) {
    std::ofstream(std::string(dir) + "/large_timeline.html") << html;
  }
  EXPECT_NE(html.find("\"seq\":" + std::to_string(trace.events.size()) + ","),
            std::string::npos);
}

}  // namespace
}  // namespace eventlet::sim
