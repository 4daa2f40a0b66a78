// Copyright 2026 The eventlet-cpp Authors.
#include "greenthread/queue.h"

#include <memory>
#include <string>
#include <vector>

#include "greenthread/greenthread.h"
#include "gtest/gtest.h"
#include "sim/sim_gtest.h"

namespace eventlet {
namespace {

TEST(Queue, FifoPutGetWithoutBlocking) {
  Queue<int> q;
  for (int i = 0; i < 5; ++i) q.put(i);
  EXPECT_EQ(q.qsize(), 5u);
  EXPECT_FALSE(q.full());
  for (int i = 0; i < 5; ++i) EXPECT_EQ(q.get(), i);
  EXPECT_TRUE(q.empty());
  EXPECT_THROW(q.get_nowait(), QueueEmpty);
}

SIM_TEST_OPTS(Queue, BoundedPutBlocksUntilRoom, .sweep = false) {
  Queue<int> q(2);
  std::vector<std::string> log;
  auto producer = spawn([&] {
    for (int i = 0; i < 4; ++i) {
      q.put(i);
      log.push_back("put " + std::to_string(i));
    }
  });
  sleep();
  EXPECT_EQ(log, std::vector<std::string>({"put 0", "put 1"}));
  EXPECT_TRUE(q.full());
  EXPECT_EQ(q.putting(), 1u);
  EXPECT_THROW(q.put_nowait(9), QueueFull);
  EXPECT_EQ(q.get(), 0);  // admits the waiting putter's item at once
  EXPECT_EQ(q.qsize(), 2u);
  EXPECT_EQ(q.get(), 1);
  EXPECT_EQ(q.get(), 2);
  EXPECT_EQ(q.get(), 3);
  producer.wait();
}

SIM_TEST_OPTS(Queue, ZeroSizeIsAChannel, .sweep = false) {
  LightQueue<std::string> ch(0);
  EXPECT_TRUE(ch.empty());
  EXPECT_TRUE(ch.full());
  std::vector<std::string> log;
  auto putter = spawn([&] {
    ch.put("a");
    log.push_back("put returned");
  });
  sleep();
  EXPECT_TRUE(log.empty());  // waits for a getter
  EXPECT_EQ(ch.putting(), 1u);
  EXPECT_EQ(ch.get(), "a");
  putter.wait();
  EXPECT_EQ(log, std::vector<std::string>({"put returned"}));
  // A waiting getter takes a put's item directly; put does not block.
  auto getter = spawn([&] { return ch.get(); });
  sleep();
  ch.put("b");
  EXPECT_EQ(getter.wait(), "b");
}

SIM_TEST_OPTS(Queue, GettersWakeFifo, .sweep = false) {
  Queue<int> q;
  std::vector<int> order;
  for (int i = 0; i < 6; ++i)
    spawn_n([&, i] { order.push_back(i * 100 + q.get()); });
  sleep();
  EXPECT_EQ(q.getting(), 6u);
  for (int i = 0; i < 6; ++i) q.put(i);  // never yields
  EXPECT_TRUE(order.empty());
  sleep();
  EXPECT_EQ(order, std::vector<int>({0, 101, 202, 303, 404, 505}));
}

SIM_TEST(Queue, TimeoutsThrowFullAndEmpty) {
  Queue<int> q(1);
  q.put(1);
  EXPECT_THROW(q.put(2, true, absl::Milliseconds(3)), QueueFull);
  EXPECT_EQ(q.putting(), 0u);
  q.get();
  EXPECT_THROW(q.get(true, absl::Milliseconds(3)), QueueEmpty);
  EXPECT_EQ(q.getting(), 0u);
}

SIM_TEST(Queue, MoveOnlyElements) {
  Queue<std::unique_ptr<int>> q(0);
  auto producer = spawn([&] { q.put(std::make_unique<int>(7)); });
  std::unique_ptr<int> p = q.get();
  EXPECT_EQ(*p, 7);
  producer.wait();
}

TEST(Queue, PriorityAndLifoOrder) {
  PriorityQueue<int> pq;
  for (int v : {5, 1, 4, 2, 3}) pq.put(v);
  std::vector<int> got;
  while (!pq.empty()) got.push_back(pq.get());
  EXPECT_EQ(got, std::vector<int>({1, 2, 3, 4, 5}));
  LifoQueue<int> lq;
  for (int v : {1, 2, 3}) lq.put(v);
  EXPECT_EQ(lq.get(), 3);
  EXPECT_EQ(lq.get(), 2);
}

SIM_TEST(Queue, TaskDoneAndJoin) {
  Queue<int> q;
  std::vector<std::string> log;
  q.put(1);
  q.put(2);
  auto worker = spawn([&] {
    for (int i = 0; i < 2; ++i) {
      int v = q.get();
      sleep(absl::Milliseconds(1));
      log.push_back("done " + std::to_string(v));
      q.task_done();
    }
  });
  q.join();
  log.push_back("joined");
  EXPECT_EQ(log, std::vector<std::string>({"done 1", "done 2", "joined"}));
  EXPECT_THROW(q.task_done(), std::logic_error);
  worker.wait();
}

SIM_TEST_OPTS(Queue, ResizeAdmitsWaitingPutters, .sweep = false) {
  Queue<int> q(1);
  q.put(0);
  spawn_n([&] { q.put(1); });
  spawn_n([&] { q.put(2); });
  sleep();
  EXPECT_EQ(q.putting(), 2u);
  q.resize(std::nullopt);
  EXPECT_EQ(q.putting(), 0u);
  EXPECT_EQ(q.qsize(), 3u);
  EXPECT_FALSE(q.maxsize().has_value());
}

SIM_TEST_OPTS(Queue, KilledGetterLosesNothing, .sweep = false) {
  Queue<int> q;
  auto a = spawn([&] { return q.get(); });
  auto b = spawn([&] { return q.get(); });
  sleep();
  q.put(42);  // handed to a, which has not run yet
  a.kill();   // a dies: 42 must go to b
  EXPECT_EQ(b.wait(), 42);
  EXPECT_THROW(a.wait(), GreenletExit);
}

SIM_TEST_OPTS(Queue, KilledPutterLeavesTheQueue, .sweep = false) {
  Queue<int> q(0);
  auto p = spawn([&] { q.put(1); });
  sleep();
  p.kill();
  EXPECT_EQ(q.putting(), 0u);
  EXPECT_THROW(q.get_nowait(), QueueEmpty);
}

}  // namespace
}  // namespace eventlet
