// Copyright 2026 The eventlet-cpp Authors.
//
// Hub: timers and their handles, the exception hook, blocking from the hub,
// trampoline and notify_close, multiple readers, post() from other threads,
// greenlet ids, counts going back to zero, I/O fairness, teardown.
//
// These tests use the hub's own API (create_greenlet/start, sleep,
// trampoline...), not greenthread/, which sits above the hub.
#include "hub/hub.h"

#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "hub/epoll_backend.h"
#include "hub/hook_reports_for_test.h"
#include "hub/internal/hub_access.h"
#include "hub/mailbox.h"
#include "sim/sim_gtest.h"

namespace eventlet {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

absl::Duration Ms(int n) { return absl::Milliseconds(n); }

Hub& hub() { return Hub::current(); }

// Creates a greenlet running `body` and starts it at the next pass.
template <typename F>
Greenlet& Go(F&& body) {
  Greenlet& g = hub().create_greenlet(std::forward<F>(body));
  hub().start(g);
  return g;
}

// Lets the hub run (1 ms sleeps) until `done()` or `limit` passed. The
// default limit is far beyond any scheduling delay: on the real clock, only a
// broken hub reaches it.
bool RunUntil(const std::function<bool()>& done,
              absl::Duration limit = absl::Seconds(30)) {
  const absl::Duration end = hub().now() + limit;
  while (!done()) {
    if (hub().now() > end) return false;
    hub().sleep(Ms(1));
  }
  return true;
}

// Tests that need the real hub (real fds, other threads, hub teardown) get a
// fresh epoll hub each (ids from 1, default hook, no leftovers); they assert
// only what holds under any scheduling delay. The others are HubSimTest's:
// SIM_TESTs, each on a fresh simulated hub, exact in virtual time.
class HubTest : public ::testing::Test {
 protected:
  void SetUp() override { Hub::destroy_current(); }
  void TearDown() override { Hub::destroy_current(); }
};

// A non-blocking socketpair; closes its fds (after telling the hub) at scope
// end.
class SocketPair {
 public:
  SocketPair() {
    int fds[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0,
                   fds) != 0) {
      ADD_FAILURE() << "socketpair failed";
    }
    a_ = fds[0];
    b_ = fds[1];
  }
  ~SocketPair() {
    for (int fd : {a_, b_}) {
      if (Hub* hub = Hub::current_if_exists()) hub->notify_close(fd);
      close(fd);
    }
  }
  SocketPair(const SocketPair&) = delete;
  SocketPair& operator=(const SocketPair&) = delete;

  int a() const { return a_; }
  int b() const { return b_; }

 private:
  int a_;
  int b_;
};

void WriteByte(int fd) {
  const char c = 'x';
  ASSERT_EQ(write(fd, &c, 1), 1);
}

bool ReadByte(int fd) {
  char c;
  return read(fd, &c, 1) == 1;
}

// Writes until the socket's buffers are full: `fd` is then not writable.
void FillSendBuffer(int fd) {
  std::vector<char> chunk(64 * 1024, 'x');
  while (write(fd, chunk.data(), chunk.size()) > 0) {
  }
}

// ---- Timers -----------------------------------------------------------------

SIM_TEST_OPTS(HubSimTest, ScheduleCallGlobalRunsByDeadlineThenSchedulingOrder,
              .sweep = false) {
  std::vector<std::string> log;
  auto record = [&log](std::string name) {
    return [&log, name] {
      EXPECT_TRUE(Hub::current().in_hub_greenlet()) << name;
      log.push_back(name);
    };
  };
  hub().schedule_call_global(Ms(6), record("6ms"));
  hub().schedule_call_global(Ms(2), record("2ms-a"));
  hub().schedule_call_global(Ms(4), record("4ms"));
  hub().schedule_call_global(absl::ZeroDuration(), record("0-a"));
  hub().schedule_call_global(Ms(2), record("2ms-b"));
  hub().schedule_call_global(absl::ZeroDuration(), record("0-b"));
  EXPECT_THAT(log, IsEmpty()) << "callbacks run only once the caller blocks";
  EXPECT_EQ(hub().timer_count(), 6u);
  hub().sleep(Ms(20));
  EXPECT_THAT(log, ElementsAre("0-a", "0-b", "2ms-a", "2ms-b", "4ms", "6ms"));
  EXPECT_EQ(hub().timer_count(), 0u);
}

SIM_TEST_OPTS(HubSimTest, ZeroDelayCallbacksAndGreenletStartsShareOneOrder,
              .sweep = false) {
  std::vector<std::string> log;
  Go([&] { log.push_back("g1"); });
  hub().schedule_call_global(absl::ZeroDuration(),
                             [&] { log.push_back("callback"); });
  Go([&] { log.push_back("g2"); });
  hub().sleep(absl::ZeroDuration());
  EXPECT_THAT(log, ElementsAre("g1", "callback", "g2"));
}

SIM_TEST(HubSimTest, TimerHandleCancelPendingCalled) {
  bool cancelled_ran = false, ran = false;
  TimerHandle cancelled =
      hub().schedule_call_global(Ms(1), [&] { cancelled_ran = true; });
  TimerHandle kept = hub().schedule_call_global(Ms(1), [&] { ran = true; });
  EXPECT_TRUE(cancelled.pending());
  EXPECT_FALSE(cancelled.called());
  cancelled.cancel();
  EXPECT_FALSE(cancelled.pending());
  EXPECT_FALSE(cancelled.called());
  cancelled.cancel();  // idempotent
  EXPECT_EQ(hub().timer_count(), 1u);
  hub().sleep(Ms(5));
  EXPECT_FALSE(cancelled_ran);
  EXPECT_TRUE(ran);
  EXPECT_FALSE(kept.pending());
  EXPECT_TRUE(kept.called());
  kept.cancel();  // already ran: no-op
  EXPECT_TRUE(kept.called());
  TimerHandle empty;
  EXPECT_FALSE(empty.pending());
  EXPECT_FALSE(empty.called());
  empty.cancel();
}

