// Copyright 2026 The eventlet-cpp Authors.
//
// Conformance: eventlet's tests/timeout_with_statement_test.py (see
// event_test.cc for how these ports are written; docs/conformance.md keeps
// the table). eventlet's `with Timeout(...) as t:` block is a C++ scope
// holding the Timeout; `with Timeout(d, False):` is with_silent_timeout().
#include <exception>
#include <stdexcept>
#include <string>
#include <system_error>

#include "absl/time/time.h"
#include "greenthread/greenthread.h"
#include "greenthread/timeout.h"
#include "gtest/gtest.h"
#include "hub/hub.h"
#include "sim/sim_gtest.h"

namespace eventlet {
namespace {

const absl::Duration kDelay = absl::Milliseconds(10);

SIM_TEST(TimeoutWithStatementTest, TestCancellation) {
  Timeout t(kDelay * 2);
  sleep();
  EXPECT_TRUE(t.pending());
  sleep(kDelay);
  t.cancel();  // what leaving eventlet's with-block does
  EXPECT_FALSE(t.pending());
  EXPECT_NO_THROW(sleep(kDelay * 2));
}

SIM_TEST(TimeoutWithStatementTest, TestRaisingSelf) {
  bool raised = false;
  try {
    Timeout t(kDelay);
    try {
      sleep(kDelay * 2);
    } catch (const TimeoutExpired& ex) {
      EXPECT_TRUE(t.owns(ex));
      throw;
    }
  } catch (const TimeoutExpired&) {
    raised = true;
  }
  EXPECT_TRUE(raised) << "must raise";
}

// eventlet's Timeout(d, True) selects the default (raise the Timeout
// itself): the plain constructor here.
SIM_TEST(TimeoutWithStatementTest, TestRaisingSelfTrue) {
  bool owned = false;
  try {
    Timeout t(kDelay);
    try {
      sleep(kDelay * 2);
    } catch (const TimeoutExpired& ex) {
      owned = t.owns(ex);
    }
  } catch (...) {
    ADD_FAILURE() << "the expiry left its own block";
  }
  EXPECT_TRUE(owned);
}

SIM_TEST(TimeoutWithStatementTest, TestRaisingCustomException) {
  try {
    Timeout t(kDelay, std::make_exception_ptr(std::system_error(
                          std::make_error_code(std::errc::timed_out),
                          "Operation takes way too long")));
    sleep(kDelay * 2);
    ADD_FAILURE() << "slept through the Timeout";
  } catch (const std::system_error& ex) {
    EXPECT_EQ(std::string(ex.what()).find("Operation takes way too long"), 0u);
  }
}

// eventlet accepts an exception class; C++ raises values: a
// default-constructed one.
SIM_TEST(TimeoutWithStatementTest, TestRaisingExceptionClass) {
  EXPECT_THROW(
      {
        Timeout t(kDelay, std::make_exception_ptr(std::bad_alloc()));
        sleep(kDelay * 2);
      },
      std::bad_alloc);
}

// The exception being handled (eventlet: sys.exc_info()) as the Timeout's.
SIM_TEST(TimeoutWithStatementTest, TestRaisingExcTuple) {
  try {
    throw std::domain_error("division by zero");
  } catch (...) {
    EXPECT_THROW(
        {
          Timeout t(kDelay, std::current_exception());
          sleep(kDelay * 2);
          ADD_FAILURE() << "should not get there";
        },
        std::domain_error);
  }
}

SIM_TEST(TimeoutWithStatementTest, TestCancelTimerInsideBlock) {
  Timeout timer(kDelay);
  timer.cancel();
  EXPECT_NO_THROW(sleep(kDelay * 2));
}

SIM_TEST(TimeoutWithStatementTest, TestSilentBlock) {
  const absl::Duration xdelay = absl::Milliseconds(100);
  const absl::Duration start = Hub::current().now();
  EXPECT_FALSE(with_silent_timeout(xdelay, [&] { sleep(xdelay * 2); }));
  EXPECT_EQ(Hub::current().now() - start, xdelay);
}

SIM_TEST(TimeoutWithStatementTest, TestDummyTimer) {
  {
    Timeout none(absl::InfiniteDuration());
    EXPECT_NO_THROW(sleep(kDelay));
  }
  EXPECT_NO_THROW(sleep(kDelay));
}

// The Timeout does not keep its exception alive after the block.
SIM_TEST(TimeoutWithStatementTest, TestRef) {
  struct Error {
    explicit Error(int* live) : live(live) { ++*live; }
    Error(const Error& other) : live(other.live) { ++*live; }
    ~Error() { --*live; }
    int* live;
  };
  int live = 0;
  {
    Timeout t(kDelay * 2, std::make_exception_ptr(Error(&live)));
    EXPECT_EQ(live, 1);
    sleep(kDelay);
  }
  EXPECT_EQ(live, 0);
}

SIM_TEST(TimeoutWithStatementTest, TestNestedTimeout) {
  // Nested silent blocks: the outer, shorter one ends both quietly.
  const bool outer_completed = with_silent_timeout(kDelay, [] {
    with_silent_timeout(kDelay * 2, [] { sleep(kDelay * 3); });
    ADD_FAILURE() << "should not get there";
  });
  EXPECT_FALSE(outer_completed);
  {
    Timeout t1(kDelay);
    {
      Timeout t2(kDelay * 2);
      try {
        sleep(kDelay * 3);
      } catch (const TimeoutExpired& ex) {
        EXPECT_TRUE(t1.owns(ex));
      }
      EXPECT_FALSE(t1.pending());
      EXPECT_TRUE(t2.pending());
    }
    EXPECT_EQ(Hub::current().timer_count(), 0u) << "t2 ended with its block";
  }
  {
    Timeout t1(kDelay * 2);
    {
      Timeout t2(kDelay);
      try {
        sleep(kDelay * 3);
      } catch (const TimeoutExpired& ex) {
        EXPECT_TRUE(t2.owns(ex));
      }
      EXPECT_TRUE(t1.pending());
      EXPECT_FALSE(t2.pending());
    }
    EXPECT_TRUE(t1.pending());
    t1.cancel();
    EXPECT_FALSE(t1.pending());
  }
}

}  // namespace
}  // namespace eventlet
