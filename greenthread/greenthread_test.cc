// Copyright 2026 The eventlet-cpp Authors.
//
// spawn and GreenThread: results and exceptions, move-only types, spawn_after
// and spawn_after_local, kill (before start, while parked, custom exception,
// self), cancel, link/unlink, many greenthreads, spawn_n's exceptions.
#include "greenthread/greenthread.h"

#include <unistd.h>

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "greenthread/event.h"
#include "gtest/gtest.h"
#include "hub/hook_reports_for_test.h"
#include "hub/hub.h"
#include "sim/sim_gtest.h"

namespace eventlet {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;

absl::Duration Ms(int n) { return absl::Milliseconds(n); }

// The tests that need the real hub (a real pipe, hub teardown): a fresh hub
// each. The others are SIM_TESTs, each on a fresh simulated hub.
class GreenThreadTest : public ::testing::Test {
 protected:
  void SetUp() override { Hub::destroy_current(); }
  void TearDown() override { Hub::destroy_current(); }
};

struct SetOnDestroy {
  bool* flag;
  ~SetOnDestroy() { *flag = true; }
};

// ---- Results and exceptions -------------------------------------------------

SIM_TEST(GreenThread, WaitReturnsTheResult) {
  auto g = spawn([](int x, std::string s) { return s + std::to_string(2 * x); },
                 21, std::string("answer "));
  EXPECT_FALSE(g.started()) << "runs only once the spawner yields";
  EXPECT_FALSE(g.ready());
  EXPECT_EQ(g.wait(), "answer 42");
  EXPECT_EQ(g.wait(), "answer 42");
  EXPECT_TRUE(g.dead());
  EXPECT_TRUE(g.ready());
  EXPECT_EQ(g.id(), 1);
}

SIM_TEST(GreenThread, ArgumentsAreCopiedIntoTheGreenthread) {
  std::string s = "before";
  auto g = spawn([](std::string x) { return x; }, s);
  s = "after";
  EXPECT_EQ(g.wait(), "before");
}

SIM_TEST(GreenThread, VoidGreenthread) {
  bool ran = false;
  GreenThread<void> g = spawn([&] { ran = true; });
  g.wait();
  EXPECT_TRUE(ran);
}

SIM_TEST(GreenThread, ExceptionIsRethrownOnEveryWaitAndReported) {
  HookReports hook;
  auto g = spawn([]() -> int { throw std::runtime_error("bad"); });
  for (int i = 0; i < 3; ++i) {
    try {
      g.wait();
      ADD_FAILURE() << "wait() returned";
    } catch (const std::runtime_error& e) {
      EXPECT_STREQ(e.what(), "bad");
    }
  }
  EXPECT_TRUE(g.dead());
  EXPECT_THAT(hook.lines,
              ElementsAre("greenthread 1: std::runtime_error: bad"));
}

SIM_TEST(GreenThread, HowItEndedWithoutRaising) {
  HookReports hook;
  auto ok = spawn([] { return 1; });
  auto bad = spawn([]() -> int { throw std::runtime_error("bad"); });
  auto killed = spawn([] { sleep(absl::Seconds(1)); });
  EXPECT_FALSE(ok.succeeded()) << "not started yet";
  EXPECT_EQ(ok.exception(), nullptr);
  sleep();
  killed.kill();
  EXPECT_TRUE(ok.succeeded());
  EXPECT_EQ(ok.exception(), nullptr);
  EXPECT_FALSE(bad.succeeded());
  EXPECT_EQ(describe_exception(bad.exception()), "std::runtime_error: bad");
  EXPECT_FALSE(killed.succeeded());
  EXPECT_TRUE(is_greenlet_exit(killed.exception()));
}

SIM_TEST(GreenThread, SystemExitIsRaisedInMainNotReported) {
  HookReports hook;
  const absl::Duration start = Hub::current().now();
  auto quitter = spawn([] {
    sleep(absl::Milliseconds(5));
    throw SystemExit(3);
  });
  auto bystander = spawn([] {
    sleep(absl::Milliseconds(20));
    return 7;
  });
  try {
    sleep(absl::Seconds(10));
    ADD_FAILURE() << "main slept through the SystemExit";
  } catch (const SystemExit& e) {
    EXPECT_EQ(e.code(), 3);
  }
  EXPECT_EQ(Hub::current().now() - start, absl::Milliseconds(5))
      << "main took it at once, not when its sleep ended";
  EXPECT_THROW(quitter.wait(), SystemExit) << "its waiters see it too";
  EXPECT_EQ(bystander.wait(), 7) << "the others keep running";
  EXPECT_THAT(hook.lines, IsEmpty());
  EXPECT_EQ(Hub::current().timer_count(), 0u) << "main's sleep timer is gone";
}

struct KeyboardInterrupt {};

SIM_TEST(GreenThread, FatalExceptionTypesAreSettable) {
  HookReports hook;
  Hub& hub = Hub::current();
  hub.add_fatal_exception_type<KeyboardInterrupt>();
  // From a timer callback, into main's Event wait.
  Event<int> never;
  hub.schedule_call_global(absl::Milliseconds(1),
                           [] { throw KeyboardInterrupt(); });
  EXPECT_THROW(never.wait(), KeyboardInterrupt);
  EXPECT_EQ(never.waiting(), 0u);
  // With the set emptied, SystemExit is an ordinary reported exception.
  hub.clear_fatal_exception_types();
  auto g = spawn([] { throw SystemExit(1); });
  EXPECT_THROW(g.wait(), SystemExit);
  EXPECT_THAT(hook.lines,
              ElementsAre("greenthread 1: eventlet::SystemExit: 1"));
  hub.add_fatal_exception_type<SystemExit>();
}

SIM_TEST(GreenThread, GreenletExitFromTheFunctionIsNotReported) {
  HookReports hook;
  auto g = spawn([] { throw GreenletExit(); });
  EXPECT_THROW(g.wait(), GreenletExit);
  EXPECT_THAT(hook.lines, IsEmpty());
}

SIM_TEST(GreenThread, MoveOnlyArgumentAndResult) {
  auto g = spawn([](std::unique_ptr<int> p) { return *p + 1; },
                 std::make_unique<int>(41));
  EXPECT_EQ(g.wait(), 42);
  auto h = spawn([] { return std::make_unique<std::string>("moved"); });
  const std::unique_ptr<std::string>& r = h.wait();
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(*r, "moved");
  EXPECT_EQ(h.wait().get(), r.get()) << "every wait sees the same result";
  // A move-only callable.
  auto p = std::make_unique<int>(7);
  auto k = spawn([p = std::move(p)] { return *p; });
  EXPECT_EQ(k.wait(), 7);
}

SIM_TEST_OPTS(GreenThread, SpawnNExceptionsReachTheHook, .sweep = false) {
  HookReports hook;
  bool after = false;
  spawn_n([] { throw std::runtime_error("from spawn_n"); });
  spawn_n([&](int x) { after = x == 3; }, 3);
  sleep();
  EXPECT_TRUE(after);
  EXPECT_THAT(hook.lines,
              ElementsAre("greenthread 1: std::runtime_error: from spawn_n"));
}

SIM_TEST(GreenThread, WaitFromTheHubGreenletThrows) {
  auto g = spawn([] { sleep(Ms(50)); });
  bool threw = false;
  Hub::current().schedule_call_global(absl::ZeroDuration(), [&] {
    try {
      g.wait();
    } catch (const HubUsageError&) {
      threw = true;
    }
  });
  sleep(Ms(1));
  EXPECT_TRUE(threw);
  g.kill();
}

// ---- Scheduling -------------------------------------------------------------

SIM_TEST_OPTS(GreenThread, SpawnAfterRunsByDelayThenSpawnOrder,
              .sweep = false) {
  std::vector<std::string> log;
  auto rec = [&log](std::string s) { log.push_back(s); };
  std::vector<GreenThread<void>> gts;
  gts.push_back(spawn_after(Ms(6), rec, "6ms"));
  gts.push_back(spawn_after(Ms(2), rec, "2ms"));
  gts.push_back(spawn_after(Ms(4), rec, "4ms"));
  gts.push_back(spawn(rec, "now"));
  gts.push_back(spawn_after(absl::ZeroDuration(), rec, "zero"));
  EXPECT_FALSE(gts[0].started());
  for (auto& g : gts) g.wait();
  EXPECT_THAT(log, ElementsAre("now", "zero", "2ms", "4ms", "6ms"));
}

SIM_TEST(GreenThread, SpawnAfterLocalRunsWhileTheSpawnerLives) {
  GreenThread<int> inner;
  auto spawner = spawn([&] {
    inner = spawn_after_local(Ms(1), [] { return 5; });
    sleep(Ms(10));
  });
  spawner.wait();
  EXPECT_EQ(inner.wait(), 5);
}

SIM_TEST(GreenThread, SpawnAfterLocalSkippedWhenTheSpawnerDied) {
  HookReports hook;
  GreenThread<int> inner;
  bool ran = false;
  auto spawner = spawn([&] {
    inner = spawn_after_local(Ms(2), [&] {
      ran = true;
      return 1;
    });
  });
  spawner.wait();
  EXPECT_THROW(inner.wait(), GreenletExit);
  EXPECT_FALSE(ran);
  EXPECT_TRUE(inner.dead());
  EXPECT_THAT(hook.lines, IsEmpty());
}

SIM_TEST_OPTS(GreenThread, TenThousandGreenthreads, .sweep = false) {
#if defined(__SANITIZE_THREAD__)
  constexpr int kCount = 4000;  // TSan caps threads + fibers at 8128
#else
  constexpr int kCount = 10000;
#endif
  std::vector<GreenThread<int>> gts;
  gts.reserve(kCount);
  std::vector<int> started;
  started.reserve(kCount);
  for (int i = 0; i < kCount; ++i) {
    gts.push_back(spawn(
        [&started](int n) {
          started.push_back(n);
          sleep();
          return 2 * n;
        },
        i));
  }
  EXPECT_EQ(Hub::current().greenlet_count(), static_cast<std::size_t>(kCount));
  std::int64_t sum = 0;
  for (auto& g : gts) sum += g.wait();
  EXPECT_EQ(sum, std::int64_t{kCount} * (kCount - 1));
  ASSERT_EQ(started.size(), static_cast<std::size_t>(kCount));
  for (int i = 0; i < kCount; ++i) ASSERT_EQ(started[i], i) << "FIFO start";
  EXPECT_EQ(gts.back().id(), kCount);
  EXPECT_EQ(Hub::current().greenlet_count(), 0u);
}

// ---- kill and cancel --------------------------------------------------------

SIM_TEST(GreenThread, KillBeforeStartNeverRunsButLinksRun) {
  HookReports hook;
  bool ran = false;
  std::vector<std::string> links;
  auto g = spawn([&] {
    ran = true;
    return 5;
  });
  g.link([&](GreenThread<int>& gt) {
    links.push_back("link");
    EXPECT_THROW(gt.wait(), GreenletExit);
  });
  g.kill();
  EXPECT_THAT(links, ElementsAre("link")) << "links ran by the time kill()"
                                             " returned";
  EXPECT_TRUE(g.dead());
  EXPECT_TRUE(g.ready());
  EXPECT_THROW(g.wait(), GreenletExit);
  sleep(Ms(1));
  EXPECT_FALSE(ran);
  EXPECT_EQ(Hub::current().greenlet_count(), 0u);
  EXPECT_THAT(hook.lines, IsEmpty());
}

SIM_TEST(GreenThread, KillBeforeStartWithACustomException) {
  bool ran = false;
  auto g = spawn([&] { ran = true; });
  g.kill(std::runtime_error("custom"));
  try {
    g.wait();
    ADD_FAILURE() << "wait() returned";
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(), "custom");
  }
  sleep();
  EXPECT_FALSE(ran);
}

