// Copyright 2026 The eventlet-cpp Authors.
//
// Event: send/wait, send never yields, FIFO wake-ups, timeouts, eventlet's
// error messages, send_exception, Event<void>, killed waiters, reset, and
// waiting from the hub greenlet.
#include "greenthread/event.h"

#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "greenthread/greenthread.h"
#include "gtest/gtest.h"
#include "hub/hub.h"
#include "sim/sim_gtest.h"

namespace eventlet {
namespace {

using ::testing::ElementsAre;
using ::testing::ElementsAreArray;

absl::Duration Ms(int n) { return absl::Milliseconds(n); }

SIM_TEST_OPTS(EventTest, SendThenWaitFromAnotherGreenthread, .sweep = false) {
  Event<int> ev;
  EXPECT_FALSE(ev.ready());
  EXPECT_EQ(ev.poll(), nullptr);
  auto waiter = spawn([&] { return ev.wait() + 1; });
  sleep();
  EXPECT_EQ(ev.waiting(), 1u);
  ev.send(41);
  EXPECT_TRUE(ev.ready());
  EXPECT_TRUE(ev.has_result());
  EXPECT_FALSE(ev.has_exception());
  ASSERT_NE(ev.poll(), nullptr);
  EXPECT_EQ(*ev.poll(), 41);
  EXPECT_EQ(waiter.wait(), 42);
  EXPECT_EQ(ev.waiting(), 0u);
  // A sent event answers at once, as often as asked.
  EXPECT_EQ(ev.wait(), 41);
  EXPECT_EQ(ev.wait(Ms(1)), 41);
}

SIM_TEST_OPTS(EventTest, SendNeverYields, .sweep = false) {
  Event<int> ev;
  std::vector<std::string> log;
  spawn([&] {
    ev.wait();
    log.push_back("waiter");
  });
  sleep();
  spawn([&] { log.push_back("other"); });
  ev.send(1);
  log.push_back("after send");
  EXPECT_THAT(log, ElementsAre("after send"));
  sleep();
  // The wake-up is queued like any 0-second entry: after "other"'s start.
  EXPECT_THAT(log, ElementsAre("after send", "other", "waiter"));
}

SIM_TEST_OPTS(EventTest, WaitersAreWokenFifo, .sweep = false) {
  Event<int> ev;
  std::vector<int> woken;
  for (int i = 0; i < 12; ++i) {
    spawn([&, i] {
      ev.wait();
      woken.push_back(i);
    });
  }
  sleep();
  EXPECT_EQ(ev.waiting(), 12u);
  ev.send(0);
  sleep();
  EXPECT_THAT(woken, ElementsAre(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11));
}

// FIFO means the order in which they started waiting, not spawn order.
SIM_TEST_OPTS(EventTest, WaitersAreWokenInTheOrderTheyStartedWaiting,
              .sweep = false) {
  Event<void> ev;
  const std::vector<int> delay = {3, 0, 5, 1, 4, 2};  // sleep(0)s before wait
  std::vector<int> parked, woken;
  for (int i = 0; i < static_cast<int>(delay.size()); ++i) {
    spawn([&, i] {
      for (int k = 0; k < delay[i]; ++k) sleep();
      parked.push_back(i);
      ev.wait();
      woken.push_back(i);
    });
  }
  for (int k = 0; k < 7; ++k) sleep();
  ASSERT_EQ(ev.waiting(), delay.size());
  ev.send();
  sleep();
  EXPECT_THAT(parked, ElementsAre(1, 3, 5, 0, 4, 2));
  EXPECT_THAT(woken, ElementsAreArray(parked));
}

SIM_TEST(EventTest, WaitWithTimeout) {
  Event<int> ev;
  const absl::Duration start = Hub::current().now();
  EXPECT_EQ(ev.wait(Ms(3)), std::nullopt);
  EXPECT_EQ(Hub::current().now() - start, Ms(3));
  EXPECT_EQ(ev.waiting(), 0u);
  Event<void> v;
  EXPECT_FALSE(v.wait(Ms(1)));
  EXPECT_EQ(v.waiting(), 0u);
  // Sent before the timeout: the value, and the timer is gone.
  spawn([&] { ev.send(5); });
  EXPECT_EQ(ev.wait(absl::Seconds(5)), 5);
  spawn([&] { v.send(); });
  EXPECT_TRUE(v.wait(absl::Seconds(5)));
  EXPECT_EQ(Hub::current().timer_count(), 0u);
}

SIM_TEST(EventTest, SendTwiceThrows) {
  Event<int> ev;
  ev.send(1);
  try {
    ev.send(2);
    ADD_FAILURE() << "second send accepted";
  } catch (const std::logic_error& e) {
    EXPECT_STREQ(e.what(), "Trying to re-send() an already-triggered event.");
  }
  EXPECT_THROW(ev.send_exception(std::runtime_error("x")), std::logic_error);
  EXPECT_EQ(ev.wait(), 1) << "the first value stays";
  Event<void> v;
  v.send();
  EXPECT_THROW(v.send(), std::logic_error);
}

SIM_TEST(EventTest, ResetOnAFreshEventThrows) {
  Event<int> ev;
  try {
    ev.reset();
    ADD_FAILURE() << "reset of a fresh event accepted";
  } catch (const std::logic_error& e) {
    EXPECT_STREQ(e.what(), "Trying to re-reset() a fresh event.");
  }
  Event<void> v;
  EXPECT_THROW(v.reset(), std::logic_error);
}

SIM_TEST(EventTest, ResetMakesItFreshAgain) {
  Event<int> ev;
  ev.send(1);
  ev.reset();
  EXPECT_FALSE(ev.ready());
  EXPECT_EQ(ev.poll(), nullptr);
  EXPECT_EQ(ev.wait(Ms(1)), std::nullopt);
  ev.send(2);
  EXPECT_EQ(ev.wait(), 2);
}

// hub.h: "Waiters already woken by the previous send() but not yet run keep
// waiting."
SIM_TEST_OPTS(EventTest, ResetBeforeWokenWaitersRunKeepsThemWaiting,
              .sweep = false) {
  Event<int> ev;
  auto waiter = spawn([&] { return ev.wait(); });
  sleep();
  ev.send(1);
  ev.reset();
  sleep();
  EXPECT_FALSE(waiter.dead());
  EXPECT_EQ(ev.waiting(), 1u);
  ev.send(2);
  EXPECT_EQ(waiter.wait(), 2);
}

SIM_TEST(EventTest, SendExceptionIsRethrownByEveryWait) {
  Event<int> ev;
  std::vector<std::string> seen;
  auto waiter = spawn([&] {
    try {
      ev.wait();
    } catch (const std::runtime_error& e) {
      seen.push_back(e.what());
    }
  });
  sleep();
  ev.send_exception(std::runtime_error("failed"));
  EXPECT_TRUE(ev.ready());
  EXPECT_TRUE(ev.has_exception());
  EXPECT_FALSE(ev.has_result());
  EXPECT_EQ(ev.poll(), nullptr);
  waiter.wait();
  EXPECT_THAT(seen, ElementsAre("failed"));
  EXPECT_THROW(ev.wait(), std::runtime_error);
  EXPECT_THROW(ev.wait(Ms(1)), std::runtime_error);
  Event<int> fresh;
  EXPECT_THROW(fresh.send_exception(std::exception_ptr()),
               std::invalid_argument);
  EXPECT_FALSE(fresh.ready());
}

SIM_TEST_OPTS(EventTest, VoidEvent, .sweep = false) {
  Event<void> ev;
  bool woke = false;
  spawn([&] {
    ev.wait();
    woke = true;
  });
  sleep();
  ev.send();
  EXPECT_TRUE(ev.has_result());
  sleep();
  EXPECT_TRUE(woke);
  ev.reset();
  ev.send_exception(std::runtime_error("v"));
  EXPECT_THROW(ev.wait(), std::runtime_error);
  EXPECT_THROW(ev.wait(Ms(1)), std::runtime_error);
}

SIM_TEST(EventTest, MoveOnlyValue) {
  Event<std::unique_ptr<int>> ev;
  spawn([&] { ev.send(std::make_unique<int>(9)); });
  const std::unique_ptr<int>& v = ev.wait();
  ASSERT_NE(v, nullptr);
  EXPECT_EQ(*v, 9);
}

SIM_TEST_OPTS(EventTest, AWaiterKilledWhileWaitingIsRemoved, .sweep = false) {
  Event<int> ev;
  auto a = spawn([&] { return ev.wait(); });
  auto b = spawn([&] { return ev.wait(); });
  sleep();
  EXPECT_EQ(ev.waiting(), 2u);
  a.kill();
  EXPECT_EQ(ev.waiting(), 1u);
  EXPECT_THROW(a.wait(), GreenletExit);
  b.kill();
  EXPECT_EQ(ev.waiting(), 0u);
  ev.send(3);  // nobody left to wake
  sleep();
  EXPECT_EQ(Hub::current().ready_count(), 0u);
}

SIM_TEST(EventTest, AWaiterThatTimedOutIsRemoved) {
  Event<int> ev;
  auto a = spawn([&] { return ev.wait(Ms(1)); });
  EXPECT_EQ(a.wait(), std::nullopt);
  EXPECT_EQ(ev.waiting(), 0u);
}

SIM_TEST(EventTest, WaitFromTheHubGreenletThrows) {
  Event<int> ev;
  std::string error;
  Hub::current().schedule_call_global(absl::ZeroDuration(), [&] {
    try {
      ev.wait();
    } catch (const HubUsageError& e) {
      error = e.what();
    }
  });
  sleep(Ms(1));
  // eventlet: Event.wait goes through hub.switch(), not sleep/trampoline.
  EXPECT_EQ(error, "Cannot switch to MAINLOOP from MAINLOOP");
  EXPECT_EQ(ev.waiting(), 0u);
  // Sending from the hub greenlet is fine (it never blocks).
  Hub::current().schedule_call_global(absl::ZeroDuration(),
                                      [&] { ev.send(4); });
  EXPECT_EQ(ev.wait(), 4);
}

}  // namespace
}  // namespace eventlet
