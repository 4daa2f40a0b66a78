// Ports oracle scenario S13 (/work/shared/oracle/s13_hub_loop.py, expected
// output out/s13_hub_loop.txt): timers added while timers fire wait for the
// next hub iteration (after a poll); due timers fire before I/O callbacks;
// sleep(t) sleeps at least t; timer bookkeeping.
//
// The oracle counts hub iterations by wrapping hub.wait(); here a decorating
// Backend (PollLoggingBackend) logs each wait(): "--poll(0)--" when the
// deadline is already due, "--poll(timeout>0)--" otherwise. It wraps a
// SimBackend (sim/sim_backend.h), so time is virtual: whether a deadline is
// already due when the hub polls never depends on how busy the machine is (on
// the real clock, a 10 ms preemption turned the final "--poll(timeout>0)--"
// into "--poll(0)--"), and the fds are the SimBackend's virtual stream pairs.
// sim::run cannot decorate its backend, so RunOnFreshHub installs the hub
// itself, on a fresh OS thread, as sim::run does.
//
// Lines not compared, and why:
//  * "default hub class: eventlet.hubs.epolls.Hub ; clock: time.monotonic",
//    "hub.greenlet parent is main greenlet: True", "default_sleep(): 60.0":
//    Python introspection. Our counterparts differ: the backend here is the
//    simulated one, "sim" (checked separately below); the hub greenlet has no
//    parent; and
//    with no timers the hub waits without limit (Backend::kNoDeadline), not
//    in 60 s steps.
//  * "   after cancel pending: False  timers_canceled: 1": the hub keeps no
//    timers_canceled counter (cancel() takes the timer out of the queue at
//    once), so the line is compared without "  timers_canceled: 1".
//
// Deliberate difference that shapes the poll log: Hub::poll_io() does not
// call Backend::wait() at all when no fd is watched and work is already due
// (docs/architecture.md, "I/O"; eventlet's poll hub makes no syscall then
// either, but its hub.wait() — what the oracle wraps — is still called). So a
// decorating backend sees the zero-timeout polls only while some fd is watched.
// MatchesEventlet parks an idle reader on a socketpair that never becomes
// readable, which makes every iteration consult the backend;
// NoListenerSkipsZeroTimeoutPolls shows the same scenario without it (OUR
// behaviour: the same iterations, fewer polls).
#include <array>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/time/time.h"
#include "greenthread/greenthread.h"
#include "gtest/gtest.h"
#include "hub/backend.h"
#include "hub/errors.h"
#include "hub/hub.h"
#include "sim/sim_backend.h"
#include "tests/oracle_format.h"

namespace eventlet {
namespace {

using oracle::PyBool;
using oracle::PyList;

// Wraps a backend and, while `logging` is on, logs every wait() into `*log`.
class PollLoggingBackend final : public Backend {
 public:
  PollLoggingBackend(std::unique_ptr<Backend> inner,
                     std::vector<std::string>* log)
      : inner_(std::move(inner)), log_(log) {}

  bool logging = false;
  int waits = 0;  // every wait(), logged or not

  const char* name() const override { return inner_->name(); }
  std::int64_t now() override { return inner_->now(); }
  void watch(int fd, std::uint32_t events) override {
    inner_->watch(fd, events);
  }
  void unwatch(int fd) override { inner_->unwatch(fd); }
  void wait(std::int64_t deadline, std::vector<IoReady>* ready) override {
    ++waits;
    if (logging) {
      log_->push_back(deadline <= inner_->now() ? "--poll(0)--"
                                                : "--poll(timeout>0)--");
    }
    inner_->wait(deadline, ready);
  }
  void wake() override { inner_->wake(); }

 private:
  std::unique_ptr<Backend> inner_;
  std::vector<std::string>* log_;
};

// A virtual stream pair of `sim`; closes both ends (after telling the hub)
// at scope end.
struct SimPair {
  explicit SimPair(sim::SimBackend& backend)
      : sim(backend), fd(backend.socketpair()) {}
  ~SimPair() {
    for (int f : fd) {
      Hub::current().notify_close(f);
      sim.close(f);
    }
  }
  SimPair(const SimPair&) = delete;
  SimPair& operator=(const SimPair&) = delete;

