// Copyright 2026 The eventlet-cpp Authors.
//
// trace.h: scheduling traces as JSON Lines (docs/trace-format.md is the
// precise format).
//
// TraceRecorder is a HubObserver (and a TieBreaker wrapper) that writes one
// line per hub event: a header line, then {"seq","t","gt","kind", fields...,
// "cause","h"} lines. Lines are built by hand in a fixed key order (the
// canonical form), so the same run gives the same bytes; the rolling hash "h"
// chains every line to all lines before it.
//
// Cost: nothing unless installed (the hub pays one branch per event). When
// installed, each event is formatted into an in-memory buffer; the buffer is
// flushed to the sink file (if any) whenever it grows past 1 MiB and at
// finish().
//
// parse_trace() validates a trace (header, seq numbering, kinds, required
// fields and their types, time never going back, the rolling hash) and reports
// the first problem with its line number. It never throws and never crashes on
// any input.
//
// Thread-safety: a recorder belongs to its hub's OS thread.
#ifndef EVENTLET_SIM_TRACE_H_
#define EVENTLET_SIM_TRACE_H_

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "hub/hub.h"
#include "hub/observer.h"
#include "sim/faults.h"
#include "sim/sim_net.h"

namespace eventlet::sim {

// Version 2 added the closing `outcome` event, `net_send`'s `jitter` and
// `net_drop`'s `reason` (the decisions a replay drives from). Version 3 added
// `prepare_timers`, the wake-ups of primitives (`event_send`, `queue_put`,
// `queue_get`, `queue_task_done`, `sem_release`) as the cause of the `ready`
// events they make, `ready`'s `timer` and `block`'s `obj`, and a
// `listen_fire` caused by the delivery (or poll) that made its fd ready.
// Version 4 added simulated hosts (sim/host.h): `host_start`, `host_crash`,
// `host_restart` and `clock_read`.
inline constexpr int kTraceVersion = 4;
inline constexpr const char* kTraceFormat = "eventlet-sim-trace";
// Names the scheduling semantics the trace was recorded with (not the binary:
// a trace must be byte-identical on every machine). Bumped whenever the hub's
// ordering rules or the event vocabulary change.
inline constexpr const char* kBuildId = "eventlet-cpp-sim/4";
// The largest PCT depth a trace (and sim::Options) may name.
inline constexpr std::uint64_t kMaxPctDepth = 10000;

struct TraceHeader {
  int version = kTraceVersion;
  std::uint64_t seed = 0;
  std::string strategy = "fifo";
  std::string build = kBuildId;
  // Strategy "pct" only (written and required then; 0 otherwise): the PCT
  // depth and horizon (sim::Options::pct_depth, pct_horizon).
  std::uint64_t pct_depth = 0;
  std::uint64_t pct_horizon = 0;
  // The run's seeded faults (sim::Options::faults), written (as "faults")
  // only if any is on, so that a replay draws the same ones.
  FaultOptions faults;
};

// Where and by whom a greenlet was created, as the recorder saw it.
struct Creation {
  bool known = false;
  std::uint64_t seq = 0;  // its spawn event
  std::int64_t t = 0;
  std::int64_t creator = 0;
};

class TraceRecorder final : public HubObserver, public TieBreaker {
 public:
  // `format`: false only counts events (no text, no hash). `sink`: if not
  // null, the trace is also written there (the recorder does not close it).
  TraceRecorder(Hub& hub, const TraceHeader& header, bool format,
                std::FILE* sink);
  ~TraceRecorder() override;

  // Installs this recorder as the hub's observer, chaining to the observer
  // already installed (if any): every event is forwarded to it. Also becomes
  // the hub's tie breaker if `inner` is not null, delegating decisions to it
  // and recording them as "choose" events (null: FIFO, nothing recorded).
  void install(TieBreaker* inner);
  // Restores the previous observer and tie breaker; flushes the sink.
  void uninstall();

