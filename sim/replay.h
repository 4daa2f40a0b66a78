// Copyright 2026 The eventlet-cpp Authors.
//
// replay.h: run a program again against a recorded trace.
//
// replay() reads the trace's header (seed, strategy), runs `fn` under
// sim::run with those options while recording, and compares the two traces
// event by event. Identical ⇒ ok. Otherwise it names the FIRST diverging
// event: its seq, the expected and the actual line, and the expected events
// just before it. A trace that is corrupt, truncated, or from another format
// version is rejected before anything runs, with the line number and what was
// expected there (parse_trace). Nothing here throws on bad input.
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
  Result run;                            // the replay run (if it ran)
  std::string message;  // one paragraph: why it is not ok ("" if ok)
};

// Replays `trace` (the text of a trace file). `limits` supplies max_time /
// max_events for the run (seed, strategy and tracing come from the trace);
// by default the run may make at most twice the recorded events plus 1000.
ReplayResult replay(std::string_view trace, absl::FunctionRef<void()> fn,
                    const Options& limits = {});
// As replay(), reading the trace from `path` (an unreadable file is a
// bad_trace with line 0).
ReplayResult replay_file(const std::string& path, absl::FunctionRef<void()> fn,
                         const Options& limits = {});

}  // namespace eventlet::sim

#endif  // EVENTLET_SIM_REPLAY_H_