SIM_TEST_OPTS(GreenThread, KillOfAParkedGreenthreadUnwindsItsStack,
              .sweep = false) {
  HookReports hook;
  bool destroyed = false, continued = false;
  auto g = spawn([&] {
    SetOnDestroy guard{&destroyed};
    sleep(absl::Seconds(10));
    continued = true;
  });
  sleep();
  EXPECT_TRUE(g.started());
  EXPECT_FALSE(g.dead());
  g.kill();
  EXPECT_TRUE(destroyed) << "destructors ran by the time kill() returned";
  EXPECT_FALSE(continued);
  EXPECT_TRUE(g.dead());
  EXPECT_THROW(g.wait(), GreenletExit);
  EXPECT_EQ(Hub::current().timer_count(), 0u) << "its sleep timer is gone";
  EXPECT_THAT(hook.lines, IsEmpty()) << "GreenletExit is never reported";
}

SIM_TEST_OPTS(GreenThread, KillYieldsUnlessTheTargetIsDead, .sweep = false) {
  std::vector<std::string> log;
  auto target = spawn([&] {
    try {
      sleep(absl::Seconds(10));
    } catch (const GreenletExit&) {
      log.push_back("target unwinds");
      throw;
    }
  });
  sleep();
  spawn([&] { log.push_back("other"); });
  log.push_back("kill");
  target.kill();
  log.push_back("kill returned");
  EXPECT_THAT(log,
              ElementsAre("kill", "target unwinds", "other", "kill returned"));
  log.clear();
  spawn([&] { log.push_back("other2"); });
  target.kill();  // dead: no yield
  log.push_back("second kill returned");
  sleep();
  EXPECT_THAT(log, ElementsAre("second kill returned", "other2"));
}