SIM_TEST(HubSimTest, ScopedTimerCancelsAtScopeEndUnlessReleased) {
  std::vector<std::string> ran;
  {
    ScopedTimer dropped =
        hub().schedule_call_global(Ms(1), [&] { ran.push_back("dropped"); });
    EXPECT_TRUE(dropped.pending());
  }
  ScopedTimer moved_from =
      hub().schedule_call_global(Ms(1), [&] { ran.push_back("moved"); });
  ScopedTimer owner = std::move(moved_from);
  EXPECT_FALSE(moved_from.pending());  // NOLINT(bugprone-use-after-move)
  EXPECT_TRUE(owner.pending());
  ScopedTimer replaced =
      hub().schedule_call_global(Ms(1), [&] { ran.push_back("replaced"); });
  replaced =
      hub().schedule_call_global(Ms(1), [&] { ran.push_back("replacement"); });
  TimerHandle kept;
  {
    ScopedTimer released =
        hub().schedule_call_global(Ms(1), [&] { ran.push_back("released"); });
    kept = released.release();
  }
  EXPECT_EQ(hub().timer_count(), 3u);
  hub().sleep(Ms(5));
  EXPECT_THAT(ran, ElementsAre("moved", "replacement", "released"));
  EXPECT_TRUE(owner.called());
  EXPECT_TRUE(kept.called());
}

SIM_TEST_OPTS(HubSimTest, CallbackCancelsATimerDueInTheSamePass,
              .sweep = false) {
  std::vector<std::string> log;
  TimerHandle second;
  hub().schedule_call_global(absl::ZeroDuration(), [&] {
    log.push_back("first");
    second.cancel();
  });
  second = hub().schedule_call_global(absl::ZeroDuration(),
                                      [&] { log.push_back("second"); });
  hub().sleep(Ms(2));
  EXPECT_THAT(log, ElementsAre("first"));
}

SIM_TEST(HubSimTest, CallbacksAreFreedOnceRunOrCancelled) {
  auto token = std::make_shared<int>(0);
  hub().schedule_call_global(absl::ZeroDuration(), [token] {});  // no handle
  {
    TimerHandle h = hub().schedule_call_global(absl::Hours(1), [token] {});
    h.cancel();
  }
  TimerHandle held = hub().schedule_call_global(Ms(1), [token] {});
  hub().sleep(Ms(3));
  EXPECT_EQ(token.use_count(), 2) << "only the handle still holds one";
  held = TimerHandle();
  EXPECT_EQ(token.use_count(), 1);
}

TEST_F(HubTest, TimerHandleOutlivesItsHub) {
  auto token = std::make_shared<int>(0);
  TimerHandle h = hub().schedule_call_global(absl::Hours(1), [token] {});
  Hub::destroy_current();
  EXPECT_FALSE(h.pending());
  EXPECT_FALSE(h.called());
  h.cancel();  // the hub is gone: no-op
  h = TimerHandle();
  EXPECT_EQ(token.use_count(), 1);
}

SIM_TEST(HubSimTest, ScheduleCallLocalRunsWhileItsGreenletLives) {
  bool ran = false;
  Go([&] {
    Hub::current().schedule_call_local(Ms(1), [&] { ran = true; });
    Hub::current().sleep(Ms(5));
  });
  EXPECT_TRUE(RunUntil([&] { return hub().greenlet_count() == 0; }));
  EXPECT_TRUE(ran);
}

SIM_TEST(HubSimTest, ScheduleCallLocalSkippedAfterItsGreenletDies) {
  bool ran = false;
  TimerHandle h;
  Go([&] {
    h = Hub::current().schedule_call_local(Ms(2), [&] { ran = true; });
  });
  hub().sleep(Ms(10));
  EXPECT_EQ(hub().greenlet_count(), 0u);
  EXPECT_FALSE(ran);
  EXPECT_FALSE(h.called());
  EXPECT_FALSE(h.pending());
}

// schedule_call_local's timers are cancelled as soon as their greenlet dies:
// pending() turns false, timer_count() drops, and the captures are freed.
SIM_TEST_OPTS(HubSimTest, ScheduleCallLocalIsCancelledWhenItsGreenletDies,
              .sweep = false) {
  auto token = std::make_shared<int>(0);
  TimerHandle h;
  Go([&h, token] {
    h = Hub::current().schedule_call_local(absl::Hours(1), [token] {});
  });
  hub().sleep(absl::ZeroDuration());
  ASSERT_EQ(hub().greenlet_count(), 0u);
  EXPECT_FALSE(h.pending());
  EXPECT_EQ(hub().timer_count(), 0u);
  h = TimerHandle();
  EXPECT_EQ(token.use_count(), 1) << "the callback was not released";
}

// ---- The exception hook -----------------------------------------------------

