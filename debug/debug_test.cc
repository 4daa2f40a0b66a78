// Copyright 2026 The eventlet-cpp Authors.
#include "debug/debug.h"

#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <string>

#include "absl/debugging/stacktrace.h"
#include "absl/debugging/symbolize.h"
#include "absl/functional/function_ref.h"
#include "debug/internal/stacks.h"
#include "debug/testing.h"
#include "gmock/gmock.h"
#include "green_net/socket.h"
#include "greenthread/event.h"
#include "greenthread/greenthread.h"
#include "greenthread/semaphore.h"
#include "greenthread/timeout.h"
#include "gtest/gtest.h"
#include "hub/hub.h"
#include "sim/sim.h"

namespace {

using ::testing::HasSubstr;
using ::testing::Not;
namespace debug = eventlet::debug;
using eventlet::Hub;

// absl::GetStackTrace's skip count: verify that capture() keeps its caller.
[[gnu::noinline]] void capture_here(debug::internal::Trace& t) {
  debug::internal::capture(t, 0);
  asm volatile("");  // no tail call
}

TEST(Stacks, CaptureKeepsTheImmediateCaller) {
  debug::internal::Trace t;
  capture_here(t);
  const auto frames = debug::internal::symbolize(t.pcs, t.depth);
  ASSERT_GE(frames.size(), 2u);
  EXPECT_THAT(frames[0], HasSubstr("capture_here"));
  EXPECT_THAT(frames[1], HasSubstr("CaptureKeepsTheImmediateCaller"));
}

TEST(Stacks, TrimDropsLibraryFramesAtBothEnds) {
  const auto t = debug::internal::trim(
      {"eventlet::Hub::sleep_for()", "eventlet::sleep()", "user_code()",
       "eventlet::Hub::greenlet_entry()", "make_fcontext"});
  EXPECT_EQ(t, std::vector<std::string>{"user_code()"});
}

TEST(Stacks, MangledLibraryFramesAreRecognisedAndTrimmed) {
  // What Abseil's symbolizer returns when its demangler gives up.
  const std::string recv = "_ZN8eventlet3net6Socket4recvEm";
  EXPECT_EQ(debug::internal::demangle_frame(recv),
            "eventlet::net::Socket::recv(unsigned long)");
  EXPECT_TRUE(debug::internal::is_library_frame(recv));
  EXPECT_FALSE(debug::internal::is_library_frame("_Z9user_codev"));
  EXPECT_EQ(debug::internal::demangle_frame("main"), "main");
  EXPECT_EQ(debug::internal::demangle_frame("_Znot a symbol"),
            "_Znot a symbol");
  const auto t = debug::internal::trim(
      {recv, "_Z9user_codev", "_ZN8eventlet3Hub14greenlet_entryEPv"});
  EXPECT_EQ(t, std::vector<std::string>{"_Z9user_codev"});
}

// Runs `f` on the simulated clock (sim::run): sleeps take no real time, and
// the hub's clock reads exactly what the test slept.
void on_virtual_clock(absl::FunctionRef<void()> f) {
  const eventlet::sim::Result r = eventlet::sim::run({}, f);
  EXPECT_TRUE(r.ok()) << r.summary();
}

[[gnu::noinline]] void nap_for_a_while() { eventlet::sleep(absl::Seconds(5)); }

TEST(Dumps, TimersWithStacksOnVirtualClock) {
  on_virtual_clock([] {
    debug::hub_timer_stacks(true);
    debug::hub_greenthread_stacks(true);
    auto g = eventlet::spawn(nap_for_a_while);
    g.set_name("napper");
    eventlet::sleep(absl::Seconds(1));  // virtual: g has slept 1 s of 5
    const std::string timers = debug::format_hub_timers();
    std::printf("%s", timers.c_str());
    EXPECT_THAT(timers, HasSubstr("TIMERS: 1 queued (0 pending)"));
    EXPECT_THAT(timers, HasSubstr("due in  4000.000 ms  scheduled"));
    EXPECT_THAT(timers, HasSubstr("resume greenthread 1 (napper) [sleep]"));
    EXPECT_THAT(timers, HasSubstr("scheduled by greenthread 1 at:"));
    EXPECT_THAT(timers, HasSubstr("#0 (anonymous namespace)::nap_for_a_while"));
    const std::string ps = debug::format_greenthreads();
    std::printf("%s", ps.c_str());
    EXPECT_THAT(ps, HasSubstr("greenthread 1 (napper)  suspended  waiting on "
                              "\"sleep\" for 1000.000 ms"));
    EXPECT_THAT(ps, HasSubstr("spawned by main at:"));
    EXPECT_THAT(ps, HasSubstr("TimersWithStacksOnVirtualClock"));
    g.kill();
    debug::hub_timer_stacks(false);
    debug::hub_greenthread_stacks(false);
    EXPECT_EQ(Hub::current().observer_count(), 0u);
    debug::ExpectHubEmpty();
  });
}

[[gnu::noinline]] void deadlock_on_a_semaphore_made_here() {
  eventlet::Semaphore lock(0);
  lock.acquire();  // nobody releases
  asm volatile("");
}

TEST(ObjectStacks, ADeadlockReportNamesWhereTheObjectWasCreated) {
  const eventlet::sim::Result r = eventlet::sim::run({}, [] {
    eventlet::Event<> before;  // made before recording: no site
    debug::hub_object_stacks(true);
    auto g = eventlet::spawn([&] { before.wait(); });
    deadlock_on_a_semaphore_made_here();
  });
  ASSERT_EQ(r.outcome, eventlet::sim::Outcome::kDeadlock) << r.summary();
  ASSERT_EQ(r.deadlock->greenthreads.size(), 2u) << r.error;
  const eventlet::sim::WaitedObject& sem = r.deadlock->greenthreads[0].object;
  EXPECT_EQ(sem.kind, "Semaphore");
  EXPECT_THAT(sem.created_at, HasSubstr("deadlock_on_a_semaphore_made_here"));
  EXPECT_EQ(r.deadlock->greenthreads[1].object.kind, "Event");
  EXPECT_EQ(r.deadlock->greenthreads[1].object.created_at, "");
  std::printf("%s", r.error.c_str());
  EXPECT_THAT(r.error, HasSubstr("Semaphore " + std::to_string(sem.id) +
                                 " was created at:\n      "));
  // Not in the trace's outcome: a site depends on the binary.
  EXPECT_THAT(r.traced_outcome.message, Not(HasSubstr("made_here")));
}

TEST(Dumps, PendingTimersAreShownAsSuch) {
  on_virtual_clock([] {
    debug::hub_timer_stacks(true);
    eventlet::Timeout t(absl::Milliseconds(30));  // pending till the next pass
    const std::string timers = debug::format_hub_timers();
    std::printf("%s", timers.c_str());
    EXPECT_THAT(timers, HasSubstr("(1 pending)"));
    EXPECT_THAT(timers, HasSubstr("due in    30.000 ms  pending"));
    EXPECT_THAT(timers, HasSubstr("throw into main"));
    t.cancel();
    EXPECT_THAT(debug::format_hub_timers(),
                HasSubstr("TIMERS: 0 queued (0 pending), 0 ready wake-ups"));
    EXPECT_THAT(debug::format_hub_timers(), HasSubstr("1 cancelled"));
    debug::hub_timer_stacks(false);
  });
}

[[gnu::noinline]] void read_one_byte(eventlet::net::Socket* s) {
  char c;
  s->recv(&c, 1);
}

TEST(Dumps, ListenersWithStacks) {
  int fds[2];
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
  eventlet::net::Socket a(fds[0]), b(fds[1]);
  debug::hub_listener_stacks(true);
  auto g = eventlet::spawn(read_one_byte, &a);
  g.set_name("reader");
  eventlet::sleep();
  const std::string l = debug::format_hub_listeners();
  std::printf("%s", l.c_str());
  EXPECT_THAT(l, HasSubstr("READERS: 1\n  fd " + std::to_string(a.fd())));
  EXPECT_THAT(l, HasSubstr("primary   greenthread"));
  EXPECT_THAT(l, HasSubstr("(reader) [read fd"));
  EXPECT_THAT(l, HasSubstr("#0 (anonymous namespace)::read_one_byte"));
  EXPECT_THAT(l, HasSubstr("WRITERS: 0"));
  EXPECT_EQ(debug::hub_counts().listeners, 1u);
  b.sendall("x");
  g.wait();
  EXPECT_THAT(debug::format_hub_listeners(), HasSubstr("READERS: 0"));
  debug::hub_listener_stacks(false);
  debug::ExpectHubEmpty();
}

TEST(Dumps, SecondaryReadersWhenMultipleReadersAllowed) {
  int fds[2];
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
  eventlet::net::Socket a(fds[0]), b(fds[1]);
  debug::hub_prevent_multiple_readers(false);
  auto g1 = eventlet::spawn(read_one_byte, &a);
  auto g2 = eventlet::spawn(read_one_byte, &a);
  eventlet::sleep();
  const std::string l = debug::format_hub_listeners();
  EXPECT_THAT(l, HasSubstr("READERS: 2"));
  EXPECT_THAT(l, HasSubstr("secondary"));
  b.sendall("xy");
  g1.wait();
  g2.wait();
  debug::hub_prevent_multiple_readers(true);
  debug::ExpectHubEmpty();
}

// Someone else's observer keeps receiving events while ours is registered,
// whichever of the two is registered first or removed first.
struct CountingObserver : eventlet::HubObserver {
  int spawns = 0, switches = 0;
  void on_spawn(const eventlet::Greenlet&, const eventlet::Greenlet&) override {
    ++spawns;
  }
  void on_switch(const eventlet::Greenlet&,
                 const eventlet::Greenlet&) override {
    ++switches;
  }
};

TEST(Observer, RegistersBesideAnotherObserver) {
  CountingObserver counting;
  Hub& hub = Hub::current();
  eventlet::ObserverRegistration registered = hub.add_observer(counting);
  debug::hub_timer_stacks(true);
  EXPECT_EQ(hub.observer_count(), 2u);
  eventlet::spawn([] {}).wait();
  EXPECT_EQ(counting.spawns, 1);
  EXPECT_GE(counting.switches, 1);
  debug::hub_timer_stacks(false);
  EXPECT_EQ(hub.observer_count(), 1u);
  eventlet::spawn([] {}).wait();
  EXPECT_EQ(counting.spawns, 2);
  // Ours first, then theirs removed under it.
  debug::hub_timer_stacks(true);
  registered.reset();
  EXPECT_EQ(hub.observer_count(), 1u);
  EXPECT_THAT(debug::format_hub_timers(), HasSubstr("cancelled since"));
  debug::hub_timer_stacks(false);
  EXPECT_EQ(hub.observer_count(), 0u);
  EXPECT_EQ(counting.spawns, 2);
}

TEST(Counts, ExpectHubEmptyReportsLeftovers) {
  eventlet::Event<int> never;
  auto g = eventlet::spawn([&] { return never.wait(); });
  g.set_name("stuck");
  eventlet::sleep();
  EXPECT_EQ(debug::hub_counts().greenthreads, 1u);
  const std::string left = debug::verify_hub_empty();
  std::printf("%s", left.c_str());
  EXPECT_THAT(left, HasSubstr("greenthreads 1"));
  EXPECT_THAT(left,
              ::testing::ContainsRegex(
                  "greenthread [0-9]+ \\(stuck\\)  suspended  waiting on"));
  never.send(1);
  g.wait();
  EXPECT_EQ(debug::verify_hub_empty(), "");
}

TEST(Settings, HubExceptionsOffSilencesTheHook) {
  debug::hub_exceptions(false);
  testing::internal::CaptureStderr();
  eventlet::spawn_n([] { throw std::runtime_error("boom"); });
  eventlet::sleep();
  EXPECT_EQ(testing::internal::GetCapturedStderr(), "");
  debug::hub_exceptions(true);
  testing::internal::CaptureStderr();
  eventlet::spawn_n([] { throw std::runtime_error("boom"); });
  eventlet::sleep();
  EXPECT_THAT(testing::internal::GetCapturedStderr(), HasSubstr("boom"));
}

}  // namespace
