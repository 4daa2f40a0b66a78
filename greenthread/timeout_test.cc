// Copyright 2026 The eventlet-cpp Authors.
//
// Timeout: delivered only at switch points, cancel and scope end, nesting,
// with_timeout / with_timeout_or, custom exceptions, the stack-only rule, on
// main and in greenthreads.
#include "greenthread/timeout.h"

#include <chrono>
#include <memory>
#include <stdexcept>
#include <string>
#include <system_error>

#include "absl/time/time.h"
#include "greenthread/event.h"
#include "greenthread/greenthread.h"
#include "gtest/gtest.h"
#include "hub/hub.h"
#include "sim/sim_gtest.h"

namespace eventlet {
namespace {

absl::Duration Ms(int n) { return absl::Milliseconds(n); }

// Burns CPU for `ms` without ever yielding to the hub.
void BusyWait(int ms) {
  const auto end =
      std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
  while (std::chrono::steady_clock::now() < end) {
  }
}

// For the tests that need the real hub: a busy CPU loop (which a virtual
// clock does not see) or a real pipe.
class TimeoutRealHubTest : public ::testing::Test {
 protected:
  void SetUp() override { Hub::destroy_current(); }
  void TearDown() override { Hub::destroy_current(); }
};

SIM_TEST(TimeoutTest, FiresIntoABlockingCallOnTheMainGreenlet) {
  const absl::Duration start = Hub::current().now();
  bool caught = false;
  try {
    Timeout t(Ms(3));
    EXPECT_TRUE(t.pending());
    sleep(absl::Seconds(5));
    ADD_FAILURE() << "slept through the Timeout";
  } catch (const TimeoutExpired&) {
    caught = true;
  }
  EXPECT_TRUE(caught);
  const absl::Duration took = Hub::current().now() - start;
  EXPECT_EQ(took, Ms(3));
  EXPECT_EQ(Hub::current().timer_count(), 0u) << "the sleep's timer is gone";
}

TEST_F(TimeoutRealHubTest, ANonYieldingLoopIsNotInterrupted) {
  bool loop_finished = false, caught = false;
  try {
    Timeout t(Ms(1));
    BusyWait(5);  // well past the deadline, no switch point
    loop_finished = true;
    sleep(Ms(50));  // the next switch point
    ADD_FAILURE() << "slept through the Timeout";
  } catch (const TimeoutExpired&) {
    caught = true;
  }
  EXPECT_TRUE(loop_finished);
  EXPECT_TRUE(caught);
}

// A Timeout that expired during a non-yielding stretch is delivered at the
// very next switch point, even a sleep(0): timers that came due since the
// previous pass run before the wake-ups queued meanwhile.
TEST_F(TimeoutRealHubTest, FiresAtTheFirstSwitchPointAfterTheDeadline) {
  bool after_yield = false, caught = false;
  try {
    Timeout t(Ms(1));
    BusyWait(5);
    sleep();  // the first switch point after the deadline
    after_yield = true;
  } catch (const TimeoutExpired&) {
    caught = true;
  }
  EXPECT_TRUE(caught);
  EXPECT_FALSE(after_yield);
}

SIM_TEST(TimeoutTest, CancelPreventsFiring) {
  Timeout t(Ms(2));
  EXPECT_TRUE(t.pending());
  t.cancel();
  EXPECT_FALSE(t.pending());
  t.cancel();  // idempotent
  EXPECT_NO_THROW(sleep(Ms(6)));
  EXPECT_EQ(Hub::current().timer_count(), 0u);
}

SIM_TEST(TimeoutTest, NeverFiresAfterItsScopeEnded) {
  {
    Timeout t(Ms(2));
    sleep(Ms(1));
  }
  EXPECT_EQ(Hub::current().timer_count(), 0u);
  EXPECT_NO_THROW(sleep(Ms(6)));
  // The same inside a greenthread.
  auto g = spawn([] {
    { Timeout t(Ms(2)); }
    sleep(Ms(6));
    return true;
  });
  EXPECT_TRUE(g.wait());
}

SIM_TEST(TimeoutTest, OuterShorterPassesThroughInner) {
  bool inner_owned = true, outer_owned = false, outer_caught = false;
  Timeout outer(Ms(2));
  try {
    Timeout inner(Ms(500));
    try {
      sleep(absl::Seconds(5));
    } catch (const TimeoutExpired& e) {
      inner_owned = inner.owns(e);
      throw;
    }
  } catch (const TimeoutExpired& e) {
    outer_caught = true;
    outer_owned = outer.owns(e);
  }
  EXPECT_TRUE(outer_caught);
  EXPECT_FALSE(inner_owned);
  EXPECT_TRUE(outer_owned);
  EXPECT_FALSE(outer.pending());
  EXPECT_EQ(Hub::current().timer_count(), 0u) << "inner was cancelled";
}

SIM_TEST(TimeoutTest, InnerShorterIsCaughtInside) {
  Timeout outer(Ms(500));
  bool inner_caught = false;
  {
    Timeout inner(Ms(2));
    try {
      sleep(absl::Seconds(5));
    } catch (const TimeoutExpired& e) {
      inner_caught = inner.owns(e);
      EXPECT_FALSE(outer.owns(e));
    }
  }
  EXPECT_TRUE(inner_caught);
  EXPECT_TRUE(outer.pending()) << "the outer one is still running";
  EXPECT_NO_THROW(sleep(Ms(2)));
}

SIM_TEST(TimeoutTest, WithTimeout) {
  EXPECT_EQ(with_timeout(
                Ms(500), [](int x) { return x + 1; }, 4),
            5);
  EXPECT_THROW(with_timeout(Ms(2),
                            [] {
                              sleep(absl::Seconds(5));
                              return 1;
                            }),
               TimeoutExpired);
  EXPECT_EQ(Hub::current().timer_count(), 0u);
}

SIM_TEST(TimeoutTest, WithTimeoutOr) {
  EXPECT_EQ(with_timeout_or(Ms(2), -1,
                            [] {
                              sleep(absl::Seconds(5));
                              return 1;
                            }),
            -1);
  EXPECT_EQ(with_timeout_or(Ms(500), -1, [] { return 7; }), 7);
  EXPECT_EQ(
      with_timeout_or(
          Ms(500), std::string("late"), [](std::string s) { return s; }, "ok"),
      "ok");
  // Another Timeout's expiry is not swallowed.
  bool outer_caught = false;
  Timeout outer(Ms(2));
  try {
    with_timeout_or(Ms(500), -1, [] {
      sleep(absl::Seconds(5));
      return 1;
    });
  } catch (const TimeoutExpired& e) {
    outer_caught = outer.owns(e);
  }
  EXPECT_TRUE(outer_caught);
}

SIM_TEST(TimeoutTest, CustomException) {
  try {
    Timeout t(Ms(2), std::make_exception_ptr(std::runtime_error("custom")));
    sleep(absl::Seconds(5));
    ADD_FAILURE() << "slept through the Timeout";
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(), "custom");
  }
}

SIM_TEST(TimeoutTest, ExpiryIsNotAStdException) {
  bool swallowed = false, caught = false;
  try {
    Timeout t(Ms(2));
    try {
      sleep(absl::Seconds(5));
    } catch (const std::exception&) {
      swallowed = true;
    }
  } catch (const TimeoutExpired&) {
    caught = true;
  }
  EXPECT_FALSE(swallowed);
  EXPECT_TRUE(caught);
}

SIM_TEST(TimeoutTest, OnTheHeapThrowsLogicError) {
  EXPECT_THROW(std::make_unique<Timeout>(Ms(1)), std::logic_error);
  auto g = spawn([] {
    try {
      auto t = std::make_unique<Timeout>(Ms(1));
    } catch (const std::logic_error&) {
      return true;
    }
    return false;
  });
  EXPECT_TRUE(g.wait());
  EXPECT_EQ(Hub::current().timer_count(), 0u);
  EXPECT_NO_THROW(sleep(Ms(3)));
}

SIM_TEST(TimeoutTest, InAGreenthreadInterruptsThatGreenthreadOnly) {
  Event<int> never;
  auto g = spawn([&]() -> std::string {
    try {
      Timeout t(Ms(2));
      never.wait();
    } catch (const TimeoutExpired& e) {
      return e.what();
    }
    return "not interrupted";
  });
  EXPECT_NO_THROW(sleep(Ms(10)));  // main is not the target
  EXPECT_EQ(g.wait(), "0.002 seconds");
  EXPECT_EQ(never.waiting(), 0u) << "the waiter left the event";
}

TEST_F(TimeoutRealHubTest, CancelsAPendingTrampoline) {
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  bool caught = false;
  try {
    Timeout t(Ms(2));
    Hub::current().trampoline(fds[0], kRead);
  } catch (const TimeoutExpired&) {
    caught = true;
  }
  EXPECT_TRUE(caught);
  EXPECT_EQ(Hub::current().listener_count(), 0u);
  Hub::current().notify_close(fds[0]);
  close(fds[0]);
  close(fds[1]);
}

SIM_TEST(TimeoutTest, FromTheHubGreenletThrowsHubUsageError) {
  std::string error;
  Hub::current().schedule_call_global(absl::ZeroDuration(), [&] {
    try {
      Timeout t(Ms(1));
    } catch (const HubUsageError& e) {
      error = e.what();
    }
  });
  sleep(Ms(1));
  EXPECT_EQ(error, "do not call blocking functions from the mainloop");
}

SIM_TEST(TimeoutTest, InfiniteNeverFiresAndDescribe) {
  {
    Timeout t(absl::InfiniteDuration());
    EXPECT_EQ(Hub::current().timer_count(), 0u);
    EXPECT_NO_THROW(sleep(Ms(1)));
    EXPECT_EQ(t.describe(), "");
  }
  Timeout one(absl::Seconds(1));
  EXPECT_EQ(one.describe(), "1 second");
  EXPECT_EQ(one.delay(), absl::Seconds(1));
  Timeout frac(Ms(50));
  EXPECT_EQ(frac.describe(), "0.05 seconds");
}

SIM_TEST(TimeoutTest, DescribeNamesTheSilentAndCustomForms) {
  Timeout silent(absl::Seconds(2), kSilent);
  EXPECT_TRUE(silent.silent());
  EXPECT_EQ(silent.describe(), "2 seconds (silent)");
  Timeout custom(absl::Seconds(1),
                 std::make_exception_ptr(std::runtime_error("boom")));
  EXPECT_EQ(custom.describe(), "1 second (std::runtime_error: boom)");
}

SIM_TEST(TimeoutTest, SilentFormEndsTheBlockQuietly) {
  const absl::Duration start = Hub::current().now();
  bool after_sleep = false;
  EXPECT_FALSE(with_silent_timeout(Ms(3), [&] {
    sleep(absl::Seconds(5));
    after_sleep = true;
  }));
  EXPECT_FALSE(after_sleep);
  EXPECT_EQ(Hub::current().now() - start, Ms(3));
  EXPECT_TRUE(with_silent_timeout(Ms(3), [] { sleep(Ms(1)); }));
  EXPECT_EQ(Hub::current().timer_count(), 0u) << "the finished block's timer";
  // Another Timeout's expiry passes through the silent block.
  bool outer_caught = false;
  try {
    Timeout outer(Ms(2));
    try {
      with_silent_timeout(Ms(500), [] { sleep(absl::Seconds(5)); });
    } catch (const TimeoutExpired& e) {
      outer_caught = outer.owns(e);
    }
  } catch (const TimeoutExpired&) {
    ADD_FAILURE() << "the outer Timeout escaped its own scope";
  }
  EXPECT_TRUE(outer_caught);
  // By hand, the silent form still raises (the helper is what swallows it).
  EXPECT_THROW(
      {
        Timeout t(Ms(1), kSilent);
        sleep(Ms(5));
      },
      TimeoutExpired);
}

SIM_TEST(TimeoutTest, StartRestartsAfterCancelAndAfterExpiry) {
  Timeout t(Ms(10));
  EXPECT_THROW(t.start(), std::logic_error) << "already pending";
  t.cancel();
  EXPECT_FALSE(t.pending());
  EXPECT_NO_THROW(sleep(Ms(20)));  // cancelled: nothing fires
  const absl::Duration restarted_at = Hub::current().now();
  t.start();
  EXPECT_TRUE(t.pending());
  try {
    sleep(absl::Seconds(5));
    ADD_FAILURE() << "slept through the restarted Timeout";
  } catch (const TimeoutExpired& e) {
    EXPECT_TRUE(t.owns(e));
  }
  EXPECT_EQ(Hub::current().now() - restarted_at, Ms(10))
      << "a restart counts its delay from start()";
  EXPECT_FALSE(t.pending());
  t.start();  // after expiry, start() schedules it again
  EXPECT_TRUE(t.pending());
  t.cancel();
  Timeout never(absl::InfiniteDuration());
  never.start();  // a no-op for an infinite delay
  EXPECT_FALSE(never.pending());
}

struct LeaseExpired : std::runtime_error, TimeoutTag {
  LeaseExpired() : std::runtime_error("lease expired") {}
};

SIM_TEST(TimeoutTest, IsTimeoutRecognisesEveryTimeoutKind) {
  std::exception_ptr expired;
  try {
    Timeout t(Ms(1));
    sleep(Ms(5));
  } catch (...) {
    expired = std::current_exception();
  }
  EXPECT_TRUE(is_timeout(expired));
  EXPECT_TRUE(is_timeout(std::make_exception_ptr(TimeoutError())));
  EXPECT_TRUE(is_timeout(std::make_exception_ptr(LeaseExpired())));
  EXPECT_TRUE(is_timeout(std::make_exception_ptr(
      std::system_error(std::make_error_code(std::errc::timed_out)))));
  EXPECT_FALSE(is_timeout(std::make_exception_ptr(
      std::system_error(std::make_error_code(std::errc::connection_reset)))));
  EXPECT_FALSE(is_timeout(std::make_exception_ptr(std::runtime_error("x"))));
  EXPECT_FALSE(is_timeout(std::make_exception_ptr(GreenletExit())));
  EXPECT_FALSE(is_timeout(nullptr));
}

}  // namespace
}  // namespace eventlet