SIM_TEST_OPTS(HubSimTest, ThrowingCallbackReachesTheHookAndTheHubGoesOn,
              .sweep = false) {
  HookReports hook;
  bool after = false;
  hub().schedule_call_global(absl::ZeroDuration(),
                             [] { throw std::runtime_error("boom"); });
  hub().schedule_call_global(absl::ZeroDuration(), [] { throw 42; });
  hub().schedule_call_global(absl::ZeroDuration(), [&] { after = true; });
  hub().sleep(Ms(1));
  EXPECT_TRUE(after);
  EXPECT_THAT(hook.lines,
              ElementsAre("timer callback: std::runtime_error: boom",
                          "timer callback: int (not a std::exception)"));
  // And the hub still runs greenlets and timers afterwards.
  bool later = false;
  Go([&] { later = true; });
  hub().sleep(Ms(1));
  EXPECT_TRUE(later);
}

SIM_TEST_OPTS(HubSimTest, ExceptionEscapingAGreenletReachesTheHook,
              .sweep = false) {
  HookReports hook;
  Greenlet& g = Go([] { throw std::logic_error("oops"); });
  g.set_name("worker");
  Go([] { throw GreenletExit(); });  // never reported
  hub().sleep(absl::ZeroDuration());
  EXPECT_THAT(hook.lines,
              ElementsAre("greenthread 1 (worker): std::logic_error: oops"));
}

SIM_TEST_OPTS(HubSimTest, DefaultHookPrintsOneLineAndAThrowingHookFallsBackToIt,
              .sweep = false) {
  ::testing::internal::CaptureStderr();
  hub().schedule_call_global(absl::ZeroDuration(),
                             [] { throw std::runtime_error("boom"); });
  hub().sleep(Ms(1));
  EXPECT_EQ(::testing::internal::GetCapturedStderr(),
            "eventlet: unhandled exception in timer callback: "
            "std::runtime_error: boom\n");
  hub().set_exception_hook(
      [](const HubException&) { throw std::runtime_error("hook broke"); });
  ::testing::internal::CaptureStderr();
  bool after = false;
  hub().schedule_call_global(absl::ZeroDuration(),
                             [] { throw std::runtime_error("again"); });
  hub().schedule_call_global(absl::ZeroDuration(), [&] { after = true; });
  hub().sleep(Ms(1));
  EXPECT_THAT(::testing::internal::GetCapturedStderr(),
              HasSubstr("unhandled exception in timer callback: "
                        "std::runtime_error: again"));
  EXPECT_TRUE(after);
}

// ---- Blocking from the hub greenlet
// -------------------------------------------

SIM_TEST(HubSimTest, SleepInATimerCallbackThrowsHubUsageErrorToTheHook) {
  std::exception_ptr reported;
  std::string where;
  hub().set_exception_hook([&](const HubException& e) {
    reported = e.error;
    where = e.where;
  });
  bool reached = false;
  hub().schedule_call_global(absl::ZeroDuration(), [&] {
    Hub::current().sleep(Ms(1));
    reached = true;
  });
  hub().sleep(Ms(2));
  EXPECT_FALSE(reached);
  ASSERT_TRUE(reported);
  EXPECT_EQ(where, "timer callback");
  try {
    std::rethrow_exception(reported);
  } catch (const HubUsageError& e) {
    EXPECT_STREQ(e.what(), "do not call blocking functions from the mainloop");
  } catch (...) {
    ADD_FAILURE() << describe_exception(reported);
  }
}

TEST_F(HubTest, EveryBlockingCallFromTheHubGreenletIsRefused) {
  SocketPair sp;
  internal::WaitQueue queue;
  std::vector<std::string> errors;
  hub().schedule_call_global(absl::ZeroDuration(), [&] {
    Hub& h = Hub::current();
    EXPECT_EQ(h.current_greenlet().id(), -1);
    EXPECT_EQ(h.current_greenlet().describe(), "hub");
    auto attempt = [&](const std::function<void()>& f) {
      try {
        f();
        errors.push_back("returned");
      } catch (const HubUsageError& e) {
        errors.push_back(e.what());
      }
    };
    attempt([&] { h.sleep(Ms(1)); });
    attempt([&] { h.switch_out("test"); });
    attempt([&] { h.switch_out_for(Ms(1), "test"); });
    attempt([&] { h.trampoline(sp.a(), kRead, Ms(1)); });
    attempt([&] { internal::HubAccess::wait_in(h, queue, Ms(1), "test"); });
  });
  hub().sleep(Ms(2));
  const std::string blocking =
      "do not call blocking functions from the mainloop";
  const std::string switching = "Cannot switch to MAINLOOP from MAINLOOP";
  EXPECT_THAT(errors,
              ElementsAre(blocking, switching, switching, blocking, switching));
  EXPECT_EQ(hub().listener_count(), 0u);
  EXPECT_EQ(queue.size(), 0u);
}

// ---- trampoline -------------------------------------------------------------

// ---- default_sleep ----------------------------------------------------------

// Records each poll's deadline; on the third, makes `fd` readable.
class PollDeadlines : public HubObserver {
 public:
  explicit PollDeadlines(int fd) : fd_(fd) {}
  void on_poll(std::int64_t deadline) override {
    deadlines.push_back(deadline);
    if (deadlines.size() == 3) WriteByte(fd_);
  }
  std::vector<std::int64_t> deadlines;

 private:
  int fd_;
};

