// Copyright 2026 The eventlet-cpp Authors.
//
// sim.h: run eventlet-cpp code on a simulated clock, deterministically.
//
//   sim::Options options;
//   options.seed = 42;
//   options.strategy = sim::Strategy::kRandom;
//   options.trace_in_memory = true;
//   sim::Result r = sim::run(options, [] {
//     auto gt = eventlet::spawn([] { eventlet::sleep(absl::Hours(1)); });
//     gt.wait();   // returns at once in wall time; 1 h of virtual time
//   });
//
// Contract:
// - fn runs as the main greenlet of a fresh OS thread whose hub uses a
//   SimBackend starting at virtual time 0.
// - Same Options (seed, strategy, PCT parameters) and same program ⇒ same
//   schedule and a byte-identical trace. All randomness comes from
//   Options::seed through separate streams (random.h): the scheduler's, the
//   network's and the user's (sim::random()).
// - Strategies: kFifo is eventlet's order (no tie breaker); kRandom orders
//   each pass's zero-delay wake-ups uniformly at random from the scheduler
//   stream; kPct is PCT (Burckhardt et al., ASPLOS 2010) on those same
//   decisions: every greenthread gets a random priority when it is created
//   (main at the start), each pass runs its wake-ups highest priority first,
//   and at pct_depth - 1 random event counts in [1, pct_horizon] the
//   greenthread running then drops below every initial priority (the i-th
//   drawn change point to priority i). In PCT's model a bug of depth d (d
//   ordering constraints) is hit with probability >= 1 / (n * k^(d-1)) per
//   run (n threads, k steps); here the decisions are the order of each
//   pass's wake-ups, so take that as a guide, not a guarantee.
// - Stalls end the run: a deadlock (nothing can ever happen, yet fn has not
//   returned), the time limit or the event limit (also in a loop of
//   sleep(0)s: the budget makes the hub poll, and the poll stalls). The
//   simulation throws sim::Deadlock / sim::LimitReached into the main
//   greenlet at its switch point; if fn lets it escape, run() reports the
//   outcome (fn must not swallow them: after 100 stalls the process aborts).
// - Teardown. On a stall, before anything is thrown into main, every other
//   greenthread is unwound (GreenletExit at its switch point, oldest first;
//   never-started ones are dropped): main is still parked inside fn then, so
//   fn's locals that greenthreads wait on (an Event, a Queue, a GreenPool,
//   a socket) are still alive while those waits end. Only then does the
//   stall unwind fn's frames. (This first unwinding is driven from the hub
//   greenlet, with Hub::throw_into: main cannot run it, since the only way
//   to resume main inside fn is an exception, which unwinds fn first. A
//   greenthread that blocks again while unwinding is left for the final
//   unwinding below.) When fn returns (or throws), run() calls
//   Hub::unwind_greenthreads() from main at once, then tears the hub down
//   (Hub::destroy_current()). None of this is traced: the trace ends with
//   the run (its last event is the "stall", if any).
//   Remaining hazard, as in production eventlet: a greenthread still waiting
//   on one of fn's locals when fn RETURNS finds it gone (locals die at the
//   return, before any unwinding can happen). Wait for such greenthreads
//   (or kill them) before returning, or call
//   Hub::current().unwind_greenthreads() at the end of fn.
// - Only code that reads time through the hub (Backend::now) is simulated;
//   wall-clock reads, real fds, and other OS threads (tpool) are not.
// - Hosts (sim/host.h): fn may add simulated hosts whose greenthreads crash
//   and restart together; seeded crashes and host clocks come from
//   Options::faults (sim/faults.h) on their own stream. Hub::now(), timers
//   and sleeps stay on the one virtual time; only sim::host_now() readings
//   are skewed per host (FoundationDB's rule).
#ifndef EVENTLET_SIM_SIM_H_
#define EVENTLET_SIM_SIM_H_

#include <cstdint>
#include <exception>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/time/time.h"
#include "sim/faults.h"
#include "sim/random.h"
#include "sim/trace.h"

