// Copyright 2026 The eventlet-cpp Authors.
//
// step.h: the logic behind //sim:step, a debugger-like stepper over a
// scheduling trace (docs/trace-format.md), and the one-line-per-event text
// view (`step --print`) that tutorials quote and golden files pin.
//
//   sim::ParsedTrace parsed;  sim::TraceError error;
//   if (!sim::parse_trace(text, &parsed, &error)) ...;
//   sim::StepTrace trace;
//   if (!sim::load_step_trace(parsed, &trace, &error)) ...;
//   std::cout << sim::print_trace(trace);          // --print
//   sim::Stepper stepper(trace);
//   stepper.run(std::cin, std::cout, /*echo=*/true);  // interactive
//
// The stepper reconstructs the hub's state at any event from the events
// before it: greenthreads (state, what each waits on), the timer queue
// (next_timers and the heap), fd listeners, the polls, and the hub phase
// (prepare timers -> fire timers -> poll) the event belongs to
// (sim/step_state.h). Moving to a position replays from the nearest
// checkpoint before it, so every position shows exactly the same state
// however it was reached.
#ifndef EVENTLET_SIM_STEP_H_
#define EVENTLET_SIM_STEP_H_

#include <cstddef>
#include <cstdint>
#include <istream>
#include <optional>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "sim/step_state.h"
#include "sim/trace.h"

namespace eventlet::sim {

struct StepTrace {
  TraceHeader header;
  std::vector<StepEvent> events;  // events[i].seq == i + 1
};

// Decodes a validated trace. Fails (line number, message) only on field
// shapes parse_trace does not pin down (a known key with a value of another
// type, a missing seq, t, gt or kind, seq out of order). Kinds and keys this
// stepper does not know (a newer format's) decode as EventKind::kUnknown
// and are skipped, so a trace with them still loads.
bool load_step_trace(const ParsedTrace& parsed, StepTrace* out,
                     TraceError* error);
// parse_trace + load_step_trace of a file.
bool load_step_trace_file(const std::string& path, StepTrace* out,
                          TraceError* error);

// Names: -1 is "hub", others their number.
std::string gt_name(std::int64_t gt);
// Virtual ns as seconds: 6 decimals, or 9 when not a whole microsecond.
std::string format_time(std::int64_t ns);
// What the event says, in words (no seq, time, gt or cause):
// "hub -> 1", "timer 3 due t=0.005000, resume 2", "fd 65536 read"...
std::string describe_event(const StepEvent& e);

// The text view, fixed columns:
//   #9   t=0.000000  gt=1    switch        hub -> 1   (cause #2)
// `seq_width` / `t_width` pad those columns (0: no padding).
std::string format_event_line(const StepEvent& e, int seq_width = 0,
                              int t_width = 0);
// One line summarising the header and the whole trace.
std::string format_header_line(const StepTrace& trace);
// --print: the header line, then one line per event, columns padded to the
// widest seq and time of the trace. Every line ends in '\n'.
std::string print_trace(const StepTrace& trace);

// Where the stepper's command lines come from: a stream (a pipe, a file,
// a test) or a line editor (sim/step_line_editor.h, for a terminal).
class LineSource {
 public:
  virtual ~LineSource() = default;
  // Shows `prompt`, reads one line into *line (without its newline).
  // False at the end of input. Blocks until a line is there.
  virtual bool read_line(const std::string& prompt, std::string* line) = 0;
};

// Lines from an istream. Writes the prompt to `out` and, when `echo`, the
// line read after it (so a piped session's output reads like a terminal's).
class StreamLineSource : public LineSource {
 public:
  // Both streams must outlive this.
  StreamLineSource(std::istream& in, std::ostream& out, bool echo)
      : in_(in), out_(out), echo_(echo) {}
  bool read_line(const std::string& prompt, std::string* line) override;