TEST_F(HubTest, DefaultSleepBoundsAnIdlePoll) {
  EXPECT_EQ(hub().default_sleep(), absl::InfiniteDuration());
  EXPECT_THROW(hub().set_default_sleep(absl::ZeroDuration()),
               std::invalid_argument);
  hub().set_default_sleep(Ms(20));
  EXPECT_EQ(hub().default_sleep(), Ms(20));
  SocketPair sp;
  PollDeadlines polls(sp.b());
  ObserverRegistration registered = hub().add_observer(polls);
  const auto start = std::chrono::steady_clock::now();
  // Nothing but a listener: each poll sleeps at most default_sleep, so the
  // loop turns until the observer writes on the third poll.
  hub().trampoline(sp.a(), kRead);
  const auto took = std::chrono::steady_clock::now() - start;
  registered.reset();
  ASSERT_GE(polls.deadlines.size(), 3u);
  for (std::int64_t d : polls.deadlines) {
    EXPECT_NE(d, Backend::kNoDeadline) << "every idle poll is bounded";
  }
  // The second poll ran to its 20 ms deadline (the first one's started from
  // the hub's cached time, which may be older than `start`; 1 ms for
  // epoll's rounding).
  EXPECT_GE(took, std::chrono::milliseconds(19));
  hub().set_default_sleep(absl::InfiniteDuration());
  EXPECT_EQ(hub().default_sleep(), absl::InfiniteDuration());
}

TEST_F(HubTest, TrampolineWakesWhenTheFdIsReady) {
  SocketPair sp;
  bool woke = false;
  Greenlet& g = Go([&] {
    Hub::current().trampoline(sp.a(), kRead);
    woke = true;
  });
  hub().sleep(absl::ZeroDuration());
  EXPECT_FALSE(woke);
  EXPECT_EQ(hub().listener_count(), 1u);
  EXPECT_STREQ(g.waiting_on(), "read fd");
  hub().sleep(Ms(2));
  EXPECT_FALSE(woke) << "nothing was written";
  WriteByte(sp.b());
  EXPECT_TRUE(RunUntil([&] { return woke; }));
  EXPECT_EQ(hub().listener_count(), 0u);
}

TEST_F(HubTest, TrampolineForWriteOnAWritableFdReturnsAtOnce) {
  SocketPair sp;
  hub().trampoline(sp.a(), kWrite, absl::Seconds(5));
  EXPECT_EQ(hub().listener_count(), 0u);
  EXPECT_EQ(hub().timer_count(), 0u) << "its timeout timer was cancelled";
}

TEST_F(HubTest, TrampolineTimesOut) {
  SocketPair sp;
  const absl::Duration start = hub().now();
  EXPECT_THROW(hub().trampoline(sp.a(), kRead, Ms(5)), TimeoutError);
  EXPECT_GE(hub().now() - start, Ms(5));
  EXPECT_EQ(hub().listener_count(), 0u);
  EXPECT_EQ(hub().timer_count(), 0u);
  EXPECT_EQ(hub().wait_for_io(sp.a(), kRead, Ms(1)), IoWaitResult::kTimedOut);
  WriteByte(sp.b());
  EXPECT_EQ(hub().wait_for_io(sp.a(), kRead, absl::Seconds(5)),
            IoWaitResult::kReady);
  EXPECT_EQ(hub().timer_count(), 0u);
}

// As eventlet's trampoline(timeout=0): the wait parks until the hub's next
// poll (a poll, never a sleep: the zero timer is due) and reports what that
// poll saw; a negative timeout is a zero one.
TEST_F(HubTest, AZeroOrNegativeTimeoutPollsTheFdOnce) {
  SocketPair sp;
  for (absl::Duration timeout : {absl::ZeroDuration(), -Ms(5)}) {
    const absl::Duration start = hub().now();
    EXPECT_EQ(hub().wait_for_io(sp.a(), kRead, timeout),
              IoWaitResult::kTimedOut);
    WriteByte(sp.b());
    EXPECT_EQ(hub().wait_for_io(sp.a(), kRead, timeout), IoWaitResult::kReady);
    EXPECT_TRUE(ReadByte(sp.a()));
    EXPECT_LT(hub().now() - start, absl::Seconds(1)) << "it never slept";
    EXPECT_EQ(hub().listener_count(), 0u);
    EXPECT_EQ(hub().timer_count(), 0u);
  }
}

TEST_F(HubTest, TrampolineWithAnUnboundedTimeoutWaitsForTheFd) {
  SocketPair sp;
  std::thread writer([fd = sp.b()] {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    WriteByte(fd);
  });
  // The only timer is at the far end of hub time.
  EXPECT_EQ(hub().wait_for_io(sp.a(), kRead, absl::InfiniteDuration()),
            IoWaitResult::kReady);
  writer.join();
  EXPECT_EQ(hub().timer_count(), 0u);
}

TEST_F(HubTest, SleepLastsAtLeastItsDelay) {
  for (int i = 0; i < 20; ++i) {
    const absl::Duration start = hub().now();
    hub().sleep(absl::Microseconds(300));
    ASSERT_GE(hub().now() - start, absl::Microseconds(300)) << "round " << i;
  }
}

TEST_F(HubTest, TrampolineRejectsBadArguments) {
  SocketPair sp;
  EXPECT_THROW(hub().trampoline(-1, kRead), std::invalid_argument);
  EXPECT_THROW(hub().trampoline(sp.a(), static_cast<IoEvents>(kRead | kWrite)),
               std::invalid_argument);
  EXPECT_EQ(hub().listener_count(), 0u);
}

