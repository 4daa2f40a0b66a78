// Copyright 2026 The eventlet-cpp Authors.
#include "pool/green_pile.h"

#include <algorithm>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "greenthread/greenthread.h"
#include "greenthread/timeout.h"
#include "gtest/gtest.h"
#include "sim/sim_gtest.h"

namespace eventlet {
namespace {

std::string slow(std::string x, int ms) {
  sleep(absl::Milliseconds(ms));
  return x;
}

SIM_TEST(GreenPile, ResultsComeInSpawnOrder) {
  GreenPool pool(10);
  GreenPile<std::string> pile(pool);
  pile.spawn(slow, "p", 6);
  pile.spawn(slow, "q", 2);
  pile.spawn(slow, "r", 4);
  std::vector<std::string> got(pile.begin(), pile.end());
  EXPECT_EQ(got, std::vector<std::string>({"p", "q", "r"}));
  // Read results are gone: iterating again yields nothing (eventlet: []).
  EXPECT_EQ(std::distance(pile.begin(), pile.end()), 0);
}

SIM_TEST(GreenPile, OwnPoolBoundsConcurrency) {
  GreenPile<int> pile(2);
  int running = 0;
  int peak = 0;
  for (int i = 0; i < 6; ++i) {
    pile.spawn([&, i] {
      peak = std::max(peak, ++running);
      sleep(absl::Milliseconds(1));
      --running;
      return i;
    });
  }
  std::vector<int> got;
  for (int v : pile) got.push_back(v);
  EXPECT_EQ(got, std::vector<int>({0, 1, 2, 3, 4, 5}));
  EXPECT_EQ(peak, 2);
}

SIM_TEST(GreenPile, AFailingJobRaisesAtItsPosition) {
  Hub::current().set_exception_hook([](const HubException&) {});
  GreenPile<int> pile;
  for (int x : {1, 2, 3}) {
    pile.spawn(
        [](int v) {
          if (v == 2) throw std::invalid_argument("x=2");
          return v;
        },
        x);
  }
  std::vector<int> out;
  try {
    for (int v : pile) out.push_back(v);
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(), "x=2");
  }
  EXPECT_EQ(out, std::vector<int>({1}));
  EXPECT_EQ(pile.next(), std::optional<int>(3));
  EXPECT_EQ(pile.next(), std::nullopt);
  Hub::current().set_exception_hook(nullptr);
}

// After `*it` rethrows a job's exception, `++it` moves on to the next job
// (eventlet's iteration goes on too).
SIM_TEST(GreenPile, IterationGoesOnPastAFailedJob) {
  Hub::current().set_exception_hook([](const HubException&) {});
  GreenPile<int> pile;
  for (int x : {1, 2, 3}) {
    pile.spawn(
        [](int v) {
          if (v == 2) throw std::invalid_argument("x=2");
          return v;
        },
        x);
  }
  std::vector<int> out;  // -1: raised
  for (auto it = pile.begin(); it != pile.end(); ++it) {
    try {
      out.push_back(*it);
    } catch (const std::invalid_argument&) {
      EXPECT_THROW(*it, std::invalid_argument) << "rethrown every time";
      out.push_back(-1);
    }
  }
  EXPECT_EQ(out, std::vector<int>({1, -1, 3}));
  Hub::current().set_exception_hook(nullptr);
}

// A spawn parked on a full pool already holds its place: the reader waits
// for it instead of ending (eventlet counts it as pending).
SIM_TEST(GreenPile, ReaderWaitsForSpawnsParkedOnAFullPool) {
  GreenPool pool(1);
  GreenPile<std::string> pile(pool);
  spawn([&] {
    pile.spawn(slow, "a", 2);
    pile.spawn(slow, "b", 1);  // parks until "a" is done
  });
  sleep(absl::Microseconds(100));  // the spawner has started
  std::vector<std::string> got;
  while (std::optional<std::string> v = pile.next()) got.push_back(*v);
  EXPECT_EQ(got, std::vector<std::string>({"a", "b"}));
}

// A spawn that times out while parked gives its place up; later jobs keep
// their order, and a reader waiting on it moves on.
SIM_TEST(GreenPile, ASpawnThatTimesOutGivesUpItsPlace) {
  GreenPool pool(1);
  GreenPile<std::string> pile(pool);
  pile.spawn(slow, "a", 5);
  bool timed_out = false;
  spawn([&] {
    try {
      Timeout t(absl::Milliseconds(1));
      pile.spawn(slow, "never", 1);
    } catch (const TimeoutExpired&) {
      timed_out = true;
    }
    pile.spawn(slow, "c", 1);
  });
  sleep(absl::Microseconds(100));  // the spawner has started
  EXPECT_EQ(pile.size(), 2u);      // "a", and the parked spawn
  std::vector<std::string> got(pile.begin(), pile.end());
  EXPECT_TRUE(timed_out);
  EXPECT_EQ(got, std::vector<std::string>({"a", "c"}));
  EXPECT_EQ(pile.size(), 0u);
}

// A load test (5,000 jobs): the fifo case only, to keep it quick.
SIM_TEST_OPTS(GreenPile, AnUnreadPileKeepsNoGreenthreadsAlive, .sweep = false) {
  // eventlet #748: a never-iterated pile held every GreenThread.
  GreenPool pool(100);
  GreenPile<int> pile(pool);
  for (int i = 0; i < 5000; ++i) pile.spawn([i] { return i; });
  pool.waitall();
  EXPECT_EQ(Hub::current().greenlet_count(), 0u);  // stacks all released
  EXPECT_EQ(pile.size(), 5000u);                   // only results remain
  EXPECT_EQ(pile.next(), std::optional<int>(0));
}

}  // namespace
}  // namespace eventlet
