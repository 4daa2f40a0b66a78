// Copyright 2026 The eventlet-cpp Authors.
//
// Conformance: eventlet's tests/timeout_test.py (see event_test.cc for how
// these ports are written; docs/conformance.md keeps the table).
//
// eventlet's Timeout is both the timer and the exception it raises; here the
// timer is eventlet::Timeout and the exception TimeoutExpired (whose
// source() names the Timeout). The tests that raise the Timeout object itself
// therefore raise a TimeoutExpired.
#include "greenthread/timeout.h"

#include <exception>
#include <optional>
#include <stdexcept>

#include "absl/time/time.h"
#include "greenthread/greenthread.h"
#include "gtest/gtest.h"
#include "hub/hub.h"
#include "sim/sim_gtest.h"

namespace eventlet {
namespace {

const absl::Duration kDelay = absl::Milliseconds(10);

SIM_TEST(TimeoutTest, TestDirectRaiseClass) {
  // Raising the exception type directly (no timer behind it).
  try {
    throw TimeoutExpired(nullptr, "");
  } catch (const TimeoutExpired& e) {
    EXPECT_EQ(e.source(), nullptr) << "no Timeout raised it";
    EXPECT_TRUE(is_timeout(std::current_exception()));
  }
}

SIM_TEST(TimeoutTest, TestDirectRaiseInstance) {
  // A Timeout with no delay (eventlet's Timeout()) is never pending; the
  // exception raised on its behalf names it.
  Timeout tm(absl::InfiniteDuration());
  try {
    throw TimeoutExpired(&tm, tm.describe());
  } catch (const TimeoutExpired& e) {
    EXPECT_TRUE(tm.owns(e));
    EXPECT_FALSE(tm.pending());
  }
}

SIM_TEST(TimeoutTest, TestRepr) {
  Timeout tm(absl::Seconds(1));
  sleep();
  EXPECT_EQ(tm.describe(), "1 second");
  tm.cancel();
  Timeout custom(absl::InfiniteDuration(),
                 std::make_exception_ptr(std::runtime_error("x")));
  EXPECT_EQ(custom.describe(), "") << "no delay: eventlet's str() is empty";
  Timeout silent(absl::InfiniteDuration(), kSilent);
  EXPECT_EQ(silent.describe(), "");
}

SIM_TEST(TimeoutTest, TestWithTimeout) {
  EXPECT_THROW(with_timeout(kDelay, [] { sleep(kDelay * 10); }),
               TimeoutExpired);
  // timeout_value: returned when the call's own Timeout expires; None (here:
  // nullopt) is the slept call's own result otherwise.
  const std::optional<int> x = 42;
  auto nap = [](absl::Duration d) -> std::optional<int> {
    sleep(d);
    return std::nullopt;
  };
  EXPECT_EQ(with_timeout_or(kDelay, x, nap, kDelay * 10), x);
  EXPECT_EQ(with_timeout_or(kDelay * 10, x, nap, kDelay), std::nullopt);
}

SIM_TEST(TimeoutTest, TestWithOuterTimer) {
  auto longer_timeout = [] {
    // Must not swallow the outer Timeout's expiry.
    return with_timeout_or(kDelay * 10, 'b', [] {
      sleep(kDelay * 20);
      return 'a';
    });
  };
  EXPECT_THROW(with_timeout(kDelay, longer_timeout), TimeoutExpired);
}

SIM_TEST(TimeoutTest, TestIsTimeoutAttribute) {
  Timeout t(absl::InfiniteDuration());
  EXPECT_TRUE(is_timeout(std::make_exception_ptr(TimeoutExpired(&t, ""))));
}

}  // namespace
}  // namespace eventlet