TEST_F(HubTest, NotifyCloseWakesReaderAndWriterWithIOClosed) {
  SocketPair sp;
  FillSendBuffer(sp.a());
  int reader_closed = -1;
  std::optional<IoWaitResult> writer_result;
  Go([&] {
    try {
      Hub::current().trampoline(sp.a(), kRead);
    } catch (const IOClosed& e) {
      reader_closed = e.fd();
    }
  });
  Go([&] {
    writer_result = Hub::current().wait_for_io(sp.a(), kWrite, absl::Hours(1));
  });
  hub().sleep(absl::ZeroDuration());
  ASSERT_EQ(hub().listener_count(), 2u);
  hub().notify_close(sp.a());
  EXPECT_EQ(hub().listener_count(), 0u);
  EXPECT_EQ(reader_closed, -1) << "woken at the next pass, not inside";
  EXPECT_TRUE(RunUntil([&] { return hub().greenlet_count() == 0; }));
  EXPECT_EQ(reader_closed, sp.a());
  EXPECT_EQ(writer_result, IoWaitResult::kClosed);
  EXPECT_EQ(hub().timer_count(), 0u);
}

TEST_F(HubTest, SecondSimultaneousReaderOrWriterIsAnError) {
  SocketPair sp;
  FillSendBuffer(sp.a());
  bool first_woke = false;
  Go([&] {
    Hub::current().trampoline(sp.a(), kRead);
    first_woke = true;
  });
  Go([&] { Hub::current().trampoline(sp.a(), kWrite, absl::Hours(1)); });
  hub().sleep(absl::ZeroDuration());
  const std::string fd = std::to_string(sp.a());
  try {
    hub().trampoline(sp.a(), kRead);
    ADD_FAILURE() << "a second reader was allowed";
  } catch (const std::runtime_error& e) {
    EXPECT_THAT(e.what(), HasSubstr("Second simultaneous read on fileno " + fd +
                                    " detected.  Unless you really know what "
                                    "you're doing, make sure that only one "
                                    "greenthread can read any particular "
                                    "socket."));
    EXPECT_THAT(e.what(),
                HasSubstr("MY THREAD=main; THAT THREAD=greenthread 1"));
  }
  try {
    hub().trampoline(sp.a(), kWrite);
    ADD_FAILURE() << "a second writer was allowed";
  } catch (const std::runtime_error& e) {
    EXPECT_THAT(e.what(),
                HasSubstr("Second simultaneous write on fileno " + fd));
  }
  EXPECT_EQ(hub().listener_count(), 2u) << "the failed waits left nothing";
  // The first reader is unaffected.
  WriteByte(sp.b());
  EXPECT_TRUE(RunUntil([&] { return first_woke; }));
  hub().notify_close(sp.a());  // ends the writer
  EXPECT_TRUE(RunUntil([&] { return hub().greenlet_count() == 0; }));
}

TEST_F(HubTest, MultipleReadersWhenAllowedEachGetOneWakeUpFifo) {
  hub().set_prevent_multiple_readers(false);
  SocketPair sp;
  std::vector<std::string> log;
  int wakes[2] = {0, 0};
  for (int i = 0; i < 2; ++i) {
    Go([&, i] {
      Hub::current().trampoline(sp.a(), kRead);
      ++wakes[i];
      EXPECT_TRUE(ReadByte(sp.a()));
      log.push_back("reader " + std::to_string(i));
    });
  }
  hub().sleep(absl::ZeroDuration());
  EXPECT_EQ(hub().listener_count(), 2u);
  WriteByte(sp.b());
  EXPECT_TRUE(RunUntil([&] { return !log.empty(); }));
  hub().sleep(Ms(5));
  EXPECT_THAT(log, ElementsAre("reader 0"));
  EXPECT_EQ(wakes[1], 0) << "the byte was consumed; no wake-up for reader 1";
  EXPECT_EQ(hub().listener_count(), 1u);
  WriteByte(sp.b());
  EXPECT_TRUE(RunUntil([&] { return log.size() == 2; }));
  EXPECT_THAT(log, ElementsAre("reader 0", "reader 1"));
  EXPECT_EQ(wakes[0], 1);
  EXPECT_EQ(wakes[1], 1);
  EXPECT_EQ(hub().listener_count(), 0u);
}

// Readiness reported for an fd number applies to the file that had it then,
// not to a new file that reuses the number within the same dispatch (Go's
// netpoll and libuv guard against this; STYLE_NOTES.md #8). Here, one wait
// reports fds A and B readable; the greenlet woken for A closes B, opens a
// new socket that gets B's number, and waits on it: the stale report for B
// must not wake it.
// notify_close() drops the batch's not-yet-dispatched reports for the fd.
TEST_F(HubTest, StaleReadinessIsNotDeliveredToAReusedFdNumber) {
  auto first = std::make_unique<SocketPair>();
  int sv[2];
  ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv), 0);
  const int old_b = sv[0];
  int new_fds[2] = {-1, -1};
  bool parked_on_new = false, woke_on_new = false, b_closed = false;
  // X waits on A, then recycles B's number.
  Go([&] {
    Hub& h = Hub::current();
    h.trampoline(first->a(), kRead);
    h.notify_close(sv[0]);
    close(sv[0]);
    close(sv[1]);
    ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, new_fds), 0);
    ASSERT_EQ(new_fds[0], old_b) << "the number was not reused";
    parked_on_new = true;
    h.trampoline(new_fds[0], kRead, absl::Seconds(30));
    woke_on_new = true;
  });
  // Y waits on B (woken with IOClosed when X closes it).
  Go([&] {
    try {
      Hub::current().trampoline(old_b, kRead);
    } catch (const IOClosed&) {
      b_closed = true;
    }
  });
  hub().sleep(absl::ZeroDuration());
  ASSERT_EQ(hub().listener_count(), 2u);
  // Both become readable before the hub polls: one wait reports A then B.
  WriteByte(first->b());
  WriteByte(sv[1]);
  EXPECT_TRUE(RunUntil([&] { return parked_on_new && b_closed; }));
  hub().sleep(Ms(5));
  EXPECT_FALSE(woke_on_new) << "woken by the old socket's readiness";
  if (new_fds[1] >= 0) WriteByte(new_fds[1]);
  EXPECT_TRUE(RunUntil([&] { return woke_on_new; }));
  for (int fd : new_fds) {
    if (fd >= 0) {
      hub().notify_close(fd);
      close(fd);
    }
  }
}