SIM_TEST(GreenThread, FreeFunctionKillIsTheMethod) {
  bool ran = false;
  auto plain = spawn([&] { ran = true; });
  kill(plain);
  EXPECT_THROW(plain.wait(), GreenletExit);
  auto custom = spawn([&] { ran = true; });
  kill(custom, std::runtime_error("custom"));
  EXPECT_THROW(custom.wait(), std::runtime_error);
  sleep();
  EXPECT_FALSE(ran);
}

SIM_TEST_OPTS(GreenThread, KillWithACustomException, .sweep = false) {
  HookReports hook;
  std::string seen;
  auto g = spawn([&]() -> int {
    try {
      sleep(absl::Seconds(10));
    } catch (const std::runtime_error& e) {
      seen = e.what();
      throw;
    }
    return 0;
  });
  sleep();
  g.kill(std::runtime_error("custom"));
  EXPECT_EQ(seen, "custom");
  try {
    g.wait();
    ADD_FAILURE() << "wait() returned";
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(), "custom");
  }
  EXPECT_THAT(hook.lines,
              ElementsAre("greenthread 1: std::runtime_error: custom"));
}

SIM_TEST_OPTS(GreenThread, GreenthreadMayCatchGreenletExitAndReturn,
              .sweep = false) {
  auto g = spawn([]() -> int {
    try {
      sleep(absl::Seconds(10));
    } catch (const GreenletExit&) {
      return 7;
    }
    return 0;
  });
  sleep();
  g.kill();
  EXPECT_EQ(g.wait(), 7);
}