  // The trace so far (header and events; empty if !format). With a sink, only
  // what is not flushed yet is kept in memory, unless keep_in_memory(true).
  const std::string& text() const { return text_; }
  void keep_in_memory(bool keep) { keep_ = keep; }
  // With a sink: write each line as soon as it is complete (a live trace,
  // e.g. debug::spew), instead of in blocks of about 1 MiB.
  void flush_each_line(bool on);
  std::uint64_t events() const { return seq_; }
  // The event counter itself (for SimBackend::set_event_budget).
  const std::uint64_t* events_counter() const { return &seq_; }
  // From the `count`-th event on, every event asks the hub for a poll
  // (Hub::request_poll), so that the backend gets control at the next pass
  // boundary even in a loop of sleep(0)s (the event budget). Default: never.
  void request_poll_at(std::uint64_t count) { poll_at_ = count; }
  // Stops formatting (the rest of the run is only counted); for the
  // simulation's teardown, which is not traced.
  void stop_formatting() { format_ = false; }
  std::uint64_t hash() const { return hash_; }
  Creation creation(std::int64_t greenlet_id) const;
  void flush();

  // Extra events, for the simulation itself: "stall" (deadlock or limit),
  // and "outcome", the run's result ("ok", "error", "deadlock", "time limit",
  // "event limit") with its message, always the last event of a trace.
  void note_stall(const char* why);
  void note_outcome(std::string_view result, std::string_view message);
  // Simulated hosts (sim/host.h). "host_start" (`start`: the greenthread that
  // runs its start function; `offset` ns and `drift` parts per billion of its
  // clock), "host_crash" and "host_restart" (`why`: "test", "scheduled" or
  // "seed"; a restart's `start`), "clock_read" (the host's `reading`, ns).
  void note_host_start(std::string_view host, std::int64_t start,
                       std::int64_t offset, std::int64_t drift);
  void note_host_crash(std::string_view host, std::string_view why);
  void note_host_restart(std::string_view host, std::string_view why,
                         std::int64_t start);
  void note_clock_read(std::string_view host, std::int64_t reading);

  // HubObserver.
  void on_spawn(const Greenlet& g, const Greenlet& creator) override;
  void on_switch(const Greenlet& from, const Greenlet& to) override;
  void on_block(const Greenlet& g, const char* waiting_on) override;
  void on_ready(const Greenlet& g, const Greenlet& waker,
                std::uint64_t timer) override;
  void on_wake(const char* op, const internal::WaitObject& object,
               std::span<const Greenlet* const> woken) override;
  void on_prepare_timers(std::span<internal::TimerNode* const> timers) override;
  void on_object_create(internal::WaitObject& object) override;
  void on_object_destroy(const internal::WaitObject& object) override;
  std::string object_creation_site(const internal::WaitObject& object) override;
  void on_exit(const Greenlet& g) override;
  void on_exception(std::exception_ptr error, std::string_view where) override;
  void on_timer_add(const internal::TimerNode& t) override;
  void on_timer_fire(const internal::TimerNode& t) override;
  void on_timer_cancel(const internal::TimerNode& t) override;
  void on_listen_add(int fd, IoEvents event, const Greenlet& g) override;
  void on_listen_fire(int fd, IoEvents event, const Greenlet& g) override;
  void on_listen_remove(int fd, IoEvents event, const Greenlet& g) override;
  void on_pass(std::int64_t when) override;
  void on_poll(std::int64_t deadline) override;
  void on_poll_done(std::size_t ready) override;
  // A packet of the simulated network (sim_net.h's NetEvent): recorded as
  // net_send / net_deliver / net_drop; a delivery's cause is its send.
  void on_net(const NetEvent& e);
  // TieBreaker.
  std::size_t pick(std::span<const Greenlet* const> candidates) override;

 private:
  // Line building: begin() writes {"seq":..,"t":..,"gt":..,"kind":"..";
  // the field helpers append ,"key":value; end() appends cause and hash.
  bool begin(std::int64_t gt, const char* kind);
  // Counts one event.
  void count() {
    if (++seq_ >= poll_at_) [[unlikely]]
      hub_.request_poll();
  }
  void field(const char* key, std::int64_t v);
  void field_str(const char* key, std::string_view v);
  void field_ids(const char* key, const std::vector<std::int64_t>& ids);
  void end(std::uint64_t cause);
  std::int64_t current_id() const { return hub_.current_greenlet().id(); }
  std::uint64_t& wake_cause(std::int64_t id);

