// Copyright 2026 The eventlet-cpp Authors.
#include "greenthread/semaphore.h"

#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "greenthread/greenthread.h"
#include "gtest/gtest.h"
#include "sim/sim_gtest.h"

namespace eventlet {
namespace {

TEST(Semaphore, CountsAndLocksLikeEventlet) {
  Semaphore s(2);
  EXPECT_EQ(s.counter(), 2);
  EXPECT_FALSE(s.locked());
  EXPECT_EQ(s.balance(), 2);
  EXPECT_EQ(s.describe(), "<Semaphore c=2 _w[0]>");
  EXPECT_TRUE(s.acquire());
  EXPECT_TRUE(s.acquire());
  EXPECT_TRUE(s.locked());
  EXPECT_FALSE(s.acquire(/*blocking=*/false));
  s.release();
  s.release();
  EXPECT_EQ(s.counter(), 2);
}

SIM_TEST_OPTS(Semaphore, WaitersAreServedFifo, .sweep = false) {
  // oracle S10: Semaphore(2), five users holding it 10 ms each.
  Semaphore s(2);
  std::vector<std::pair<std::string, int>> order;
  std::vector<GreenThread<void>> users;
  for (int i = 0; i < 5; ++i) {
    users.push_back(spawn([&, i] {
      std::lock_guard guard(s);
      order.emplace_back("in", i);
      sleep(absl::Milliseconds(10));
      order.emplace_back("out", i);
    }));
  }
  sleep();
  EXPECT_EQ(s.counter(), 0);
  EXPECT_EQ(s.balance(), -3);
  EXPECT_EQ(s.waiting(), 3u);
  for (auto& u : users) u.wait();
  std::vector<std::pair<std::string, int>> want = {
      {"in", 0}, {"in", 1},  {"out", 0}, {"out", 1}, {"in", 2},
      {"in", 3}, {"out", 2}, {"out", 3}, {"in", 4},  {"out", 4}};
  EXPECT_EQ(order, want);
}

TEST(Semaphore, ArgumentErrorsUseEventletMessages) {
  EXPECT_THROW(
      {
        try {
          Semaphore(-1);
        } catch (const std::invalid_argument& e) {
          EXPECT_STREQ(e.what(), "Semaphore() expect value >= 0, actual: -1");
          throw;
        }
      },
      std::invalid_argument);
  Semaphore s(0);
  try {
    s.acquire(false, absl::Seconds(1));
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(), "can't specify timeout for non-blocking acquire");
  }
  try {
    s.acquire(true, absl::Seconds(-2));
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(), "timeout value must be strictly positive");
  }
}

SIM_TEST(Semaphore, TimeoutReturnsFalseAndLeavesTheQueue) {
  Semaphore s(0);
  EXPECT_FALSE(s.acquire(true, absl::Milliseconds(5)));
  EXPECT_EQ(s.waiting(), 0u);
  EXPECT_EQ(s.counter(), 0);
}

SIM_TEST_OPTS(Semaphore, ReleaseHandsOffSoNobodyBarges, .sweep = false) {
  // The deliberate difference from eventlet (S10): the waiter gets the unit.
  Semaphore s(0);
  std::vector<std::string> log;
  auto waiter = spawn([&] {
    s.acquire();
    log.push_back("waiter got it");
  });
  sleep();
  s.release();  // never yields
  log.push_back("released; counter=" + std::to_string(s.counter()));
  log.push_back(std::string("try_acquire -> ") +
                (s.acquire(false) ? "true" : "false"));
  waiter.wait();
  std::vector<std::string> want = {"released; counter=0",
                                   "try_acquire -> false", "waiter got it"};
  EXPECT_EQ(log, want);
}

SIM_TEST_OPTS(Semaphore, KilledWaiterGivesUpItsPlace, .sweep = false) {
  Semaphore s(0);
  std::vector<int> got;
  auto a = spawn([&] {
    s.acquire();
    got.push_back(1);
  });
  auto b = spawn([&] {
    s.acquire();
    got.push_back(2);
  });
  sleep();
  a.kill();
  EXPECT_EQ(s.waiting(), 1u);
  s.release();
  b.wait();
  EXPECT_EQ(got, std::vector<int>({2}));
}

SIM_TEST_OPTS(Semaphore, KilledAfterHandOffPassesTheUnitOn, .sweep = false) {
  Semaphore s(0);
  std::vector<int> got;
  auto a = spawn([&] {
    s.acquire();
    got.push_back(1);
  });
  auto b = spawn([&] {
    s.acquire();
    got.push_back(2);
  });
  sleep();
  s.release();  // handed to a, which has not run yet
  a.kill();     // a dies holding the unit: it must go to b
  b.wait();
  EXPECT_EQ(got, std::vector<int>({2}));
  EXPECT_EQ(s.counter(), 0);
}

SIM_TEST_OPTS(Semaphore, AdjustServesWaiters, .sweep = false) {
  Semaphore s(0);
  int done = 0;
  for (int i = 0; i < 3; ++i)
    spawn_n([&] {
      s.acquire();
      ++done;
    });
  sleep();
  s.adjust(2);
  sleep();
  EXPECT_EQ(done, 2);
  s.adjust(-1);
  EXPECT_EQ(s.counter(), -1);
  s.release();
  s.release();
  sleep();
  EXPECT_EQ(done, 3);
}

TEST(BoundedSemaphore, OverReleaseThrows) {
  BoundedSemaphore b(1);
  b.acquire();
  b.release();
  try {
    b.release();
    FAIL();
  } catch (const std::logic_error& e) {
    EXPECT_STREQ(e.what(), "Semaphore released too many times");
  }
  EXPECT_TRUE(b.bounded());
}

SIM_TEST_OPTS(CappedSemaphore, ReleaseBlocksAtTheLimit, .sweep = false) {
  // oracle S10's CappedSemaphore(0, 2) scenario, same balances.
  CappedSemaphore c(0, 2);
  std::vector<std::string> log;
  auto releaser = spawn([&] {
    for (int i = 0; i < 3; ++i) {
      log.push_back("release " + std::to_string(i) + " ...");
      c.release();
      log.push_back("release " + std::to_string(i) + " done; balance " +
                    std::to_string(c.balance()));
    }
  });
  sleep();
  log.push_back("main: bounded " + std::string(c.bounded() ? "True" : "False") +
                " locked " + std::string(c.locked() ? "True" : "False") +
                " balance " + std::to_string(c.balance()));
  c.acquire();
  log.push_back("main: acquired one");
  sleep();
  sleep();
  log.push_back("main: balance " + std::to_string(c.balance()));
  releaser.wait();
  std::vector<std::string> want = {
      "release 0 ...",      "release 0 done; balance 0",
      "release 1 ...",      "release 1 done; balance 2",
      "release 2 ...",      "main: bounded True locked False balance 4",
      "main: acquired one", "release 2 done; balance 2",
      "main: balance 2"};
  EXPECT_EQ(log, want);
  EXPECT_THROW(CappedSemaphore(3, 2), std::invalid_argument);
}

SIM_TEST(Semaphore, AcquireFromHubGreenletThrows) {
  Semaphore s(0);
  bool threw = false;
  Hub::current().schedule_call_global(absl::ZeroDuration(), [&] {
    try {
      s.acquire();
    } catch (const HubUsageError&) {
      threw = true;
    }
  });
  sleep();
  sleep();
  EXPECT_TRUE(threw);
}

}  // namespace
}  // namespace eventlet
