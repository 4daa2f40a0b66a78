// Copyright 2026 The eventlet-cpp Authors.
//
// CrossHubEvent and CrossHubQueue between hubs on two OS threads
// (run_on_hubs), and on one hub where the order must be exact. Runs under
// ThreadSanitizer in CI (--config=tsan). Across threads nothing here depends
// on timing: every wait ends by a hand-off, and timeouts only bound waits
// that nothing can end otherwise.
#include "greenthread/cross_hub.h"

#include <atomic>
#include <numeric>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "greenthread/greenthread.h"
#include "gtest/gtest.h"
#include "hub/hub.h"
#include "hub/hub_group.h"

namespace eventlet {
namespace {

using ::testing::ElementsAre;

class CrossHubTest : public ::testing::Test {
 protected:
  void SetUp() override { Hub::destroy_current(); }
  void TearDown() override { Hub::destroy_current(); }
};

TEST_F(CrossHubTest, RunOnHubsGivesEachIndexItsOwnHubAndThread) {
  std::vector<Hub*> hubs(3, nullptr);
  std::vector<std::thread::id> threads(3);
  std::atomic<int> arrived{0};
  run_on_hubs(3, [&](int i) {
    hubs[i] = &Hub::current();
    threads[i] = std::this_thread::get_id();
    // All three hubs alive at once (their addresses are then distinct),
    // each running its own loop while it waits.
    ++arrived;
    while (arrived.load() < 3) sleep(absl::Milliseconds(1));
  });
  EXPECT_EQ(hubs[0], &Hub::current()) << "index 0 is the caller's hub";
  EXPECT_NE(hubs[1], hubs[0]);
  EXPECT_NE(hubs[2], hubs[1]);
  EXPECT_EQ(threads[0], std::this_thread::get_id());
  EXPECT_NE(threads[1], threads[2]);
}

TEST_F(CrossHubTest, RunOnHubsRethrowsTheFirstFailureAfterAllFinish) {
  std::atomic<int> finished{0};
  EXPECT_THROW(run_on_hubs(3,
                           [&](int i) {
                             ++finished;
                             if (i == 2) throw std::runtime_error("hub 2");
                           }),
               std::runtime_error);
  EXPECT_EQ(finished.load(), 3);
  EXPECT_THROW(run_on_hubs(0, [](int) {}), std::invalid_argument);
}

TEST_F(CrossHubTest, EventWakesWaitersOnEveryHub) {
  CrossHubEvent<std::string> ready;
  CrossHubEvent<> all_waiting;
  std::atomic<int> waiting{0};
  std::vector<std::string> got(4);
  run_on_hubs(2, [&](int hub) {
    // Two greenthreads on each hub wait; hub 0's main sends once all four
    // are parked (or about to park: a send first is fine too).
    std::vector<GreenThread<void>> waiters;
    for (int k = 0; k < 2; ++k) {
      waiters.push_back(spawn([&, slot = hub * 2 + k] {
        if (++waiting == 4) all_waiting.send();
        got[slot] = ready.wait();
      }));
    }
    if (hub == 0) {
      all_waiting.wait();
      ready.send("go");
      EXPECT_THROW(ready.send("again"), std::logic_error);
    }
    for (auto& w : waiters) w.wait();
  });
  EXPECT_THAT(got, ElementsAre("go", "go", "go", "go"));
  EXPECT_EQ(ready.wait(), "go") << "sent: no wait";
}

TEST_F(CrossHubTest, QueueCarriesEveryItemInOrderBetweenHubs) {
  constexpr int kProducers = 3, kItems = 2000;
  CrossHubQueue<int> queue;
  std::vector<std::vector<int>> seen(kProducers);
  run_on_hubs(2, [&](int hub) {
    if (hub == 0) {
      // Producers: greenthreads of hub 0 (and hub 0 itself interleaves them).
      std::vector<GreenThread<void>> producers;
      for (int p = 0; p < kProducers; ++p) {
        producers.push_back(spawn([&, p] {
          for (int i = 0; i < kItems; ++i) {
            queue.put(p * kItems + i);
            if (i % 100 == 0) sleep();
          }
        }));
      }
      for (auto& p : producers) p.wait();
    } else {
      // Two consumers on hub 1; each item goes to exactly one of them. Once
      // all are taken, hub 1's main stops them with a -1 each.
      int consumed = 0;
      std::vector<GreenThread<std::vector<int>>> consumers;
      for (int c = 0; c < 2; ++c) {
        consumers.push_back(spawn([&] {
          std::vector<int> mine;
          for (;;) {
            const int v = queue.get();
            if (v < 0) return mine;
            mine.push_back(v);
            ++consumed;
          }
        }));
      }
      while (consumed < kProducers * kItems) sleep(absl::Milliseconds(1));
      queue.put(-1);
      queue.put(-1);
      for (auto& c : consumers) {
        for (int v : c.wait()) seen[v / kItems].push_back(v % kItems);
      }
    }
  });
  for (int p = 0; p < kProducers; ++p) {
    std::vector<int> sorted = seen[p];
    ASSERT_EQ(sorted.size(), static_cast<std::size_t>(kItems)) << p;
    std::sort(sorted.begin(), sorted.end());
    std::vector<int> expected(kItems);
    std::iota(expected.begin(), expected.end(), 0);
    EXPECT_EQ(sorted, expected) << "producer " << p << ": each item once";
  }
  EXPECT_EQ(queue.size(), 0u);
}

// One hub, so the order is exact: a getter handed an item and killed before
// it ran passes the item to the next getter; FIFO among getters.
TEST_F(CrossHubTest, AGetterKilledAfterTheHandOffPassesItsItemOn) {
  CrossHubQueue<std::string> queue;
  auto first = spawn([&] { return queue.get(); });
  auto second = spawn([&] { return queue.get(); });
  sleep();
  EXPECT_EQ(queue.getters(), 2u);
  queue.put("a");  // handed to `first`, whose wake-up is only posted
  first.kill();
  EXPECT_THROW(first.wait(), GreenletExit);
  EXPECT_EQ(second.wait(), "a") << "the item went on to the next getter";
  EXPECT_EQ(queue.getters(), 0u);
  queue.put("b");
  EXPECT_EQ(queue.get_nowait(), "b");
  EXPECT_EQ(queue.get_nowait(), std::nullopt);
}

TEST_F(CrossHubTest, TimeoutsLeaveNothingBehind) {
  CrossHubQueue<int> queue;
  EXPECT_EQ(queue.get(absl::Milliseconds(5)), std::nullopt);
  EXPECT_EQ(queue.getters(), 0u);
  CrossHubEvent<int> never;
  EXPECT_EQ(never.wait(absl::Milliseconds(5)), std::nullopt);
  queue.put(7);
  EXPECT_EQ(queue.get(absl::Milliseconds(5)), 7);
}

TEST_F(CrossHubTest, TrySendKeepsTheFirstValueWhereSendThrows) {
  CrossHubEvent<int> stop;
  std::atomic<int> won{0};
  run_on_hubs(3, [&](int hub) {
    if (stop.try_send(hub)) ++won;
  });
  EXPECT_EQ(won.load(), 1);
  const int first = stop.wait();
  EXPECT_FALSE(stop.try_send(99));
  EXPECT_EQ(stop.wait(), first);
  EXPECT_THROW(stop.send(5), std::logic_error);
}

}  // namespace
}  // namespace eventlet
