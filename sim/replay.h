// Copyright 2026 The eventlet-cpp Authors.
//
// replay.h: run a program again against a recorded trace.
//
// replay() reads the trace's header (seed, strategy, PCT parameters) and its
// decisions (sim/decisions.h: the order of each pass's wake-ups, the
// network's draws), runs `fn` under sim::run DRIVEN by those decisions while
// recording, and compares the two traces event by event (each line without
// its hash `h`, so an edited decision does not make every later line
// differ). Identical ⇒ ok. Otherwise it names the FIRST diverging event:
// its seq, the expected and the actual line, and the expected events just
// before it; and it compares the closing `outcome` events: a fixed program
// replayed against a failing trace reports "outcome differs: expected ...
// got ...". Decisions may be edited by hand (a choose's `order`) or the
// trace cut short after any line, to try another schedule: the run follows
// what is left (FIFO past the end), and the events are still compared.
// A trace that is corrupt, truncated, or from another format version is
// rejected before anything runs, with the line number and what was expected
// there (parse_trace). Nothing here throws on bad input.
#ifndef EVENTLET_SIM_REPLAY_H_
#define EVENTLET_SIM_REPLAY_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/functional/function_ref.h"
#include "sim/sim.h"
#include "sim/trace.h"

namespace eventlet::sim {

struct Divergence {
  std::uint64_t seq = 0;  // the first event that differs
  std::string expected;   // its recorded line ("<end of trace>" if none)
  std::string actual;     // what the run produced ("<end of trace>" if none)
  std::vector<std::string> context;  // up to 3 expected events before it
  std::string to_string() const;
};

struct ReplayResult {
  bool ok = false;
  std::optional<TraceError> bad_trace;   // the trace was rejected
  std::optional<Divergence> divergence;  // the run differs
  // The recorded and the replayed outcome (set once the replay ran), and
  // whether they differ.
  TraceOutcome expected_outcome;
  TraceOutcome actual_outcome;
  bool outcome_differs = false;
  std::size_t edited_decisions = 0;  // choose lines edited by hand
  Result run;                        // the replay run (if it ran)
  std::string message;  // one paragraph: why it is not ok ("" if ok)
};

// Parses `trace` for a driven run (hand-edited chooses allowed), checks its
// build id, and fills `*options` with what such a run needs: seed, strategy
// and PCT parameters from the header, max_time / max_events from `limits`
// (max_events 0: twice the trace's events plus 1000). The caller sets
// Options::decisions. False, with `*error`, if the trace is rejected.
bool prepare_driven_run(std::string_view trace, const Options& limits,
                        ParsedTrace* parsed, Options* options,
                        TraceError* error);

// Replays `trace` (the text of a trace file). `limits` supplies max_time /
// max_events for the run (seed, strategy and tracing come from the trace);
// by default the run may make at most twice the recorded events plus 1000.
ReplayResult replay(std::string_view trace, absl::FunctionRef<void()> fn,
                    const Options& limits = {});
// Reads a whole file; false (and `*error`, line 0) if it cannot be read.
bool read_trace_file(const std::string& path, std::string* text,
                     TraceError* error);

// As replay(), reading the trace from `path` (an unreadable file is a
// bad_trace with line 0).
ReplayResult replay_file(const std::string& path, absl::FunctionRef<void()> fn,
                         const Options& limits = {});

}  // namespace eventlet::sim

#endif  // EVENTLET_SIM_REPLAY_H_
