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
// (prepare timers -> fire timers -> poll) the event belongs to. Moving back
// replays from the start, so every position shows exactly the same state
// however it was reached.
#ifndef EVENTLET_SIM_STEP_H_
#define EVENTLET_SIM_STEP_H_

#include <cstddef>
#include <cstdint>
#include <istream>
#include <map>
#include <optional>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "sim/trace.h"

namespace eventlet::sim {

inline constexpr std::int64_t kHubGt = -1;

// One event of a trace, decoded. Fields a kind does not have stay at their
// defaults (has_* says whether the optional ones were present).
struct StepEvent {
  std::uint64_t seq = 0;
  std::int64_t t = 0;
  std::int64_t gt = 0;
  std::string kind;
  std::uint64_t cause = 0;  // 0: none
  std::int64_t by = 0;      // spawn, ready
  std::int64_t from = 0;    // switch
  std::string on;           // block
  std::uint64_t obj = 0;    // block (0: none named), event_send... (wakes)
  std::vector<std::int64_t> wakes, timers;  // event_send...; prepare_timers
  std::string where, what;                  // exception
  std::uint64_t timer = 0;                  // timer_*, ready
  std::int64_t deadline = 0;
  bool has_deadline = false;  // timer_add always; poll: false = no limit
  std::string action;         // timer_add
  std::int64_t target = 0;
  bool has_target = false;
  std::int64_t fd = 0;                   // listen_*
  std::string ev;                        // "r" / "w"
  std::int64_t ready = 0;                // poll_done
  std::vector<std::int64_t> set, order;  // choose
  std::string why;                       // stall
  std::uint64_t packet = 0;              // net_*
  std::string src, dst;                  // net_* ("what" as above)
  std::int64_t bytes = 0;                // net_*
  std::int64_t at = 0;                   // net_send: when it arrives
  bool has_at = false;
  std::int64_t jitter = -1;     // net_send: the draw (-1: none)
  std::string reason;           // net_drop: "loss", "partition"
  std::string result, message;  // outcome
  std::string line;             // the JSON line itself
};

struct StepTrace {
  TraceHeader header;
  std::vector<StepEvent> events;  // events[i].seq == i + 1
};

// Decodes a validated trace. Fails (line number, message) only on field
// shapes parse_trace does not pin down.
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

// The hub's state after some prefix of the events.
struct HubState {
  enum class Phase { kStart, kPrepare, kFireTimers, kPoll, kStall };
  struct Gt {
    std::string state;        // running, ready, blocked, not started, ...
    std::string waiting_on;   // block's "on" while blocked
    std::uint64_t since = 0;  // the event that set the state
    std::int64_t created_by = 0;
    std::uint64_t created_at = 0;  // spawn seq (0: main, hub)
    bool queued = false;           // a ready (zero-delay wake-up) is queued
    std::uint64_t queued_at = 0;
    std::int64_t queued_by = 0;
    // A timer_fire or listen_fire that resumes it (until it runs).
    std::uint64_t woken_at = 0;
    std::string woken_how;
  };
  struct Timer {
    std::int64_t deadline = 0;
    std::string action;
    std::int64_t target = 0;
    bool has_target = false;
    std::uint64_t added_at = 0;
    std::int64_t added_by = 0;
    bool in_heap = false;  // false: still in next_timers
  };
  struct Listener {
    std::int64_t gt = 0;
    std::uint64_t added_at = 0;
    std::uint64_t fired_at = 0;  // 0: still waiting
  };
  struct FdStats {
    int adds = 0, fires = 0, removes = 0;
  };
  // A packet of the simulated network, sent and not yet delivered or
  // dropped.
  struct Packet {
    std::string what, src, dst;
    std::int64_t bytes = 0;
    std::int64_t at = 0;
    bool has_at = false;
    std::uint64_t sent_at = 0;
    std::int64_t sent_by = 0;
  };

  std::uint64_t position = 0;  // events applied
  std::int64_t t = 0;
  std::int64_t running = 0;  // who holds the CPU
  Phase phase = Phase::kStart;
  // Timer passes begun; the current one's first event (the
  // `prepare_timers` that follows a poll, else its `choose` when the tie
  // breaker ordered it, else its `pass`) and time.
  int passes = 0;
  std::uint64_t pass_seq = 0;
  std::int64_t pass_t = 0;
  // The last event opened the current pass (a prepare_timers or a choose).
  bool pass_opened_by_last_event = false;
  std::uint64_t poll_seq = 0;  // last poll
  std::int64_t poll_deadline = 0;
  bool poll_has_deadline = false;
  std::uint64_t poll_done_seq = 0;
  std::int64_t poll_ready = 0;
  int polls = 0;
  int timers_added = 0, timers_fired = 0, timers_cancelled = 0;
  std::map<std::int64_t, Gt> gts;
  std::map<std::uint64_t, Timer> timers;
  std::map<std::pair<std::int64_t, std::string>, Listener> listeners;
  std::map<std::pair<std::int64_t, std::string>, FdStats> fds;
  std::map<std::uint64_t, Packet> packets;  // in flight, by packet id
  int packets_sent = 0, packets_delivered = 0, packets_dropped = 0;

  HubState();
  void apply(const StepEvent& e);
};

const char* phase_name(HubState::Phase p);

// The interactive stepper. Commands (see help_text()):
//   n|next [N]     s|step [GT]     c|continue     b|break SPEC
//   d|delete [N]   back [N]        goto SEQ       l|list [N]
//   show           why             gts  timers  listeners  net
//   help           q|quit          (empty line: repeat the last command)
class Stepper {
 public:
  explicit Stepper(const StepTrace& trace);

  // Reads commands line by line until "q" or end of input. `echo`: write
  // each command after the prompt (when stdin is not a terminal, so the
  // output reads like a session).
  void run(std::istream& in, std::ostream& out, bool echo);
  // Executes one command line; false on quit.
  bool execute(const std::string& line, std::ostream& out);

  std::uint64_t position() const { return state_.position; }
  const HubState& state() const { return state_; }
  void go_to(std::uint64_t position);

  // Views.
  std::string banner() const;
  std::string gts_view() const;
  std::string timers_view() const;
  std::string listeners_view() const;
  std::string net_view() const;
  static std::string help_text();

 private:
  struct Breakpoint {
    int id = 0;
    std::string spec;
    std::string kind;
    std::optional<std::int64_t> gt;
    std::optional<std::int64_t> t_at_least;
  };
  bool parse_breakpoint(const std::string& spec, Breakpoint* b,
                        std::string* error) const;
  bool hits(const Breakpoint& b, const StepEvent& e) const;
  void step_forward();
  void show_current(std::ostream& out) const;
  std::string event_line(const StepEvent& e) const;

  const StepTrace& trace_;
  HubState state_;
  int seq_width_ = 0;
  int t_width_ = 0;
  std::vector<Breakpoint> breakpoints_;
  int next_breakpoint_ = 1;
  std::string last_command_;
};

}  // namespace eventlet::sim

#endif  // EVENTLET_SIM_STEP_H_