namespace eventlet::sim {

class SimNetwork;
struct Decisions;

enum class Strategy { kFifo, kRandom, kPct };
const char* strategy_name(Strategy s);  // "fifo", "random", "pct"
bool parse_strategy(std::string_view name, Strategy* out);

struct Options {
  std::uint64_t seed = 0;
  Strategy strategy = Strategy::kFifo;
  // Write the trace to this file ("" : no file).
  std::string trace_path;
  // Return the trace in Result::trace.
  bool trace_in_memory = false;
  // Stop (Outcome::kTimeLimit) instead of moving virtual time past this
  // (since the start). Zero: no limit.
  absl::Duration max_time = absl::ZeroDuration();
  // Stop (Outcome::kEventLimit) once this many hub events happened: from
  // then on the hub polls at every pass boundary (Hub::request_poll), and the
  // poll stalls, so even a loop of sleep(0)s stops within a pass. 0: no
  // limit. Counting needs an observer, so a limit installs the recorder (in
  // counting mode if no trace is wanted).
  std::uint64_t max_events = 0;
  // Count events (Result::events) even without a trace. Costs a virtual call
  // per event.
  bool count_events = false;
  // Strategy kPct only: the bug depth d (d - 1 priority change points; 1: no
  // change, a fixed random priority order) and the range [1, horizon] of
  // event counts the change points are drawn from (about the run's length in
  // events is best). Both >= 1. Recorded in the trace header.
  int pct_depth = 3;
  std::uint64_t pct_horizon = 1000;
  // Drive the run from these decisions (sim/decisions.h: the order of each
  // pass's wake-ups, the network's draws) instead of the seed's scheduler
  // and network streams; the user stream (sim::random()) still comes from
  // the seed. Null: the seed decides. Not owned; must outlive run().
  const Decisions* decisions = nullptr;
  // Faults drawn from the seed's Stream::kFaults (sim/faults.h): host crashes
  // and restarts, host clocks' offsets and drifts (sim/host.h). Default: none.
  FaultOptions faults;
};

// The primitive a suspended greenthread waits in (hub/internal/wait_queue.h's
// WaitObject), as a deadlock report names it.
struct WaitedObject {
  std::string kind;      // "Event", "Queue", "Semaphore"...; "" if none named
  std::uint64_t id = 0;  // its number in the run (the trace's `obj`)
  // The greenthread that last waited on it or operated on it; -2 if unknown.
  std::int64_t last_touch = -2;
  // Where it was created, one frame a line, if recorded
  // (debug::hub_object_stacks); "" otherwise. Not in the trace (it depends
  // on the binary), only in DeadlockReport::to_string().
  std::string created_at;
  // "Event 2, last touched by 1" (empty if kind is empty).
  std::string to_string() const;
};

struct GreenthreadInfo {
  std::int64_t id = 0;
  std::string name;
  std::string state;       // "not started", "running", "suspended"
  std::string waiting_on;  // "" unless suspended
  WaitedObject object;     // what it waits in, if its wait named it
  Creation created;        // known only when a recorder ran
};

struct DeadlockReport {
  absl::Duration time;  // virtual time since the run's start
  std::vector<GreenthreadInfo> greenthreads;  // main first, creation order
  std::string to_string() const;
  // One line, what each suspended greenthread waits on, with the object
  // when known ("0 on Event::wait (Event 1, last touched by 0), 2 on sleep"):
  // the outcome event's message.
  std::string summary() const;
};

// Thrown into the main greenlet when the run deadlocks.
class Deadlock : public std::runtime_error {
 public:
  explicit Deadlock(DeadlockReport report);
  const DeadlockReport& report() const { return report_; }

 private:
  DeadlockReport report_;
};

// Thrown into the main greenlet when a time or event limit is reached.
class LimitReached : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

enum class Outcome { kOk, kError, kDeadlock, kTimeLimit, kEventLimit };
const char* outcome_name(Outcome o);

struct Result {
  Outcome outcome = Outcome::kOk;
  absl::Duration virtual_time;   // virtual time elapsed
  std::uint64_t events = 0;      // hub events (0 unless recorded/counted)
  std::uint64_t iterations = 0;  // hub loop iterations
  std::optional<DeadlockReport> deadlock;
  std::string error;             // what() of the exception that escaped fn
  std::exception_ptr exception;  // it (not for Deadlock / LimitReached)
  std::string trace;             // if Options::trace_in_memory
  std::uint64_t trace_hash = 0;  // final rolling hash (if traced)
  // What the trace's closing outcome event says (filled even untraced): the
  // outcome's name and the error, the deadlock's summary or the limit. Two
  // runs "fail the same way" when these are equal.
  TraceOutcome traced_outcome;
  bool ok() const { return outcome == Outcome::kOk; }
  // One line: outcome, virtual time, events, error.
  std::string summary() const;
};

// Runs `fn` simulated (see the contract above). Blocks the calling thread
// until the simulation ends. Throws std::invalid_argument for bad options and
// std::runtime_error if the trace file cannot be opened.
Result run(const Options& options, absl::FunctionRef<void()> fn);

// The user's random stream of the running simulation. Throws std::logic_error
// outside sim::run.
Rng& random();
// True inside sim::run's thread.
bool in_simulation();
// The running simulation's in-memory network (sim_net.h): green sockets opened
// inside sim::run live there; tests set links and partitions through it.
// Throws std::logic_error outside sim::run.
SimNetwork& network();

}  // namespace eventlet::sim

#endif  // EVENTLET_SIM_SIM_H_