// ---- Fairness ---------------------------------------------------------------

TEST_F(HubTest, SleepZeroSpinnerDoesNotStarveAReadyReader) {
  SocketPair sp;
  constexpr int kGiveUp = 100000;
  int spins = 0;
  int spins_at_wake = -1;
  bool stop = false;
  Go([&] {
    while (!stop && spins < kGiveUp) {
      ++spins;
      Hub::current().sleep(absl::ZeroDuration());
    }
  });
  Go([&] {
    Hub::current().trampoline(sp.a(), kRead);
    spins_at_wake = spins;
    stop = true;
  });
  hub().sleep(absl::ZeroDuration());
  const int spins_at_write = spins;
  WriteByte(sp.b());
  EXPECT_TRUE(RunUntil([&] { return stop; }));
  ASSERT_GE(spins_at_wake, 0) << "the reader never woke";
  EXPECT_LE(spins_at_wake - spins_at_write, 3)
      << "the reader waited for the spinner";
  EXPECT_TRUE(RunUntil([&] { return hub().greenlet_count() == 0; }));
}

// ---- post() -----------------------------------------------------------------

TEST_F(HubTest, PostFromAnotherThreadRunsOnTheHubAndWakesIt) {
  Hub& h = hub();
  Greenlet& main = h.main_greenlet();
  const std::thread::id hub_thread = std::this_thread::get_id();
  std::thread::id ran_on;
  bool in_hub = false;
  std::thread poster([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    h.post([&] {
      ran_on = std::this_thread::get_id();
      in_hub = Hub::current().in_hub_greenlet();
      Hub::current().schedule_resume(main);
    });
  });
  // Parked with a 30 s limit (beyond any scheduling delay): only the posted
  // callback can resume it sooner.
  const bool resumed_early = h.switch_out_for(absl::Seconds(30), "test");
  poster.join();
  EXPECT_TRUE(resumed_early);
  EXPECT_EQ(ran_on, hub_thread);
  EXPECT_TRUE(in_hub);
}

TEST_F(HubTest, PostsFromManyThreadsAllRunInOrderPerThread) {
  Hub& h = hub();
  HookReports hook;
  constexpr int kThreads = 4, kPosts = 200;
  std::vector<std::vector<int>> seen(kThreads);
  int total = 0;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPosts; ++i) {
        h.post([&, t, i] {
          seen[t].push_back(i);
          ++total;
        });
      }
    });
  }
  h.post([] { throw std::runtime_error("posted"); });
  for (std::thread& t : threads) t.join();
  EXPECT_TRUE(RunUntil([&] { return total == kThreads * kPosts; }));
  for (int t = 0; t < kThreads; ++t) {
    ASSERT_EQ(seen[t].size(), static_cast<std::size_t>(kPosts));
    EXPECT_TRUE(std::is_sorted(seen[t].begin(), seen[t].end()));
  }
  EXPECT_THAT(hook.lines,
              ElementsAre("posted callback: std::runtime_error: posted"));
}

TEST_F(HubTest, MailboxOutlivesItsHub) {
  std::shared_ptr<Mailbox> box = hub().mailbox();
  auto token = std::make_shared<int>(0);
  bool ran = false;
  hub().post([token, &ran] { ran = true; });  // queued, never run
  EXPECT_FALSE(box->closed());
  Hub::destroy_current();
  EXPECT_FALSE(ran);
  EXPECT_TRUE(box->closed());
  EXPECT_EQ(token.use_count(), 1) << "queued callbacks are dropped";
  EXPECT_FALSE(box->post([token] {}));
  EXPECT_EQ(token.use_count(), 1) << "a refused callback is destroyed";
}

// ---- Greenlets --------------------------------------------------------------

SIM_TEST_OPTS(HubSimTest, GreenletIdsCountUpInCreationOrder, .sweep = false) {
  EXPECT_EQ(hub().main_greenlet().id(), 0);
  EXPECT_EQ(hub().main_greenlet().describe(), "main");
  EXPECT_EQ(&hub().current_greenlet(), &hub().main_greenlet());
  std::vector<std::int64_t> created, ran;
  for (int i = 0; i < 5; ++i) {
    Greenlet& g =
        Go([&ran] { ran.push_back(Hub::current().current_greenlet().id()); });
    created.push_back(g.id());
    EXPECT_FALSE(g.started());
  }
  EXPECT_THAT(created, ElementsAre(1, 2, 3, 4, 5));
  std::vector<std::int64_t> live;
  hub().for_each_greenlet([&](const Greenlet& g) { live.push_back(g.id()); });
  EXPECT_THAT(live, ElementsAre(0, 1, 2, 3, 4, 5));
  EXPECT_EQ(hub().greenlet_count(), 5u);
  hub().sleep(absl::ZeroDuration());
  EXPECT_THAT(ran, ElementsAre(1, 2, 3, 4, 5));
  // Ids are never reused.
  Greenlet& next = hub().create_greenlet([] {});
  EXPECT_EQ(next.id(), 6);
  next.set_name("worker");
  EXPECT_EQ(next.describe(), "greenthread 6 (worker)");
  hub().discard_unstarted(next);
  EXPECT_EQ(hub().greenlet_count(), 0u);
}

