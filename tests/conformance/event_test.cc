// Copyright 2026 The eventlet-cpp Authors.
//
// Conformance: eventlet's tests/event_test.py, one gtest case per eventlet
// test function (test_waiting_for_event -> EventTest.TestWaitingForEvent).
// Written from the semantics of eventlet's tests, not their text. Order- and
// time-dependent cases run on the simulated clock (SIM_TEST), so they are
// exact. docs/conformance.md keeps the table.
#include "greenthread/event.h"

#include <stdexcept>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "greenthread/greenthread.h"
#include "greenthread/timeout.h"
#include "gtest/gtest.h"
#include "hub/hook_reports_for_test.h"
#include "hub/hub.h"
#include "sim/sim_gtest.h"

namespace eventlet {
namespace {

using ::testing::SizeIs;

SIM_TEST(EventTest, TestWaitingForEvent) {
  Event<std::string> evt;
  spawn_n([&] { evt.send("some stuff"); });
  EXPECT_EQ(evt.wait(), "some stuff");
}

// eventlet's _test_multiple_waiters: five greenthreads wait on one event;
// one send() wakes all of them; each then signals its own event (and, in the
// second variant, raises — which must not stop the others).
void MultipleWaiters(bool raise) {
  HookReports hook;
  Event<> evt;
  int results = 0;
  std::vector<std::unique_ptr<Event<>>> done;
  for (int i = 0; i < 5; ++i) {
    done.push_back(std::make_unique<Event<>>());
    spawn_n([&, me = done.back().get()] {
      evt.wait();
      ++results;
      me->send();
      if (raise) throw std::runtime_error("waiter failed");
    });
  }
  sleep();  // the waiters start and park
  evt.send();
  for (auto& d : done) d->wait();
  EXPECT_EQ(results, 5);
  sleep();  // let the raising waiters finish
  EXPECT_THAT(hook.lines, SizeIs(raise ? 5 : 0));
}

SIM_TEST(EventTest, TestMultipleWaiters) { MultipleWaiters(false); }

SIM_TEST(EventTest, TestMultipleWaitersWithException) { MultipleWaiters(true); }

SIM_TEST(EventTest, TestReset) {
  Event<std::string> evt;
  // Resetting a fresh event is an error (eventlet: AssertionError).
  EXPECT_THROW(evt.reset(), std::logic_error);
  spawn_n([&] { evt.send("some stuff"); });
  EXPECT_EQ(evt.wait(), "some stuff");
  // Sent: the same value again, and no second send without a reset.
  EXPECT_THROW(evt.send("second stuff"), std::logic_error);
  EXPECT_EQ(evt.wait(), "some stuff");
  evt.reset();
  spawn_n([&] { evt.send("second stuff"); });
  EXPECT_EQ(evt.wait(), "second stuff");
}

SIM_TEST(EventTest, TestDoubleException) {
  Event<> evt;
  evt.send_exception(std::runtime_error("from test_double_exception"));
  EXPECT_THROW(evt.wait(), std::runtime_error);
  evt.reset();
  // The exception is gone: the next wait() blocks until a Timeout ends it.
  Timeout t(absl::Milliseconds(1));
  EXPECT_THROW(evt.wait(), TimeoutExpired);
}

SIM_TEST(EventTest, TestWaitTimeoutOk) {
  Event<bool> evt;
  const absl::Duration delay = absl::Milliseconds(100);
  spawn_after(delay, [&] { evt.send(true); });
  const absl::Duration t1 = Hub::current().now();
  const bool completed = with_silent_timeout(delay * 3, [&] {
    std::optional<bool> result = evt.wait(delay * 2);
    ASSERT_TRUE(result.has_value());
    EXPECT_TRUE(*result);
    EXPECT_EQ(Hub::current().now() - t1, delay);
  });
  EXPECT_TRUE(completed);
}

SIM_TEST(EventTest, TestWaitTimeoutExceed) {
  Event<bool> evt;
  const absl::Duration delay = absl::Milliseconds(100);
  spawn_after(delay * 2, [&] { evt.send(true); });
  const absl::Duration t1 = Hub::current().now();
  std::optional<bool> result;
  const bool completed =
      with_silent_timeout(delay, [&] { result = evt.wait(delay); });
  // Both timers are due at t1 + delay. Equal deadlines fire in scheduling
  // order here, so the block's Timeout (scheduled first) ends it; eventlet's
  // order is arbitrary, and its asserts sit inside the block, so they hold
  // whichever fires first. Either way: no result, after exactly `delay`.
  EXPECT_FALSE(completed);
  EXPECT_FALSE(result.has_value());
  EXPECT_EQ(Hub::current().now() - t1, delay);
}

}  // namespace
}  // namespace eventlet
