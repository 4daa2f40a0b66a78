// Copyright 2026 The eventlet-cpp Authors.
//
// chrome_trace.h: a scheduling trace in the Chrome Trace Event Format (the
// JSON object form), so it opens in Perfetto (ui.perfetto.dev) or
// chrome://tracing: `./bazelw run //sim:timeline -- --format=chrome TRACE`.
//
// One process; one thread (track) per greenthread, named "main (0)",
// "gt 1", ..., and one for the hub (tid = gt id + 2: the hub is 1, main 2).
//   - Each greenthread's turns on the CPU (a switch to it .. the next switch)
//     are complete slices ("X") on its track, named "runs".
//   - The hub's phases (start, prepare timers, fire timers, poll, stall) are
//     complete slices on the hub's track, back to back.
//   - Every other event is an instant ("i", scope "t") named by its kind, on
//     the track of whoever held the CPU when it happened (the hub's track
//     while the hub runs); its args are its seq, virtual time in ns, gt, the
//     stepper's words for it and its own fields.
//   - Each simulated host (sim/host.h) has a track, "host 10.0.0.2", after
//     the greenthreads': its "up" and "down" times as complete slices
//     between its host_start, host_crash and host_restart events.
//   - Each cause is a flow: "s" at the cause, "f" (bind point "e") at the
//     event, both with id = the event's seq, category "cause". Every flow
//     end lies inside a slice on its track, so viewers bind it there.
//
// Timestamps: `ts` is the event's virtual time in microseconds, except that
// many events share one virtual time: each event gets
// max(its virtual time, the previous event's ts + 1 ns), so events keep their
// trace order and every slice has a width. The drift is 1 ns per event
// crowded into one instant; the exact time is in each event's args ("t", ns).
// displayTimeUnit is "ns".
#ifndef EVENTLET_SIM_CHROME_TRACE_H_
#define EVENTLET_SIM_CHROME_TRACE_H_

#include <string>

#include "sim/step.h"

namespace eventlet::sim {

// The JSON text ({"traceEvents":[...],"displayTimeUnit":"ns",...}).
std::string chrome_trace_json(const StepTrace& trace);

}  // namespace eventlet::sim

#endif  // EVENTLET_SIM_CHROME_TRACE_H_