SIM_TEST_OPTS(HubSimTest, SleepZeroIsRoundRobin, .sweep = false) {
  std::vector<std::string> log;
  for (const char* name : {"a", "b"}) {
    Go([&log, name] {
      for (int i = 0; i < 3; ++i) {
        log.push_back(name + std::to_string(i));
        Hub::current().sleep(absl::ZeroDuration());
      }
    });
  }
  for (int i = 0; i < 3; ++i) {
    hub().sleep(absl::ZeroDuration());
    log.push_back("main" + std::to_string(i));
  }
  EXPECT_THAT(log, ElementsAre("a0", "b0", "main0", "a1", "b1", "main1", "a2",
                               "b2", "main2"));
}

SIM_TEST_OPTS(HubSimTest, WaitQueueWakesFifoAndATimedOutWaiterLeaves,
              .sweep = false) {
  internal::WaitQueue queue;
  std::vector<std::string> log;
  for (int i = 0; i < 3; ++i) {
    Go([&, i] {
      const bool woken = internal::HubAccess::wait_in(Hub::current(), queue,
                                                      std::nullopt, "test");
      log.push_back(std::to_string(i) + (woken ? " woken" : " timed out"));
    });
  }
  bool timed_out_result = true;
  Go([&] {
    timed_out_result =
        internal::HubAccess::wait_in(Hub::current(), queue, Ms(2), "test");
  });
  hub().sleep(absl::ZeroDuration());
  EXPECT_EQ(queue.size(), 4u);
  EXPECT_TRUE(RunUntil([&] { return queue.size() == 3; }));
  EXPECT_FALSE(timed_out_result);
  internal::Waiter* first = internal::HubAccess::wake_one(hub(), queue);
  ASSERT_NE(first, nullptr);
  EXPECT_EQ(first->greenlet->id(), 1);
  EXPECT_THAT(log, IsEmpty()) << "waking never yields";
  internal::HubAccess::wake_all(hub(), queue);
  EXPECT_EQ(internal::HubAccess::wake_one(hub(), queue), nullptr);
  hub().sleep(absl::ZeroDuration());
  EXPECT_THAT(log, ElementsAre("0 woken", "1 woken", "2 woken"));
}

// ---- Leaks ------------------------------------------------------------------

TEST_F(HubTest, CountsGoBackToZeroWhenWorkIsDone) {
  std::vector<std::unique_ptr<SocketPair>> pairs;
  for (int i = 0; i < 4; ++i) pairs.push_back(std::make_unique<SocketPair>());
  internal::WaitQueue queue;
  Go([] { Hub::current().sleep(Ms(1)); });
  Go([] { Hub::current().sleep(absl::ZeroDuration()); });
  Go([&] { Hub::current().trampoline(pairs[0]->a(), kRead, absl::Hours(1)); });
  Go([&] {
    EXPECT_THROW(Hub::current().trampoline(pairs[1]->a(), kRead, Ms(1)),
                 TimeoutError);
  });
  Go([&] { Hub::current().trampoline(pairs[2]->a(), kWrite); });
  Go([&] {
    internal::HubAccess::wait_in(Hub::current(), queue, absl::Hours(1), "test");
  });
  Go([&] {
    internal::HubAccess::wait_in(Hub::current(), queue, Ms(1), "test");
  });
  Go([&] {
    try {
      Hub::current().trampoline(pairs[3]->a(), kRead, absl::Hours(1));
    } catch (const IOClosed&) {
    }
  });
  hub().schedule_call_global(Ms(1), [] {});
  hub().schedule_call_global(absl::Hours(1), [] {}).cancel();
  hub().sleep(absl::ZeroDuration());
  WriteByte(pairs[0]->b());
  internal::HubAccess::wake_one(hub(), queue);
  hub().notify_close(pairs[3]->a());
  EXPECT_TRUE(RunUntil([&] { return hub().greenlet_count() == 0; }));
  hub().sleep(Ms(2));
  EXPECT_EQ(hub().greenlet_count(), 0u);
  EXPECT_EQ(hub().timer_count(), 0u);
  EXPECT_EQ(hub().listener_count(), 0u);
  EXPECT_EQ(hub().ready_count(), 0u);
  EXPECT_EQ(queue.size(), 0u);
  EXPECT_EQ(static_cast<EpollBackend&>(hub().backend()).wanted_count(), 0u);
}

TEST_F(HubTest, EachThreadHasItsOwnHub) {
  Hub* main_hub = &hub();
  Hub* other_hub = nullptr;
  std::vector<std::int64_t> ids;
  std::thread t([&] {
    Hub& h = Hub::current();
    other_hub = &h;
    for (int i = 0; i < 3; ++i) {
      Greenlet& g = h.create_greenlet([] { Hub::current().sleep(Ms(1)); });
      ids.push_back(g.id());
      h.start(g);
    }
    while (h.greenlet_count() != 0) h.sleep(Ms(1));
    // Nothing pending: the hub is destroyed when the thread exits.
  });
  t.join();
  EXPECT_NE(other_hub, main_hub);
  EXPECT_THAT(ids, ElementsAre(1, 2, 3));
  EXPECT_EQ(&hub(), main_hub);
  EXPECT_EQ(hub().greenlet_count(), 0u);
}