SIM_TEST(GreenThread, SelfKill) {
  HookReports hook;
  GreenThread<void> self;
  bool reached = false, unwound = false;
  self = spawn([&] {
    SetOnDestroy guard{&unwound};
    sleep();
    self.kill();
    reached = true;
  });
  EXPECT_THROW(self.wait(), GreenletExit);
  EXPECT_FALSE(reached);
  EXPECT_TRUE(unwound);
  EXPECT_THAT(hook.lines, IsEmpty());
}

SIM_TEST_OPTS(GreenThread, CancelActsOnlyBeforeStart, .sweep = false) {
  bool ran = false;
  auto g = spawn([&] { ran = true; });
  g.cancel();
  EXPECT_THROW(g.wait(), GreenletExit);
  EXPECT_FALSE(ran);
  auto h = spawn([] {
    sleep(Ms(2));
    return 7;
  });
  sleep();
  ASSERT_TRUE(h.started());
  h.cancel();  // started: no effect
  EXPECT_EQ(h.wait(), 7);
}

SIM_TEST(GreenThread, CancelledSpawnAfterLeavesNoTimer) {
  bool ran = false;
  auto g = spawn_after(absl::Hours(1), [&] { ran = true; });
  EXPECT_EQ(Hub::current().timer_count(), 1u);
  g.cancel();
  EXPECT_EQ(Hub::current().timer_count(), 0u)
      << "eventlet leaves the start timer in the heap; we must not";
  EXPECT_TRUE(g.dead());
  EXPECT_THROW(g.wait(), GreenletExit);
  EXPECT_FALSE(ran);
}

