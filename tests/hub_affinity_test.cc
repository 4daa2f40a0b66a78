// Copyright 2026 The eventlet-cpp Authors.
//
// Hub-bound primitives used from another hub (or a thread without one) abort
// with a message naming both hubs, in debug and sanitizer builds
// (hub/hub_affinity.h); handing one, unused, to another hub is fine. Green
// sockets too (green_net/socket.h).
#include "hub/hub_affinity.h"

#include <thread>

#include "green_net/socket.h"
#include "greenthread/event.h"
#include "greenthread/greenthread.h"
#include "greenthread/queue.h"
#include "greenthread/semaphore.h"
#include "gtest/gtest.h"
#include "hub/hub.h"
#include "hub/hub_group.h"
#include "pool/green_pool.h"

namespace eventlet {
namespace {

// "<kind> belongs to hub N (thread T) but was used from hub M (thread U)".
std::string misuse(const std::string& kind, const std::string& user = "hub") {
  return kind +
         R"( belongs to hub [0-9]+ \(thread [0-9]+\) but was used from )" +
         user +
         R"( [0-9]* ?\(thread [0-9]+\); use CrossHubEvent/CrossHubQueue)";
}

class HubAffinityTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!kHubAffinityChecks) GTEST_SKIP() << "NDEBUG build: no checks";
    GTEST_FLAG_SET(death_test_style, "threadsafe");
    Hub::destroy_current();
    Hub::current();  // primitives bound to this thread then name its hub
  }
  void TearDown() override { Hub::destroy_current(); }
};

TEST_F(HubAffinityTest, EventWaitedOnFromAnotherHub) {
  EXPECT_DEATH(
      {
        Event<int> event;
        event.send(1);  // bound to this thread's hub
        run_on_hubs(2, [&](int hub) {
          if (hub == 1) event.wait();
        });
      },
      misuse("Event"));
}

TEST_F(HubAffinityTest, QueueTakenFromOnAnotherHub) {
  EXPECT_DEATH(
      {
        Queue<int> queue;
        queue.put(1);
        run_on_hubs(2, [&](int hub) {
          if (hub == 1) queue.get();
        });
      },
      misuse("Queue"));
}

TEST_F(HubAffinityTest, SemaphoreReleasedOnAnotherHubNumbersItsObject) {
  EXPECT_DEATH(
      {
        Semaphore sem(0);
        // A wait numbers it (its id in traces): the message shows the number.
        EXPECT_FALSE(sem.acquire(true, absl::Milliseconds(1)));
        run_on_hubs(2, [&](int hub) {
          if (hub == 1) sem.release();
        });
      },
      misuse("Semaphore [0-9]+"));
}

TEST_F(HubAffinityTest, GreenPoolSpawnedIntoFromAnotherHub) {
  EXPECT_DEATH(
      {
        GreenPool pool(4);
        pool.spawn_n([] {});
        run_on_hubs(2, [&](int hub) {
          if (hub == 1) pool.spawn_n([] {});
        });
      },
      misuse("GreenPool"));
}

TEST_F(HubAffinityTest, SocketReadFromAnotherHub) {
  EXPECT_DEATH(
      {
        auto pair = net::Socket::pair();
        pair.first.sendall("x");
        char c;
        pair.second.recv(&c, 1);  // bound to this thread's hub now
        pair.first.sendall("y");
        run_on_hubs(2, [&](int hub) {
          if (hub == 1) pair.second.recv(&c, 1);
        });
      },
      misuse("Socket fd [0-9]+"));
}

TEST_F(HubAffinityTest, SocketWrittenFromAnotherHub) {
  EXPECT_DEATH(
      {
        auto pair = net::Socket::pair();
        pair.first.sendall("x");  // bound to this thread's hub now
        run_on_hubs(2, [&](int hub) {
          if (hub == 1) pair.first.sendall("y");
        });
      },
      misuse("Socket fd [0-9]+"));
}

TEST_F(HubAffinityTest, UsedFromAThreadWithoutAHub) {
  EXPECT_DEATH(
      {
        Semaphore sem(1);
        sem.acquire();
        std::thread([&] { sem.release(); }).join();
      },
      misuse("Semaphore", "no hub"));
}

TEST_F(HubAffinityTest, MadeOnOneThreadUsedOnlyOnAnotherIsFine) {
  Event<int> event;  // made here, first used on hub 1
  Queue<int> queue;
  auto [a, b] = net::Socket::pair();
  run_on_hubs(2, [&, &a = a, &b = b](int hub) {
    if (hub != 1) return;
    spawn([&] { queue.put(7); });
    event.send(queue.get());
    EXPECT_EQ(event.wait(), 7);
    // Sockets too; a moved socket keeps its hub.
    net::Socket moved = std::move(a);
    moved.sendall("z");
    char c;
    EXPECT_EQ(b.recv(&c, 1), 1u);
    a = std::move(moved);
  });
  // Closed (destroyed) here, after hub 1's thread ended: closing is not
  // checked.
  // A thread's hub destroyed and made again keeps its primitives.
  Semaphore sem(1);
  sem.acquire();
  Hub::destroy_current();
  sem.release();
  EXPECT_EQ(sem.counter(), 1);
}

TEST(HubIdTest, HubsAreNumberedInCreationOrder) {
  Hub::destroy_current();
  const std::uint32_t first = Hub::current().id();
  std::uint32_t other = 0;
  std::thread([&] {
    other = Hub::current().id();
    Hub::destroy_current();
  }).join();
  EXPECT_GT(other, first);
  Hub::destroy_current();
  EXPECT_GT(Hub::current().id(), other);
  Hub::destroy_current();
}

}  // namespace
}  // namespace eventlet
