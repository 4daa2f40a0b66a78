// Copyright 2026 The eventlet-cpp Authors.
//
// shrink.h: from a failing trace, a schedule that fails the same way with as
// few preemptions as possible, then as few events as possible.
//
//   ShrinkResult r = sim::shrink(failing_trace_text, LostUpdateScenario);
//   if (r.ok) write(r.trace);  // r.preemptions_before -> r.preemptions_after
//
// A preemption is a `choose` decision whose order departs from FIFO
// (eventlet's order): the fewer there are, the closer the schedule is to what
// a reader expects, and the fewer places to look. "Fails the same way" means
// the same closing outcome event: the same result and message
// (Result::traced_outcome).
//
// How. Every candidate is a list of decisions run under sim::run driven by it
// (Options::decisions; same seed, so the user's random stream is unchanged),
// untraced:
// 1. The trace's own decisions must reproduce its outcome (else: not ok,
//    with why).
// 2. Fewer preemptions: delta debugging (Zeller's ddmin) over the set of
//    preemptive decisions, the others turned to FIFO; the result is
//    1-minimal: turning any one remaining preemption to FIFO loses the
//    failure. FIFO itself (no preemption) is tried first.
// 3. Fewer events: each remaining preemption is replaced, in turn, by a
//    single "run this wake-up first" decision at another pass of the run,
//    when that keeps the failure with fewer events; until no such move helps.
// 4. The minimal schedule is run once more, traced: ShrinkResult::trace, a
//    valid trace whose decisions replay (sim::replay) to the same outcome.
// Runs are bounded by ShrinkOptions::max_runs; when the budget runs out the
// best schedule found so far is returned (ok, with `exhausted` set).
//
// Blocking: runs `fn` many times (each run on its own thread, one at a time).
// Never throws on bad input: a rejected trace is reported in `message`.
#ifndef EVENTLET_SIM_SHRINK_H_
#define EVENTLET_SIM_SHRINK_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "absl/functional/function_ref.h"
#include "sim/sim.h"
#include "sim/trace.h"

namespace eventlet::sim {

struct ShrinkOptions {
  int max_runs = 5000;  // candidate runs at most
  // max_time / max_events of each run (seed, strategy and tracing come from
  // the trace). max_events 0: twice the trace's events plus 1000.
  Options limits;
};

struct ShrinkResult {
  bool ok = false;         // `trace` holds a minimal failing schedule
  bool exhausted = false;  // max_runs ran out before the search finished
  std::string message;     // why not ok; else a one-paragraph summary
  TraceOutcome outcome;    // the failure kept
  std::size_t preemptions_before = 0;
  std::size_t preemptions_after = 0;
  std::uint64_t events_before = 0;
  std::uint64_t events_after = 0;
  int runs = 0;       // candidate runs made
  std::string trace;  // the minimal trace (if ok)
};

ShrinkResult shrink(std::string_view trace, absl::FunctionRef<void()> fn,
                    const ShrinkOptions& options = {});

}  // namespace eventlet::sim

#endif  // EVENTLET_SIM_SHRINK_H_
