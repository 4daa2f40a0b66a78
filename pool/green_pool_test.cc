// Copyright 2026 The eventlet-cpp Authors.
#include "pool/green_pool.h"

#include <map>
#include <numeric>
#include <stdexcept>
#include <string>
#include <vector>

#include "greenthread/greenthread.h"
#include "greenthread/timeout.h"
#include "gtest/gtest.h"
#include "sim/sim_gtest.h"

namespace eventlet {
namespace {

// Eventlet's FIFO order decides which waiter runs first in each pass: this
// asserts that order exactly, so fifo only.
SIM_TEST_OPTS(GreenPool, SpawnBlocksWhileFullAndCountsSlots, .sweep = false) {
  GreenPool pool(2);
  EXPECT_EQ(pool.free(), 2);
  std::vector<std::string> log;
  auto job = [&](std::string name, int ms) {
    log.push_back("start " + name);
    sleep(absl::Milliseconds(ms));
    log.push_back("end " + name);
    return name;
  };
  auto a = pool.spawn(job, "a", 5);
  auto b = pool.spawn(job, "b", 15);
  EXPECT_EQ(pool.free(), 0);
  EXPECT_EQ(pool.running(), 2u);
  log.push_back("main: spawning c");
  auto c = pool.spawn(job, "c", 5);  // parks until a slot frees
  log.push_back("main: spawned c");
  pool.waitall();
  EXPECT_EQ(pool.running(), 0u);
  EXPECT_EQ(pool.free(), 2);
  EXPECT_EQ(c.wait(), "c");
  std::vector<std::string> want = {
      "main: spawning c", "start a", "start b", "end a",
      "main: spawned c",  "start c", "end c",   "end b"};
  EXPECT_EQ(log, want);
}

TEST(GreenPool, NegativeSizeIsRejectedWithEventletsMessage) {
  try {
    GreenPool pool(-1);
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(), "GreenPool() expect size >= 0, actual: -1");
  }
}

// fifo only: sleep() lets both spawners run first (eventlet's order).
SIM_TEST_OPTS(GreenPool,
              WaitallDoesNotHangWhenThePoolEmptiesWithSpawnersBlocked,
              .sweep = false) {
  // oracle S06: eventlet 0.33's waitall() hangs here.
  GreenPool pool(1);
  pool.spawn([] { sleep(absl::Milliseconds(5)); });
  for (int k = 0; k < 2; ++k) {
    spawn_n([&] { pool.spawn([] { sleep(absl::Milliseconds(1)); }); });
  }
  sleep();
  EXPECT_EQ(pool.waiting(), 2u);
  EXPECT_EQ(pool.free(), 0);
  Timeout guard(absl::Seconds(2));
  pool.waitall();
  EXPECT_EQ(pool.waiting(), 0u);
  EXPECT_EQ(pool.running(), 0u);
}

SIM_TEST(GreenPool, ZeroSizeSpawnBlocksUntilTimeout) {
  GreenPool pool(0);
  bool ran = false;
  EXPECT_THROW(
      {
        Timeout t(absl::Milliseconds(5));
        pool.spawn([&] { ran = true; });
      },
      TimeoutExpired);
  EXPECT_FALSE(ran);
  EXPECT_EQ(pool.waiting(), 0u);
}

SIM_TEST(GreenPool, ReentrantSpawnFromAFullPoolRunsInline) {
  GreenPool pool(1);
  std::vector<std::string> log;
  pool.spawn([&] {
    log.push_back("outer: free " + std::to_string(pool.free()));
    auto inner = pool.spawn([&] {
      log.push_back("inner runs inline in greenthread " +
                    std::to_string(getcurrent().id()));
      return std::string("inner-result");
    });
    log.push_back("outer: inner ready? " +
                  std::string(inner.ready() ? "yes " : "no ") + inner.wait());
  });
  pool.waitall();
  ASSERT_EQ(log.size(), 3u);
  EXPECT_EQ(log[0], "outer: free 0");
  EXPECT_EQ(log[2], "outer: inner ready? yes inner-result");
}

SIM_TEST(GreenPool, WaitallFromInsideThrows) {
  GreenPool pool(2);
  std::string message;
  pool.spawn([&] {
    try {
      pool.waitall();
    } catch (const std::logic_error& e) {
      message = e.what();
    }
  });
  pool.waitall();
  EXPECT_EQ(message,
            "Calling waitall() from within one of the GreenPool's greenthreads "
            "will never "
            "terminate.");
}

// fifo only: sleep() lets both spawners park first (eventlet's order).
SIM_TEST_OPTS(GreenPool, ResizeLetsBlockedSpawnersIn, .sweep = false) {
  GreenPool pool(1);
  pool.spawn([] { sleep(absl::Milliseconds(20)); });
  int started = 0;
  for (int i = 0; i < 2; ++i) {
    spawn_n([&] { pool.spawn([&] { ++started; }); });
  }
  sleep();
  EXPECT_EQ(pool.waiting(), 2u);
  pool.resize(3);
  EXPECT_EQ(pool.size(), 3);
  sleep();
  sleep();
  EXPECT_EQ(started, 2);
  pool.waitall();
  pool.resize(1);
  EXPECT_EQ(pool.free(), 1);
}

SIM_TEST(GreenPool, SpawnNExceptionsGoToTheHook) {
  std::vector<std::string> reports;
  Hub::current().set_exception_hook([&](const HubException& e) {
    reports.push_back(describe_exception(e.error));
  });
  GreenPool pool(4);
  pool.spawn_n([] { throw std::runtime_error("lost?"); });
  pool.waitall();
  Hub::current().set_exception_hook(nullptr);
  EXPECT_EQ(reports, std::vector<std::string>({"std::runtime_error: lost?"}));
  EXPECT_EQ(pool.free(), 4);
}

SIM_TEST(GreenPool, KillBeforeStartFreesTheSlot) {
  GreenPool pool(1);
  auto gt = pool.spawn([] { return 1; });
  gt.kill();
  EXPECT_EQ(pool.free(), 1);
  pool.waitall();
}

SIM_TEST(GreenPool, ImapYieldsInInputOrder) {
  GreenPool pool(10);
  std::vector<std::string> finished;
  std::vector<std::string> names = {"a", "b", "c"};
  std::vector<int> delays = {6, 4, 2};
  std::vector<std::string> got;
  for (const std::string& r : pool.imap(
           [&](const std::string&name, int ms) {
             sleep(absl::Milliseconds(ms));
             finished.push_back(name);
             return name;
           },
           names, delays)) {
    got.push_back(r);
  }
  EXPECT_EQ(finished, std::vector<std::string>({"c", "b", "a"}));
  EXPECT_EQ(got, names);
}

SIM_TEST(GreenPool, ImapStopsAtTheShortestAndWorksWithAlgorithms) {
  GreenPool pool(3);
  auto sums = pool.imap([](int a, int b) { return a + b; },
                        std::vector<int>{1, 2, 3}, std::vector<int>{10, 20});
  std::vector<int> v(sums.begin(), sums.end());
  EXPECT_EQ(v, std::vector<int>({11, 22}));
  auto squares =
      pool.imap([](int x) { return x * x; }, std::vector<int>{1, 2, 3, 4});
  EXPECT_EQ(std::accumulate(squares.begin(), squares.end(), 0), 30);
}

SIM_TEST(GreenPool, ImapRaisesAtThePositionOfTheFailure) {
  Hub::current().set_exception_hook([](const HubException&) {});
  GreenPool pool(4);
  std::vector<int> got;
  auto results = pool.imap(
      [](int x) {
        if (x == 2) throw std::invalid_argument("x=2");
        return x;
      },
      std::vector<int>{1, 2, 3});
  auto it = results.begin();
  got.push_back(*it);
  ++it;
  EXPECT_THROW(*it, std::invalid_argument);
  ++it;
  got.push_back(*it);
  ++it;
  EXPECT_TRUE(it == results.end());
  EXPECT_EQ(got, std::vector<int>({1, 3}));
  Hub::current().set_exception_hook(nullptr);
}

SIM_TEST(GreenPool, StarmapAppliesTuples) {
  GreenPool pool(2);
  std::vector<std::tuple<int, int>> args = {{2, 3}, {3, 2}, {10, 0}};
  std::vector<int> got;
  for (int r : pool.starmap(
           [](int base, int exp) {
             int v = 1;
             for (int i = 0; i < exp; ++i) v *= base;
             return v;
           },
           args)) {
    got.push_back(r);
  }
  EXPECT_EQ(got, std::vector<int>({8, 9, 1}));
}

// A load test (10,000 items): the fifo case only, to keep it quick.
SIM_TEST_OPTS(GreenPool, ImapOverManyItemsWithASmallPool, .sweep = false) {
  GreenPool pool(8);
  std::vector<int> input(10000);
  std::iota(input.begin(), input.end(), 0);
  long long sum = 0;
  int expected = 0;
  bool ordered = true;
  for (int r : pool.imap([](int x) { return x; }, input)) {
    ordered = ordered && r == expected++;
    sum += r;
  }
  EXPECT_TRUE(ordered);
  EXPECT_EQ(sum, 9999LL * 10000 / 2);
  EXPECT_EQ(Hub::current().greenlet_count(), 0u);
}

SIM_TEST(GreenPool, AbandonedImapStopsFeeding) {
  GreenPool pool(2);
  int calls = 0;
  {
    auto results = pool.imap(
        [&](int x) {
          ++calls;
          return x;
        },
        std::vector<int>(100, 1));
    auto it = results.begin();
    EXPECT_EQ(*it, 1);
  }
  pool.waitall();
  EXPECT_LT(calls, 100);
  EXPECT_EQ(Hub::current().greenlet_count(), 0u);
}

}  // namespace
}  // namespace eventlet

namespace eventlet {
namespace {

SIM_TEST(GreenPool, InlineSpawnNExceptionGoesToTheHookNotTheCaller) {
  std::vector<std::string> reports;
  Hub::current().set_exception_hook([&](const HubException& e) {
    reports.push_back(describe_exception(e.error));
  });
  GreenPool pool(1);
  bool caller_saw_it = false;
  pool.spawn_n([&] {
    try {
      pool.spawn_n(
          [] { throw std::runtime_error("inner"); });  // full: runs inline
    } catch (const std::exception&) {
      caller_saw_it = true;
    }
  });
  pool.waitall();
  Hub::current().set_exception_hook(nullptr);
  EXPECT_FALSE(caller_saw_it);
  EXPECT_EQ(reports, std::vector<std::string>({"std::runtime_error: inner"}));
}

}  // namespace
}  // namespace eventlet
