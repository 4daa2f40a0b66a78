// Copyright 2026 The eventlet-cpp Authors.
//
// The cooperative budget (hub.h) on the green primitives: operations that
// complete without waiting charge it, and a greenthread that runs out yields
// once. Pure scheduling (no I/O, no clock), so the interleavings are exact.
#include <cstdint>
#include <vector>

#include "greenthread/event.h"
#include "greenthread/greenthread.h"
#include "greenthread/queue.h"
#include "greenthread/semaphore.h"
#include "gtest/gtest.h"
#include "hub/hub.h"

namespace eventlet {
namespace {

constexpr std::uint32_t kBudget = 10;

class CoopBudgetTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Hub::destroy_current();
    Hub::current().set_coop_budget(kBudget);
  }
  void TearDown() override { Hub::destroy_current(); }

  // Runs `op` `n` times in main while a ticker greenthread, always ready,
  // notes how many ops main had completed each time it got to run. Returns
  // those notes.
  template <typename Op>
  std::vector<int> ticks_during(int n, Op op) {
    std::vector<int> seen;
    int done = 0;
    bool finished = false;
    auto ticker = spawn([&] {
      while (!finished) {
        seen.push_back(done);
        sleep();
      }
    });
    // main's budget is full from here: spawn does not charge.
    for (int i = 0; i < n; ++i) {
      op();
      ++done;
    }
    finished = true;
    ticker.wait();  // it ends at its next look
    return seen;
  }
};

// kBudget operations complete in a row; the next one yields first.
std::vector<int> every_budget(int n) {
  std::vector<int> out;
  for (int k = static_cast<int>(kBudget); k < n;
       k += static_cast<int>(kBudget)) {
    out.push_back(k);
  }
  return out;
}

TEST_F(CoopBudgetTest, QueueGetsThatNeverWaitYieldEveryBudget) {
  Queue<int> q;
  for (int i = 0; i < 35; ++i) q.put_nowait(i);
  EXPECT_EQ(ticks_during(35, [&] { q.get(); }), every_budget(35));
}

TEST_F(CoopBudgetTest, QueuePutsThatNeverWaitYieldEveryBudget) {
  Queue<int> q;
  EXPECT_EQ(ticks_during(35, [&] { q.put(1); }), every_budget(35));
  EXPECT_EQ(q.qsize(), 35u);
}

TEST_F(CoopBudgetTest, SemaphoreAcquiresThatNeverWaitYieldEveryBudget) {
  Semaphore sem(100);
  EXPECT_EQ(ticks_during(35, [&] { sem.acquire(); }), every_budget(35));
  EXPECT_EQ(sem.counter(), 65);
}

TEST_F(CoopBudgetTest, WaitsOnASentEventYieldEveryBudget) {
  Event<int> e;
  e.send(7);
  EXPECT_EQ(ticks_during(35, [&] { EXPECT_EQ(e.wait(), 7); }),
            every_budget(35));
}

TEST_F(CoopBudgetTest, NonBlockingFormsNeverCharge) {
  Queue<int> q;
  Semaphore sem(1000);
  Event<void> e;
  e.send();
  const std::uint64_t before = Hub::current().coop_yields();
  EXPECT_TRUE(ticks_during(300, [&] {
                q.put_nowait(1);
                q.get_nowait();
                EXPECT_TRUE(sem.try_lock());
                EXPECT_TRUE(e.ready());
              }).empty());
  EXPECT_EQ(Hub::current().coop_yields(), before);
}

TEST_F(CoopBudgetTest, OffMeansEventletsBehaviourNeverYield) {
  Hub::current().set_coop_budget(0);
  Queue<int> q;
  EXPECT_TRUE(ticks_during(1000, [&] { q.put(1); }).empty());
  EXPECT_EQ(Hub::current().coop_yields(), 0u);
}

TEST_F(CoopBudgetTest, TheBudgetRefillsWheneverTheGreenthreadSwitches) {
  // Blocking every few operations: the budget never runs out.
  Queue<int> q;
  std::vector<int> seen = ticks_during(100, [&, i = 0]() mutable {
    q.put(1);
    if (++i % (kBudget - 1) == 0) sleep();
  });
  EXPECT_EQ(Hub::current().coop_yields(), 0u);
  EXPECT_EQ(seen.size(), 100 / (kBudget - 1));
}

TEST_F(CoopBudgetTest, TheHubGreenletChargesButNeverYields) {
  Queue<int> q;
  Hub& hub = Hub::current();
  hub.schedule_call_global(absl::ZeroDuration(), [&] {
    for (int i = 0; i < 100; ++i) q.put(i);  // would throw if it yielded
  });
  sleep();
  EXPECT_EQ(q.qsize(), 100u);
  EXPECT_EQ(hub.coop_yields(), 0u);
}

TEST_F(CoopBudgetTest, AYieldIsASwitchPointThatAKillCanUse) {
  // A greenthread draining a full queue is killed at one of its budget
  // yields; the item it was about to take stays in the queue.
  Queue<int> q;
  for (int i = 0; i < 100; ++i) q.put_nowait(i);
  int taken = 0;
  auto drainer = spawn([&] {
    for (;;) {
      q.get();
      ++taken;
    }
  });
  sleep();  // the drainer runs kBudget gets, then yields
  EXPECT_EQ(taken, static_cast<int>(kBudget));
  drainer.kill();
  EXPECT_EQ(q.qsize(), 100u - kBudget);
}

}  // namespace
}  // namespace eventlet