SIM_TEST_OPTS(GreenThread, KillFromATimerCallback, .sweep = false) {
  HookReports hook;
  bool unwound = false;
  auto g = spawn([&] {
    SetOnDestroy guard{&unwound};
    sleep(absl::Seconds(10));
  });
  sleep();
  Hub::current().schedule_call_global(absl::ZeroDuration(), [&] { g.kill(); });
  sleep(Ms(1));
  EXPECT_TRUE(unwound);
  EXPECT_TRUE(g.dead());
  EXPECT_THROW(g.wait(), GreenletExit);
  EXPECT_THAT(hook.lines, IsEmpty());
}

// eventlet: the hub is the killed greenlet's parent, so the callback goes on
// as soon as the target has unwound, before anything else of the pass runs —
// and its frame (with what it captured) is released then, not at teardown.
SIM_TEST_OPTS(GreenThread, AKillFromACallbackReturnsToTheCallback,
              .sweep = false) {
  std::vector<std::string> log;
  auto token = std::make_shared<int>(0);
  Event<int> never;
  auto target = spawn([&] {
    try {
      never.wait();
    } catch (const GreenletExit&) {
      log.push_back("target unwound");
      throw;
    }
  });
  sleep();
  Hub::current().schedule_call_global(absl::ZeroDuration(), [&, token] {
    target.kill();
    log.push_back("callback goes on");
  });
  spawn([&] { log.push_back("next greenthread"); });
  sleep();
  EXPECT_THAT(log, ElementsAre("target unwound", "callback goes on",
                               "next greenthread"));
  EXPECT_EQ(token.use_count(), 1) << "the callback and its captures are freed";
}

// The waiter was woken (its wake-up is queued) but has not run yet when it is
// killed: the kill wins and the stale wake-up is dropped.
SIM_TEST_OPTS(GreenThread, KillAfterWakeUpBeforeItRuns, .sweep = false) {
  Event<int> ev;
  int got = -1;
  bool killed = false;
  auto g = spawn([&] {
    try {
      got = ev.wait();
    } catch (const GreenletExit&) {
      killed = true;
      throw;
    }
  });
  sleep();
  ev.send(1);
  g.kill();
  EXPECT_TRUE(killed);
  EXPECT_EQ(got, -1);
  sleep();
  sleep();
  EXPECT_EQ(got, -1) << "resumed a second time by the stale wake-up";
  EXPECT_EQ(Hub::current().greenlet_count(), 0u);
}

TEST_F(GreenThreadTest, KillDuringTrampolineRemovesItsListener) {
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  auto g = spawn([&] { Hub::current().trampoline(fds[0], kRead); });
  sleep();
  EXPECT_EQ(Hub::current().listener_count(), 1u);
  g.kill();
  EXPECT_EQ(Hub::current().listener_count(), 0u);
  EXPECT_THROW(g.wait(), GreenletExit);
  Hub::current().notify_close(fds[0]);
  close(fds[0]);
  close(fds[1]);
}

