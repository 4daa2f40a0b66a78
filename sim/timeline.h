// Copyright 2026 The eventlet-cpp Authors.
//
// timeline.h: the logic behind //sim:timeline: one self-contained HTML page
// (inline CSS and JS, nothing fetched at view time) showing a trace as
// swimlanes: one lane per greenthread (and the hub), timer rows, an I/O lane
// when the trace has fd listeners, polls or packets, a hosts lane when it has
// simulated hosts' starts, crashes and restarts.
//
// The page is built from real source files beside this one
// (sim/timeline_page.html, timeline.css, timeline.js), embedded at build time
// (the :timeline_assets genrule, tools/embed_text.sh). The trace goes in as
// one JSON object of compact rows (one array per event); the script draws
// only what is on screen on a canvas. docs/trace-format.md describes the page
// and its URL fragment (#step=N&keys=...&filter=...), which records what it
// shows on <body> for headless tests (sim/timeline_browser_test.sh).
#ifndef EVENTLET_SIM_TIMELINE_H_
#define EVENTLET_SIM_TIMELINE_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "sim/step.h"

namespace eventlet::sim {

// Where each event of a trace sits on the page.
struct TimelineLayout {
  struct Lane {
    enum class Kind { kGreenthread, kTimers, kIo, kHosts };
    Kind kind = Kind::kGreenthread;
    std::int64_t gt = 0;  // kGreenthread: its id (kHubGt for the hub)
    int row = 0;          // kTimers: which row (0 = the first)
    std::string label, sub;
  };
  // A timer's life, add .. fire or cancel (events[] indices; `end` is the
  // last event's index when it never ends in the trace).
  struct TimerSpan {
    std::uint64_t timer = 0;
    std::size_t start = 0, end = 0;
    int lane = 0;  // one of the timer rows
    bool cancelled = false;
  };
  // The hub, main, greenthreads by id (a host's with "on <address>" in their
  // sub-label), timers, I/O, hosts (host_start, host_crash, host_restart;
  // only if the trace has them).
  std::vector<Lane> lanes;
  std::vector<int> event_lane;  // per event: its index in `lanes`
  // Timer rows are packed first-fit in event order: spans on one row never
  // overlap, not even at their end events.
  std::vector<TimerSpan> timers;
};

TimelineLayout timeline_layout(const StepTrace& trace);

// The page for `trace`; `title` names it (e.g. the trace's file name).
std::string timeline_html(const StepTrace& trace, const std::string& title);

}  // namespace eventlet::sim

#endif  // EVENTLET_SIM_TIMELINE_H_
