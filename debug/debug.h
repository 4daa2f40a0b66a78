// Copyright 2026 The eventlet-cpp Authors.
//
// debug.h: eventlet.debug for C++ — creation stacks of timers, listeners and
// greenthreads; dumps of the hub; a blocking detector that does not kill
// anyone; a signal that dumps a hung process; counts for leak checks.
//
//   eventlet::debug::hub_timer_stacks(true);
//   eventlet::debug::hub_listener_stacks(true);
//   ...
//   std::fputs(eventlet::debug::format_hub_timers().c_str(), stderr);
//
// Scope: one hub per OS thread, so every function here acts on the CALLING
// thread's hub (Hub::current()) and must be called on that thread, from any
// of its greenlets (the hub greenlet included), unless it says otherwise.
//
// Mechanism: the stack, park-time and blocking features register one
// HubObserver per hub (Hub::add_observer, hub/observer.h), beside any other
// observer (a trace recorder, the user's own), and unregister it when the
// last feature that needed it is turned off. With nothing turned on, no
// observer of ours is registered and the hub pays its usual one predictable
// branch per event: linking this library costs nothing.
//
// Stacks are captured with absl::GetStackTrace as raw program counters (cheap:
// no symbolization at capture time) and symbolized with absl::Symbolize when a
// dump is formatted. Frames of eventlet itself (namespace eventlet::, Abseil,
// the standard library, Boost.Context, thread start-up) are trimmed from both
// ends, so a stack starts at the user's code that created the timer, listener
// or greenthread. Symbol names need the binary's symbol table (not stripped);
// inlined frames do not appear.
//
// Times: every "due in", "waiting for" and "hub time" is hub time (the
// backend's clock), so under a virtual-clock backend they are virtual. Only the
// blocking detector measures real (CLOCK_MONOTONIC) time, since it watches the
// CPU, which virtual time does not see.
#ifndef EVENTLET_DEBUG_DEBUG_H_
#define EVENTLET_DEBUG_DEBUG_H_

#include <csignal>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include "absl/time/time.h"

