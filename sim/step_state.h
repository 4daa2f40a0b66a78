// Copyright 2026 The eventlet-cpp Authors.
//
// step_state.h: one decoded trace event (StepEvent) and the hub state the
// stepper reconstructs from a prefix of them (HubState). Each event kind the
// stepper knows is an EventKind, parsed once when the trace is loaded, and
// has one handler in HubState; kinds it does not know (a newer trace
// version's) are EventKind::kUnknown: shown generically, no state change.
//
//   HubState state;
//   for (const StepEvent& e : trace.events) state.apply(e);
//
// HubState is a plain value: copying it is how the stepper checkpoints
// (sim/step.h).
#ifndef EVENTLET_SIM_STEP_STATE_H_
#define EVENTLET_SIM_STEP_STATE_H_

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace eventlet::sim {

inline constexpr std::int64_t kHubGt = -1;

// The event kinds of docs/trace-format.md the stepper reconstructs: after
// kUnknown, exactly sim::trace_event_kinds() in its order (the names come
// from there; step_test checks each one).
enum class EventKind : std::uint8_t {
  kUnknown,  // any other kind: displayed generically, changes nothing
  kSpawn,
  kSwitch,
  kBlock,
  kReady,
  kEventSend,
  kQueuePut,
  kQueueGet,
  kQueueTaskDone,
  kSemRelease,
  kPrepareTimers,
  kExit,
  kException,
  kTimerAdd,
  kTimerFire,
  kTimerCancel,
  kListenAdd,
  kListenFire,
  kListenRemove,
  kPass,
  kPoll,
  kPollDone,
  kChoose,
  kStall,
  kOutcome,
  kNetSend,
  kNetDeliver,
  kNetDrop,
  kHostStart,
  kHostCrash,
  kHostRestart,
  kClockRead,
};
inline constexpr std::size_t kEventKindCount =
    static_cast<std::size_t>(EventKind::kClockRead) + 1;

// "timer_fire" -> kTimerFire; names it does not know -> kUnknown.
EventKind parse_event_kind(std::string_view name);
// The trace's name of a known kind ("unknown" for kUnknown).
std::string_view event_kind_name(EventKind kind);

// One event of a trace, decoded. Fields a kind does not have stay at their
// defaults (has_* says whether the optional ones were present).
struct StepEvent {
  std::uint64_t seq = 0;
  std::int64_t t = 0;
  std::int64_t gt = 0;
  std::string kind;                      // as in the trace
  EventKind type = EventKind::kUnknown;  // parse_event_kind(kind)
  std::uint64_t cause = 0;               // 0: none
  std::int64_t by = 0;                   // spawn, ready
  std::int64_t from = 0;                 // switch
  std::string on;                        // block
  std::uint64_t obj = 0;  // block (0: none named), the wake-ups (event_send...)
  std::vector<std::int64_t> wakes;   // the wake-ups: greenthreads made ready
  std::vector<std::int64_t> timers;  // prepare_timers: moved to the heap
  std::string where, what;           // exception
  std::uint64_t timer = 0;           // timer_*, ready
  std::int64_t deadline = 0;
  bool has_deadline = false;  // timer_add always; poll: false = no limit
  std::string action;         // timer_add
  std::int64_t target = 0;
  bool has_target = false;
  std::int64_t fd = 0;                   // listen_*
  std::string ev;                        // "r" / "w"
  std::int64_t ready = 0;                // poll_done
  std::vector<std::int64_t> set, order;  // choose
  std::string why;                       // stall, host_crash, host_restart
  std::uint64_t packet = 0;              // net_*
  std::string src, dst;                  // net_* ("what" as above)
  std::int64_t bytes = 0;                // net_*
  std::int64_t at = 0;                   // net_send: when it arrives
  bool has_at = false;
  std::int64_t jitter = -1;     // net_send: the draw (-1: none)
  std::string reason;           // net_drop: "loss", "partition"
  std::string result, message;  // outcome
  std::string host;             // host_*, clock_read
  std::int64_t start = 0;       // host_start, host_restart: its greenthread
  std::int64_t offset = 0;      // host_start: clock offset, ns
  std::int64_t drift = 0;       // host_start: clock drift, ppb
  std::int64_t reading = 0;     // clock_read: the host's clock, ns
  std::string line;             // the JSON line itself
};

// "read" for "r", "write" for "w".
std::string ev_word(const std::string& ev);

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
    // The simulated host it runs on ("" none): its host_start/host_restart
    // names it, and greenthreads inherit their creator's.
    std::string host;
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
  // A simulated host (sim/host.h).
  struct Host {
    bool up = true;
    std::uint64_t since = 0;  // its last host_start / crash / restart
    std::string why;          // the last crash's or restart's cause
    std::int64_t start = 0;   // the greenthread running its start function
    std::int64_t offset = 0, drift = 0;
    int crashes = 0;
    bool has_reading = false;  // a clock_read so far
    std::int64_t reading = 0;  // the last one
    std::uint64_t read_at = 0;
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
  // Timer passes begun; the current one's first event and time. A pass
  // opens at its `prepare_timers` when that follows a poll (or the start) or
  // is made by a greenthread that chains the next pass itself (the direct
  // hand-off), else at its `choose` (the tie breaker ordered it), else at its
  // `pass`; the hub's prepare_timers after a pass's timers (before the poll)
  // belongs to that pass.
  int passes = 0;
  std::uint64_t pass_seq = 0;
  std::int64_t pass_t = 0;
  // The last event opened the current pass, or followed (as its choose) the
  // prepare_timers that did: the pass event after it opens nothing.
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
  std::map<std::string, Host> hosts;  // by address

  HubState();
  // Moves the state past `e` (which must be event position + 1). An
  // unknown kind moves only position and t.
  void apply(const StepEvent& e);

 private:
  // One handler per kind; apply() dispatches on e.type.
  void on_spawn(const StepEvent& e);
  void on_switch(const StepEvent& e);
  void on_block(const StepEvent& e);
  void on_ready(const StepEvent& e);
  void on_exit(const StepEvent& e);
  void on_prepare_timers(const StepEvent& e);
  void on_timer_add(const StepEvent& e);
  void on_timer_fire(const StepEvent& e);
  void on_timer_cancel(const StepEvent& e);
  void on_listen_add(const StepEvent& e);
  void on_listen_fire(const StepEvent& e);
  void on_listen_remove(const StepEvent& e);
  void on_net_send(const StepEvent& e);
  void on_net_deliver(const StepEvent& e);
  void on_net_drop(const StepEvent& e);
  void on_choose(const StepEvent& e);
  void on_pass(const StepEvent& e);
  void on_poll(const StepEvent& e);
  void on_poll_done(const StepEvent& e);
  void on_stall(const StepEvent& e);
  void on_host(const StepEvent& e);  // host_start, host_crash, host_restart
  void on_clock_read(const StepEvent& e);
  // Counts a new pass that `e` opens.
  void open_pass(const StepEvent& e);
};

const char* phase_name(HubState::Phase p);

}  // namespace eventlet::sim

#endif  // EVENTLET_SIM_STEP_STATE_H_