  sim::SimBackend& sim;
  std::array<int, 2> fd;
};

// Runs `body` on a fresh OS thread whose hub sits on a PollLoggingBackend
// around a SimBackend (virtual time from 0). A stall (deadlock, which a
// correct scenario never reaches) fails the test and aborts: nothing can be
// thrown out of the hub greenlet.
template <typename F>
void RunOnFreshHub(std::vector<std::string>* polls, F body) {
  std::thread th([&] {
    auto sim_owned = std::make_unique<sim::SimBackend>();
    sim::SimBackend* sim = sim_owned.get();
    sim->set_stall_handler([](sim::Stall) {
      std::fprintf(stderr, "S13: the simulated hub deadlocked\n");
      std::abort();
    });
    auto owned =
        std::make_unique<PollLoggingBackend>(std::move(sim_owned), polls);
    PollLoggingBackend* backend = owned.get();
    Hub& hub = Hub::install(std::move(owned));
    body(hub, *backend, *sim);
    Hub::destroy_current();
  });
  th.join();
}

// out/s13_hub_loop.txt, minus the Python introspection lines, with the
// timers_canceled counter dropped (see the file comment).
const std::vector<std::string> kExpected = {
    // Not compared: "default hub class: ...", "hub.greenlet parent is main
    // greenlet: True", "default_sleep(): 60.0".
    "timers created during fire_timers go to next_timers and fire only on "
    "the NEXT loop iteration (after a poll):",
    "   T1",
    "   T2",
    "   main resumed",
    "   --poll(0)--",
    "   T1.child",
    "   T2.child",
    "   --poll(0)--",
    "   T1.child.child",
    "   --poll(timeout>0)--",
    "--- readiness vs timers: in one iteration all due timers fire BEFORE the "
    "poll callbacks",
    "   ['timer A (spawn)', 'main after sleep(0)', 'reader woke (I/O)']",
    "--- sleep(t) precision: sleeps at least t (monotonic clock):",
    "   sleep(0.001): >= t? True",
    "   sleep(0.01): >= t? True",
    "   sleep(0.05): >= t? True",
    "--- timer bookkeeping",
    "   timers count (timers + next_timers): 1  pending: True",
    // eventlet: "   after cancel pending: False  timers_canceled: 1"
    "   after cancel pending: False",
    "   after one iteration count: 0",
};

// Schedules T1 (with a child and a grandchild) and T2 (with a child) as
// global timers, then does sleep(0), logs "main resumed" and sleep(0.01).
// Each callback logs `name` + suffix(hub).
template <typename Suffix>
void RunTimerTree(Hub& hub, std::vector<std::string>* log, Suffix suffix) {
  struct Cb {
    Hub* hub;
    std::vector<std::string>* log;
    Suffix suffix;
    void operator()(std::string name, int depth) const {
      log->push_back(name + suffix(*hub));
      if (depth) {
        hub->schedule_call_global(
            absl::ZeroDuration(),
            [cb = *this, name, depth] { cb(name + ".child", depth - 1); });
      }
    }
  };
  Cb cb{&hub, log, suffix};
  hub.schedule_call_global(absl::ZeroDuration(), [cb] { cb("T1", 2); });
  hub.schedule_call_global(absl::ZeroDuration(), [cb] { cb("T2", 1); });
  sleep();  // main resumes via its own 0-timer, scheduled after T1/T2
  log->push_back("main resumed" + suffix(hub));
  sleep(absl::Milliseconds(10));
}

TEST(S13HubLoop, MatchesEventlet) {
  std::vector<std::string> out;
  std::vector<std::string> loop_log;  // callbacks and polls, interleaved
  std::string backend_name;
  RunOnFreshHub(&loop_log, [&](Hub& hub, PollLoggingBackend& backend,
                               sim::SimBackend& sim) {
    backend_name = hub.backend().name();

    // An idle reader keeps an fd watched, so every iteration's poll reaches
    // the backend (see the file comment).
    SimPair idle_fds(sim);
    auto idle = spawn([&] {
      try {
        hub.trampoline(idle_fds.fd[0], kRead);
      } catch (const IOClosed&) {
      }
    });
    sleep();  // the idle reader parks; main is resumed inside a timer pass

    // Start logging at the first timer of the next pass, as the oracle's
    // first switch into the hub starts a pass: main is resumed here from
    // inside a pass, so the iteration it returns to ends with a poll that
    // eventlet's program never had before T1.
    hub.schedule_call_global(absl::ZeroDuration(),
                             [&backend] { backend.logging = true; });
    RunTimerTree(hub, &loop_log, [](Hub&) { return std::string(); });
    backend.logging = false;
    out.push_back(
        "timers created during fire_timers go to next_timers and fire only on "
        "the NEXT loop iteration (after a poll):");
    for (const std::string& l : loop_log) out.push_back("   " + l);
    idle.kill();

    out.push_back(
        "--- readiness vs timers: in one iteration all due timers fire BEFORE "
        "the poll callbacks");
    {
      SimPair ab(sim);
      sim.write(ab.fd[1], 5);  // "ready"
      std::vector<std::string> got;
      spawn([&] {
        hub.trampoline(ab.fd[0], kRead);
        got.push_back("reader woke (I/O)");
      });
      spawn([&got] { got.push_back("timer A (spawn)"); });
      sleep();
      got.push_back("main after sleep(0)");
      sleep(absl::Milliseconds(10));
      out.push_back("   " + PyList(got));
    }

    out.push_back(
        "--- sleep(t) precision: sleeps at least t (monotonic clock):");
    struct T {
      const char* text;
      absl::Duration d;
    };
    for (T t :
         {T{"0.001", absl::Milliseconds(1)}, T{"0.01", absl::Milliseconds(10)},
          T{"0.05", absl::Milliseconds(50)}}) {
      absl::Duration t0 = hub.now();
      sleep(t.d);
      absl::Duration dt = hub.now() - t0;
      out.push_back(std::string("   sleep(") + t.text + "): >= t? " +
                    PyBool(dt >= t.d));
    }

    out.push_back("--- timer bookkeeping");
    TimerHandle tm = hub.schedule_call_global(
        absl::Seconds(10), [&out] { out.push_back("never"); });
    out.push_back("   timers count (timers + next_timers): " +
                  std::to_string(hub.timer_count()) +
                  "  pending: " + PyBool(tm.pending()));
    tm.cancel();
    out.push_back("   after cancel pending: " + PyBool(tm.pending()));
    // OURS: a cancelled timer leaves the queue at once (eventlet keeps it
    // until the next prepare_timers()).
    EXPECT_EQ(hub.timer_count(), 0u);
    sleep();
    out.push_back("   after one iteration count: " +
                  std::to_string(hub.timer_count()));
  });

  EXPECT_EQ(backend_name, "sim");
  EXPECT_EQ(out, kExpected);
}

// OUR behaviour, not eventlet's: the same timer tree with no fd watched. The
// hub still runs one iteration per generation of timers (the suffix is the
// iteration number relative to T1's), but it skips Backend::wait() for the
// zero-timeout polls, so only the final, blocking poll is seen.
TEST(S13HubLoop, NoListenerSkipsZeroTimeoutPolls) {
  std::vector<std::string> loop_log;
  RunOnFreshHub(&loop_log,
                [&](Hub& hub, PollLoggingBackend& backend, sim::SimBackend&) {
                  backend.logging = true;
                  const std::uint64_t base = hub.iterations() + 1;
                  RunTimerTree(hub, &loop_log, [base](Hub& h) {
                    return " @" + std::to_string(h.iterations() - base);
                  });
                  backend.logging = false;
                });
  const std::vector<std::string> want = {
      "T1 @0",
      "T2 @0",
      "main resumed @0",
      "T1.child @1",
      "T2.child @1",
      "T1.child.child @2",
      "--poll(timeout>0)--",
  };
  EXPECT_EQ(loop_log, want);
}

}  // namespace
}  // namespace eventlet