 private:
  std::istream& in_;
  std::ostream& out_;
  bool echo_;
};

// The interactive stepper. The commands are the table in
// sim/step_commands.h (help_text() lists them). An empty line repeats the
// last valid command; an unknown one is never repeated.
//
// Checkpoints: the constructor replays the whole trace once and keeps a copy
// of the state every checkpoint_interval() events (K). Going to any
// position restores the nearest checkpoint at or before it (unless the
// current state is nearer) and replays at most K - 1 events, so a jump costs
// one state copy plus < K applies whatever the distance. K is
// max(kMinCheckpointInterval, ceil(events / kMaxCheckpoints)): at most
// kMaxCheckpoints + 1 copies of the state are kept.
class Stepper {
 public:
  static constexpr std::uint64_t kMinCheckpointInterval = 1024;
  static constexpr std::uint64_t kMaxCheckpoints = 128;
  // Lines per page of `gts`.
  static constexpr std::size_t kGtsPerPage = 40;

  struct Breakpoint {
    int id = 0;
    std::string spec;
    std::string kind;
    std::optional<std::int64_t> gt;
    // Fires at the event whose time first reaches it (once per crossing).
    std::optional<std::int64_t> t_at_least;
  };

  // `trace` must outlive the stepper. `checkpoint_interval` 0: the default
  // K above.
  explicit Stepper(const StepTrace& trace,
                   std::uint64_t checkpoint_interval = 0);

  // Reads commands until "q" or the end of input: the header line, the
  // current position, then a prompt "(step) " per command.
  void run(LineSource& in, std::ostream& out);
  // run() over StreamLineSource(in, out, echo).
  void run(std::istream& in, std::ostream& out, bool echo);
  // Executes one command line; false on quit.
  bool execute(const std::string& line, std::ostream& out);

  const StepTrace& trace() const { return trace_; }
  std::uint64_t position() const { return state_.position; }
  const HubState& state() const { return state_; }
  // To event `position` (0: the start; past the end: the end).
  void go_to(std::uint64_t position);
  std::uint64_t checkpoint_interval() const { return interval_; }
  std::size_t checkpoint_count() const { return checkpoints_.size(); }

  // Breakpoints. add_breakpoint: kind=K | gt=N | t>=SECONDS; on a bad spec
  // false and *error says why.
  bool add_breakpoint(const std::string& spec, Breakpoint* added,
                      std::string* error);
  bool delete_breakpoint(int id);
  void delete_breakpoints() { breakpoints_.clear(); }
  const std::vector<Breakpoint>& breakpoints() const { return breakpoints_; }
  // The first event after `after` (the last before `before`) that a
  // breakpoint hits, and which; 0 and nullptr when none.
  std::uint64_t next_hit(std::uint64_t after, const Breakpoint** which) const;
  std::uint64_t previous_hit(std::uint64_t before,
                             const Breakpoint** which) const;

  // Views.
  std::string banner() const;
  // "greenthreads at #P (t=...):" and one line per greenthread, `count`
  // of them from the `first` (by id: hub, main, then spawn order).
  std::string gts_view(std::size_t first = 0,
                       std::size_t count = static_cast<std::size_t>(-1)) const;
  // One greenthread in detail ("" when it does not exist at this position).
  std::string gt_view(std::int64_t gt) const;
  std::string timers_view() const;
  std::string listeners_view() const;
  std::string net_view() const;
  // The current event in the session's columns, with its phase banner.
  void show_current(std::ostream& out) const;
  std::string event_line(const StepEvent& e) const;
  static std::string help_text();

 private:
  bool hits(const Breakpoint& b, const StepEvent& e) const;

  const StepTrace& trace_;
  std::uint64_t interval_ = kMinCheckpointInterval;
  std::vector<HubState> checkpoints_;  // [i]: the state after i * interval_
  HubState state_;
  int seq_width_ = 0;
  int t_width_ = 0;
  std::vector<Breakpoint> breakpoints_;
  int next_breakpoint_ = 1;
  std::string last_command_;  // the last valid one, for an empty line
};

}  // namespace eventlet::sim

#endif  // EVENTLET_SIM_STEP_H_