SIM_TEST(GreenThread, SpawnFromATimerCallback) {
  GreenThread<std::int64_t> g;
  Hub::current().schedule_call_global(absl::ZeroDuration(), [&] {
    g = spawn([] { return getcurrent().id(); });
  });
  sleep(Ms(1));
  ASSERT_TRUE(static_cast<bool>(g));
  EXPECT_EQ(g.wait(), 1);
}

SIM_TEST(GreenThread, NameAppearsInReports) {
  HookReports hook;
  auto g = spawn([] { throw std::runtime_error("x"); });
  g.set_name("fetcher");
  EXPECT_THROW(g.wait(), std::runtime_error);
  g.set_name("ignored once dead");
  EXPECT_THAT(hook.lines,
              ElementsAre("greenthread 1 (fetcher): std::runtime_error: x"));
}

TEST_F(GreenThreadTest, HandlesStayValidAfterHubTeardown) {
  bool unwound = false, ran = false;
  auto parked = spawn([&] {
    SetOnDestroy guard{&unwound};
    sleep(absl::Hours(1));
    return 1;
  });
  sleep();
  auto unstarted = spawn([&] { ran = true; });
  Hub::destroy_current();
  EXPECT_TRUE(unwound);
  EXPECT_FALSE(ran);
  EXPECT_TRUE(parked.dead());
  EXPECT_TRUE(unstarted.dead());
  EXPECT_THROW(parked.wait(), GreenletExit);
  EXPECT_THROW(unstarted.wait(), GreenletExit);
  parked.kill();  // no-op
  EXPECT_EQ(Hub::current_if_exists(), nullptr)
      << "using a dead handle must not create a hub";
}

// ---- link -------------------------------------------------------------------

SIM_TEST(GreenThread, LinksRunFifoInTheDyingGreenthread) {
  std::vector<std::string> log;
  std::vector<std::int64_t> ran_in;
  auto g = spawn([] {
    sleep();
    return 3;
  });
  auto link = [&](std::string name) {
    return [&, name](GreenThread<int>& gt) {
      log.push_back(name + std::to_string(gt.wait()));
      ran_in.push_back(getcurrent().id());
    };
  };
  const auto a = g.link(link("a"));
  const auto b = g.link(link("b"));
  g.link(link("c"));
  EXPECT_TRUE(g.unlink(b));
  EXPECT_FALSE(g.unlink(b));
  EXPECT_EQ(g.wait(), 3);
  EXPECT_THAT(log, ElementsAre("a3", "c3"));
  EXPECT_THAT(ran_in, ElementsAre(g.id(), g.id()));
  // Linking after death runs at once, in the caller.
  g.link(link("late"));
  EXPECT_THAT(log, ElementsAre("a3", "c3", "late3"));
  EXPECT_EQ(ran_in.back(), 0);
  EXPECT_FALSE(g.unlink(a)) << "already ran";
}

SIM_TEST(GreenThread,
         LinksRunWhenTheGreenthreadRaisesAndAThrowingLinkIsReported) {
  HookReports hook;
  std::vector<std::string> log;
  auto g = spawn([]() -> int { throw std::runtime_error("bad"); });
  g.link([&](GreenThread<int>&) {
    log.push_back("first");
    throw std::logic_error("link broke");
  });
  g.link([&](GreenThread<int>& gt) {
    try {
      gt.wait();
    } catch (const std::runtime_error& e) {
      log.push_back(std::string("second saw ") + e.what());
    }
  });
  EXPECT_THROW(g.wait(), std::runtime_error);
  EXPECT_THAT(log, ElementsAre("first", "second saw bad"));
  EXPECT_THAT(hook.lines, UnorderedElementsAre(
                              "link callback: std::logic_error: link broke",
                              "greenthread 1: std::runtime_error: bad"));
}

}  // namespace
}  // namespace eventlet