  Hub& hub_;
  bool format_;
  std::FILE* sink_;
  bool keep_ = false;
  std::size_t flush_bytes_;  // flush to the sink once text_ holds this much
  bool installed_ = false;
  HubObserver* prev_observer_ = nullptr;
  TieBreaker* inner_ = nullptr;
  std::string text_;
  std::size_t line_start_ = 0;
  std::uint64_t seq_ = 0;
  std::uint64_t poll_at_ = static_cast<std::uint64_t>(-1);
  std::uint64_t hash_ = 0;
  // The last switch, or the timer_fire of the callback timer running now:
  // the cause of spawn, ready and exception events.
  std::uint64_t last_switch_ = 0;
  // The wake event (event_send...) whose ready events are being recorded,
  // and how many of them are still to come.
  std::uint64_t wake_seq_ = 0;
  std::size_t wake_left_ = 0;
  // The last poll_done: the cause of a listen_fire no delivery explains.
  std::uint64_t last_poll_done_ = 0;
  // listen_key(fd, ev) -> the first net_deliver since its listen_add that
  // may have made it ready (0: none).
  std::vector<std::uint64_t> fd_deliveries_;
  std::uint64_t& fd_delivery(std::size_t key);
  // Per greenlet id: the event that made it runnable last, and its creation.
  std::vector<std::uint64_t> wake_cause_;
  std::vector<Creation> creations_;
  // Timer seq -> its timer_add event, while queued.
  std::unordered_map<std::uint64_t, std::uint64_t> timer_adds_;
  // The seq of timer `timer`'s timer_add (0 if unknown), forgotten after.
  std::uint64_t take_timer_add(std::uint64_t timer);
  // (fd, event) -> listen_add event.
  std::vector<std::uint64_t> listen_adds_;
  std::unordered_map<std::uint64_t, std::uint64_t>
      packet_sends_;  // packet -> seq
  // Zero-delay wake-ups queued since the last pass began (greenlet ids), and
  // the tie breaker's choice being built.
  std::vector<std::int64_t> ready_mirror_;
  std::vector<std::int64_t> choose_set_;
  std::vector<std::int64_t> choose_left_;
  std::vector<std::int64_t> choose_order_;
};

// ---- Reading traces
// -----------------------------------------------------------

struct TraceError {
  std::size_t line = 0;  // 1-based; 0: not about one line
  std::string message;
  std::string to_string() const;
};

struct ParsedTrace {
  TraceHeader header;
  std::vector<std::string> lines;  // line 0 = header, then events (no '\n')
  std::uint64_t final_hash = 0;
  // With ParseOptions::allow_edited_choices: the 1-based line numbers of
  // `choose` events whose bytes were edited after recording, and whether the
  // trace ends with its outcome event (false: it was cut short).
  std::vector<std::size_t> edited_lines;
  bool complete = true;
};

struct ParseOptions {
  // Accept `choose` events edited by hand (their `order` changed, so their
  // hash no longer matches): each line's hash is then checked against the
  // previous line's recorded `h`, so an edit anywhere else is still caught.
  // Also accept a trace cut short after any line (no outcome event). For
  // replays that drive the schedule from the trace (sim/decisions.h).
  bool allow_edited_choices = false;
};

// Parses and validates `text`. Returns false and fills `*error` with the first
// problem; its message never contains control bytes (they are written \xNN).
// Never throws (but std::bad_alloc).
bool parse_trace(std::string_view text, ParsedTrace* out, TraceError* error,
                 const ParseOptions& options = {});

// The event kinds of this format version (kTraceVersion), in a fixed order
// (that of parse_trace's table: "spawn", "switch", "block", "ready", the
// wake-ups, "prepare_timers", "exit", ..., "outcome", "net_send",
// "net_deliver", "net_drop"). parse_trace rejects any other kind. The
// reference stays valid for the program's life.
const std::vector<std::string_view>& trace_event_kinds();

// The run's result, from a parsed trace's closing `outcome` event.
struct TraceOutcome {
  std::string result;   // "ok", "error", "deadlock", "time limit", ...
  std::string message;  // the error, the deadlock's summary, or ""
  bool operator==(const TraceOutcome&) const = default;
  // `error "lost update: ..."` (the message JSON-quoted), or `ok`.
  std::string to_string() const;
};
// Reads the closing outcome event of a parsed trace (empty `result` if the
// trace was cut short).
TraceOutcome trace_outcome(const ParsedTrace& trace);

// At most `max` bytes of `s` (then "..."), for a message, with every byte
// outside printable ASCII written \xNN: text from a (possibly hostile) trace
// cannot send escape sequences to a terminal.
std::string printable(std::string_view s, std::size_t max = 80);

// The rolling hash: FNV-1a 64 of `bytes`, starting from `prev`.
std::uint64_t trace_hash(std::uint64_t prev, std::string_view bytes);

}  // namespace eventlet::sim

#endif  // EVENTLET_SIM_TRACE_H_
