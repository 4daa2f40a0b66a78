// Copyright 2026 The eventlet-cpp Authors.
//
// timeline.h: the logic behind //sim:timeline: one self-contained HTML page
// (inline CSS and JS, nothing fetched at view time) showing a trace as
// swimlanes: one lane per greenthread (and the hub), a timers lane, an I/O
// lane when the trace has fd listeners, polls or packets. Events sit in columns
// by seq, with a time ruler; arrows join each event to its cause; bands behind
// the lanes mark the hub phase (prepare timers, fire timers, poll). A scrubber
// (range input, prev/next buttons, the arrow keys) steps through the events,
// highlighting the current one and showing its text line (as `step --print`
// writes it), its JSON, its causes and the reconstructed hub state
// (sim/step.h).
//
// Columns go by seq; "spread by time" (a checkbox; &time=1 in the URL) adds a
// gap, on a log scale, wherever virtual time moves.
//
// URL fragment, for links and headless tests: #step=N opens at event N;
// &keys=ArrowRight,ArrowLeft,... then replays those key presses. The page
// records where it is in <body data-current=N data-events=... data-markers=...>
// and #status, so `chromium --dump-dom` shows the outcome.
#ifndef EVENTLET_SIM_TIMELINE_H_
#define EVENTLET_SIM_TIMELINE_H_

#include <string>

#include "sim/step.h"

namespace eventlet::sim {

// The page for `trace`; `title` names it (e.g. the trace's file name).
std::string timeline_html(const StepTrace& trace, const std::string& title);

}  // namespace eventlet::sim

#endif  // EVENTLET_SIM_TIMELINE_H_