// ---- Lifetime ---------------------------------------------------------------

struct SetOnDestroy {
  bool* flag;
  ~SetOnDestroy() { *flag = true; }
};

TEST_F(HubTest, DestroyCurrentUnwindsSuspendedAndDropsUnstarted) {
  SocketPair sp;
  bool sleeper_unwound = false, sleeper_continued = false;
  bool reader_unwound = false;
  int exits_caught = 0;
  bool unstarted_ran = false;
  auto token = std::make_shared<int>(0);
  Go([&] {
    SetOnDestroy guard{&sleeper_unwound};
    Hub::current().sleep(absl::Hours(1));
    sleeper_continued = true;
  });
  Go([&] {
    SetOnDestroy guard{&reader_unwound};
    Hub::current().trampoline(sp.a(), kRead);
  });
  Go([&] {
    // Catches GreenletExit and tries to block again: each attempt raises it.
    for (int i = 0; i < 3; ++i) {
      try {
        Hub::current().sleep(absl::Hours(1));
      } catch (const GreenletExit&) {
        ++exits_caught;
      }
    }
  });
  hub().sleep(absl::ZeroDuration());
  // Started (queued) but never ran, and created but never started.
  Go([token, &unstarted_ran] { unstarted_ran = true; });
  hub().create_greenlet([token, &unstarted_ran] { unstarted_ran = true; });
  EXPECT_EQ(hub().greenlet_count(), 5u);
  EXPECT_EQ(token.use_count(), 3);

  Hub::destroy_current();
  EXPECT_EQ(Hub::current_if_exists(), nullptr);
  EXPECT_TRUE(sleeper_unwound);
  EXPECT_FALSE(sleeper_continued);
  EXPECT_TRUE(reader_unwound);
  EXPECT_EQ(exits_caught, 3);
  EXPECT_FALSE(unstarted_ran);
  EXPECT_EQ(token.use_count(), 1) << "unstarted bodies were destroyed";
}

TEST_F(HubTest, DestroyCurrentFromAGreenletIsRefused) {
  ::testing::internal::CaptureStderr();
  Go([] { Hub::destroy_current(); });
  hub().sleep(absl::ZeroDuration());
  EXPECT_THAT(::testing::internal::GetCapturedStderr(),
              HasSubstr("hub teardown requested from greenthread 1"));
  EXPECT_NE(Hub::current_if_exists(), nullptr);
}

TEST_F(HubTest, InstallRefusesASecondHub) {
  Hub::destroy_current();
  Hub& h = Hub::install(std::make_unique<EpollBackend>());
  EXPECT_EQ(&Hub::current(), &h);
  EXPECT_STREQ(h.backend().name(), "epoll");
  EXPECT_THROW(Hub::install(std::make_unique<EpollBackend>()),
               std::logic_error);
}

}  // namespace
}  // namespace eventlet

namespace eventlet {
namespace {

TEST(HubHooks, UnwindGreenthreadsKeepsTheHub) {
  Hub::destroy_current();
  Hub& hub = Hub::current();
  int unwound = 0;
  bool never_ran = true;
  struct Count {
    int* n;
    ~Count() { ++*n; }
  };
  for (int i = 0; i < 3; ++i) {
    Greenlet& g = hub.create_greenlet([&unwound] {
      Count c{&unwound};
      for (;;) Hub::current().sleep(absl::Hours(1));
    });
    hub.start(g);
  }
  hub.start(hub.create_greenlet([&never_ran] { never_ran = false; }));
  hub.sleep(absl::ZeroDuration());  // the three park; the fourth has run
  EXPECT_FALSE(never_ran);
  hub.start(hub.create_greenlet([&never_ran] { never_ran = false; }));
  never_ran = true;
  hub.unwind_greenthreads();
  EXPECT_EQ(unwound, 3);
  EXPECT_TRUE(never_ran) << "a not-started greenthread is dropped";
  EXPECT_EQ(hub.greenlet_count(), 0u);
  EXPECT_EQ(hub.timer_count(), 0u);
  // The hub still works.
  bool ran = false;
  hub.start(hub.create_greenlet([&ran] { ran = true; }));
  hub.sleep(absl::ZeroDuration());
  EXPECT_TRUE(ran);
  Hub::destroy_current();
}

// A backend that counts waits, to see request_poll() reach it.
class CountingBackend final : public Backend {
 public:
  explicit CountingBackend(int* waits) : waits_(waits) {}
  const char* name() const override { return "counting"; }
  std::int64_t now() override { return 0; }
  void watch(int, std::uint32_t) override {}
  void unwatch(int) override {}
  void wait(std::int64_t, std::vector<IoReady>*) override { ++*waits_; }
  void wake() override {}

 private:
  int* waits_;
};

TEST(HubHooks, RequestPollMakesASleep0LoopReachTheBackend) {
  int waits = 0;
  std::thread([&waits] {
    Hub& hub = Hub::install(std::make_unique<CountingBackend>(&waits));
    for (int i = 0; i < 10; ++i) hub.sleep(absl::ZeroDuration());
    const int before = waits;
    hub.request_poll();
    hub.sleep(absl::ZeroDuration());
    hub.sleep(absl::ZeroDuration());
    EXPECT_EQ(waits, before + 1);
    Hub::destroy_current();
  }).join();
  EXPECT_EQ(waits, 1) << "without request_poll() a sleep(0) loop never waits";
}

}  // namespace
}  // namespace eventlet