namespace eventlet::debug {

// ---- Creation stacks --------------------------------------------------------

// From now on, record where each fd listener (a trampoline / green socket
// wait) is created; format_hub_listeners() shows it. Listeners created before
// have none. The table is keyed by (fd, event, greenthread) and cleaned when
// the wait ends. Off: stops recording and drops the table.
void hub_listener_stacks(bool on);
// From now on, record where each timer (sleep, Timeout, spawn_after, wait with
// a deadline, schedule_call_*) is scheduled; keyed by the timer's sequence
// number, cleaned when it fires or is cancelled.
void hub_timer_stacks(bool on);
// From now on, record where each greenthread is spawned (format_greenthreads()
// shows it). Cleaned when the greenthread exits.
void hub_greenthread_stacks(bool on);
// From now on, record where each synchronisation primitive (Event, Queue,
// Semaphore...) of this thread is created; a deadlock report of sim::run
// names the creation site of each object waited on (sim.h's WaitedObject).
// Cleaned when the object is destroyed. While on (on any thread), creating a
// primitive costs a call on every thread.
void hub_object_stacks(bool on);

// ---- Dumps (call on the hub's thread) ---------------------------------------

// "TIMERS: ..." then one line per queued timer, soonest first: due-in time,
// state (pending = still in next_timers, scheduled = in the heap), what it
// does (resume / throw into greenthread N, or run a callback), the greenthread
// concerned and what it waits on, then the creation stack if recorded. The
// hub removes cancelled timers at once, so a dump never lists them; it counts
// those cancelled since the observer was installed.
std::string format_hub_timers();
// "READERS: n" then one line per read waiter (fd, greenthread, primary or
// secondary, what it waits on, stack if recorded), then "WRITERS: n" likewise.
std::string format_hub_listeners();
// "GREENTHREADS: n live" then one line per greenlet of the hub (main
// included): id and name, state, what it waits on and for how long (hub time,
// known for parks that began while our observer was installed), then where it
// was spawned if recorded. The stacks of suspended greenthreads are not
// available (see docs/debugging.md, "Limits").
std::string format_greenthreads();
// All three plus the counts: what the dump signal and the introspection port's
// "all" print.
std::string format_all();

// ---- Counts (leak checks) ---------------------------------------------------

struct HubCounts {
  std::size_t greenthreads = 0;  // live, excluding main and the hub's own
  std::size_t timers = 0;        // queued (heap + next_timers)
  std::size_t ready = 0;         // queued zero-delay wake-ups
  std::size_t listeners = 0;     // fd waiters
  std::uint64_t iterations = 0;  // hub loop iterations
};
HubCounts hub_counts();
// "greenthreads 3, timers 2, ready 0, listeners 1, iterations 17".
std::string format_counts();
// Empty if the calling thread's hub has no live greenthread (but main), no
// timer, no ready wake-up and no listener (or if it has no hub); otherwise a
// readable report of what is left (counts and the three dumps). Does not run
// the hub: call eventlet::sleep(0) first if something may still be finishing.
// debug/testing.h wraps it as a gtest assertion (ExpectHubEmpty()).
std::string verify_hub_empty();

// ---- Hub settings (eventlet's names) ----------------------------------------

// On (eventlet's default): exceptions that escape greenthreads, timers and
// listeners are printed by the hub's default hook. Off: silently dropped
// (they are still rethrown by GreenThread::wait()). Replaces any custom hook.
void hub_exceptions(bool on);
// eventlet's tpool_exceptions: when on, an exception raised by a
// tpool::execute() call is also printed on stderr by the worker thread before
// it reaches the caller (tpool::set_print_exceptions).
void tpool_exceptions(bool on);
bool tpool_exceptions_enabled();
// Hub::set_prevent_multiple_readers on the calling thread's hub.
void hub_prevent_multiple_readers(bool on);

// ---- Blocking detection -----------------------------------------------------

// What the detector saw. `stack` is symbolized and trimmed of the signal
// handler's frames (not of eventlet's: a callback blocks inside the hub).
struct BlockingReport {
  std::int64_t greenthread_id = 0;  // -1: the hub greenlet (a callback)
  std::string who;                  // "greenthread 3 (name)", "timer callback"
  absl::Duration held;              // at least this long so far (real time)
  absl::Duration resolution;
  long thread_id = 0;              // the hub's OS thread (gettid)
  std::string kernel_state;        // "running", "in syscall nanosleep"...
  std::vector<std::string> stack;  // empty if not captured
  bool released = false;  // a second report: the episode ended after `held`
};

struct BlockingOptions {
  // Capture the hub thread's stack with a signal sent to it (pthread_kill).
  // The handler only calls absl::GetStackTrace into a preallocated buffer
  // (async-signal-safe). Side effect: a thread blocked in a non-restartable
  // system call (nanosleep, usleep, poll, select, epoll_wait...) sees it fail
  // with EINTR (usleep returns early), once per episode.
  bool capture_stack = true;
  int stack_signal = SIGURG;
  // eventlet's behaviour: once the offender next yields, raise
  // BlockingDetectedError in it (the exception escapes to the hub's hook and
  // the greenthread dies unless it catches it). Off by default.
  bool throw_into = false;
  // Receives each report on the monitor thread (not the hub's); default:
  // print it to stderr. Must be thread-safe and must not touch the hub.
  std::function<void(const BlockingReport&)> report;
};

// Raised in the offender when BlockingOptions::throw_into is set.
struct BlockingDetectedError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// On: a monitor thread (one per process, shared by every hub that turns this
// on) samples the calling thread's hub every resolution/2 and reports when the
// same greenthread or callback has held the hub for `resolution` or more —
// without killing it (unless options.throw_into). One report per episode, and
// one more when the episode ends (released = true, with the total). The time
// the hub spends waiting in its poll is not holding. Holding is measured from
// the hub's own timestamp of its latest switch (one CLOCK_MONOTONIC read per
// hub event while on), and the hub notes each episode of `resolution` or more
// when it ends (the latest 16): a monitor thread that gets the CPU late, on a
// busy machine, still reports every such episode when it next runs — after
// the fact, if the episode is over by then (kernel_state "not sampled", no
// stack, both reports at once). Works on any OS thread's hub. Off: stops
// watching this hub (the monitor thread exits when no hub is watched).
// Thread-safety: call on the hub's thread.
void hub_blocking_detection(bool on,
                            absl::Duration resolution = absl::Seconds(1),
                            BlockingOptions options = {});
// The text the default reporter prints for `report`.
std::string format_blocking_report(const BlockingReport& report);

// ---- Dump signal ------------------------------------------------------------

// Opt-in: from now on, `signal` (SIGUSR1 by default) makes a dedicated thread
// print format_all() of every hub that touched this library (and of the
// calling thread's hub) to stderr — for a hung process: `kill -USR1 <pid>`.
//
// Signal-safety: the handler only write()s one byte to a self-pipe. The dump
// thread then posts a job to each hub's mailbox: the hub formats its own state
// on its own thread at the start of its next loop iteration (so a deadlocked
// hub, parked in its poll, answers at once). A hub busy in a blocking call or a
// CPU loop cannot answer: after `answer_timeout` the thread prints what the
// blocking detector's atomics say (who holds that hub) instead of reading the
// hub's data structures from the wrong thread. Calling it again replaces the
// signal; uninstall_dump_signal() restores the previous disposition.
void install_dump_signal(int signal = SIGUSR1,
                         absl::Duration answer_timeout = absl::Seconds(2));
void uninstall_dump_signal();

}  // namespace eventlet::debug

#endif  // EVENTLET_DEBUG_DEBUG_H_
