// Copyright 2026 The eventlet-cpp Authors.
//
// spawn_when_readable and the hub's watches under it (Hub::watch_io): fires
// on readable, on timeout, on close (at the next pass, not inside close),
// holds no greenthread while pending, cancel before firing destroys the
// callable unrun, a second reader is refused, and hub teardown drops pending
// watches (their callables destroyed; ASan checks nothing leaks).
#include "greenthread/when_readable.h"

#include <unistd.h>

#include <memory>
#include <stdexcept>
#include <vector>

#include "absl/time/time.h"
#include "greenthread/greenthread.h"
#include "gtest/gtest.h"
#include "hub/hub.h"
#include "sim/sim_backend.h"
#include "sim/sim_gtest.h"

namespace eventlet {
namespace {

absl::Duration Ms(int n) { return absl::Milliseconds(n); }

sim::SimBackend& sim_backend() {
  return dynamic_cast<sim::SimBackend&>(Hub::current().backend());
}

// A simulated stream pair, closed (after telling the hub) at scope end.
struct Pair {
  Pair() : fd(sim_backend().socketpair()) {}
  ~Pair() {
    for (int f : fd) {
      Hub::current().notify_close(f);
      sim_backend().close(f);
    }
  }
  std::array<int, 2> fd;
};

struct Fired {
  std::vector<IoWaitResult> why;
  std::vector<absl::Duration> at;
  bool in_greenthread = true;
};

auto record(Fired& fired) {
  return [&fired](IoWaitResult why) {
    Hub& hub = Hub::current();
    fired.why.push_back(why);
    fired.at.push_back(hub.now());
    if (hub.in_hub_greenlet() ||
        &hub.current_greenlet() == &hub.main_greenlet())
      fired.in_greenthread = false;
  };
}

SIM_TEST(SpawnWhenReadable, SpawnsOnceBytesArriveAndHoldsNoGreenthread) {
  Hub& hub = Hub::current();
  Pair pair;
  Fired fired;
  IoWatchHandle watch =
      spawn_when_readable(pair.fd[0], std::nullopt, record(fired));
  EXPECT_TRUE(watch.pending());
  EXPECT_EQ(hub.listener_count(), 1u);
  EXPECT_EQ(hub.greenlet_count(), 0u) << "a watch parks no greenthread";
  sleep(Ms(10));
  EXPECT_TRUE(fired.why.empty());
  sim_backend().write(pair.fd[1], 5);
  sleep(Ms(1));
  ASSERT_EQ(fired.why.size(), 1u);
  EXPECT_EQ(fired.why[0], IoWaitResult::kReady);
  EXPECT_EQ(fired.at[0], Ms(10));
  EXPECT_TRUE(fired.in_greenthread);
  EXPECT_FALSE(watch.pending());
  EXPECT_EQ(hub.listener_count(), 0u);
  EXPECT_EQ(hub.greenlet_count(), 0u);
  watch.cancel();  // after it ran: a no-op
}

SIM_TEST(SpawnWhenReadable, TimesOut) {
  Pair pair;
  Fired fired;
  IoWatchHandle watch = spawn_when_readable(pair.fd[0], Ms(50), record(fired));
  sleep(Ms(49));
  EXPECT_TRUE(fired.why.empty());
  sleep(Ms(2));
  ASSERT_EQ(fired.why.size(), 1u);
  EXPECT_EQ(fired.why[0], IoWaitResult::kTimedOut);
  EXPECT_EQ(fired.at[0], Ms(50));
  EXPECT_EQ(Hub::current().listener_count(), 0u);
  // Bytes arriving later wake nobody.
  sim_backend().write(pair.fd[1], 1);
  sleep(Ms(1));
  EXPECT_EQ(fired.why.size(), 1u);
}

SIM_TEST(SpawnWhenReadable, CloseFiresAtTheNextPassNotInsideClose) {
  Hub& hub = Hub::current();
  Pair pair;
  Fired fired;
  IoWatchHandle watch = spawn_when_readable(pair.fd[0], Ms(50), record(fired));
  hub.notify_close(pair.fd[0]);
  EXPECT_TRUE(fired.why.empty()) << "ran inside notify_close";
  EXPECT_EQ(hub.listener_count(), 0u);
  sleep(Ms(1));
  ASSERT_EQ(fired.why.size(), 1u);
  EXPECT_EQ(fired.why[0], IoWaitResult::kClosed);
  EXPECT_EQ(fired.at[0], absl::ZeroDuration());
  sleep(Ms(60));
  EXPECT_EQ(fired.why.size(), 1u) << "the timeout fired too";
}

SIM_TEST(SpawnWhenReadable, CancelDestroysTheCallableUnrun) {
  Hub& hub = Hub::current();
  Pair pair;
  auto alive = std::make_shared<int>(0);
  bool ran = false;
  IoWatchHandle watch = spawn_when_readable(
      pair.fd[0], Ms(50), [held = alive, &ran](IoWaitResult) { ran = true; });
  EXPECT_EQ(alive.use_count(), 2);
  IoWatchHandle copy = watch;
  watch.cancel();
  EXPECT_EQ(alive.use_count(), 1) << "the callable outlived cancel()";
  EXPECT_FALSE(copy.pending());
  EXPECT_EQ(hub.listener_count(), 0u);
  EXPECT_EQ(hub.timer_count(), 0u);
  sim_backend().write(pair.fd[1], 1);
  sleep(Ms(60));
  EXPECT_FALSE(ran);
  copy.cancel();  // again: a no-op
}

SIM_TEST(SpawnWhenReadable, IsTheFdsReader) {
  Hub& hub = Hub::current();
  Pair pair;
  IoWatchHandle watch =
      spawn_when_readable(pair.fd[0], std::nullopt, [](IoWaitResult) {});
  EXPECT_THROW(hub.trampoline(pair.fd[0], kRead), std::runtime_error);
  EXPECT_THROW(
      spawn_when_readable(pair.fd[0], std::nullopt, [](IoWaitResult) {}),
      std::runtime_error);
  int visited = 0;
  hub.for_each_listener(
      [&](int fd, IoEvents event, const Greenlet& waiter, bool primary) {
        ++visited;
        EXPECT_EQ(fd, pair.fd[0]);
        EXPECT_EQ(event, kRead);
        EXPECT_EQ(waiter.id(), -1) << "a watch is the hub's";
        EXPECT_TRUE(primary);
      });
  EXPECT_EQ(visited, 1);
  watch.cancel();
}

SIM_TEST(SpawnWhenReadable, QueuesBehindAPrimaryReaderWhenAllowed) {
  Hub& hub = Hub::current();
  hub.set_prevent_multiple_readers(false);
  Pair pair;
  std::vector<int> order;
  auto reader = spawn([&] {
    hub.trampoline(pair.fd[0], kRead);
    order.push_back(1);
  });
  sleep(Ms(1));
  IoWatchHandle watch = spawn_when_readable(
      pair.fd[0], std::nullopt, [&](IoWaitResult) { order.push_back(2); });
  sim_backend().write(pair.fd[1], 1);  // nobody reads it: stays readable
  reader.wait();
  sleep(Ms(1));
  EXPECT_EQ(order, (std::vector<int>{1, 2}));
  hub.set_prevent_multiple_readers(true);
}

// The real hub: an epoll-watched pipe, and teardown with watches pending.
class WhenReadableRealHub : public ::testing::Test {
 protected:
  void SetUp() override {
    Hub::destroy_current();
    ASSERT_EQ(pipe(fds_), 0);
  }
  void TearDown() override {
    Hub::destroy_current();
    close(fds_[0]);
    close(fds_[1]);
  }
  int fds_[2];
};

TEST_F(WhenReadableRealHub, SpawnsWhenAPipeBecomesReadable) {
  Fired fired;
  spawn_when_readable(fds_[0], absl::Seconds(30), record(fired));
  auto writer = spawn([&] { ASSERT_EQ(write(fds_[1], "x", 1), 1); });
  while (fired.why.empty()) sleep(Ms(1));
  EXPECT_EQ(fired.why[0], IoWaitResult::kReady);
  EXPECT_TRUE(fired.in_greenthread);
  EXPECT_EQ(Hub::current().timer_count(), 0u) << "the timeout stayed queued";
}

TEST_F(WhenReadableRealHub, TeardownDropsPendingWatches) {
  auto alive = std::make_shared<int>(0);
  bool ran = false;
  IoWatchHandle a =
      spawn_when_readable(fds_[0], absl::Seconds(30),
                          [held = alive, &ran](IoWaitResult) { ran = true; });
  IoWatchHandle b = Hub::current().watch_io(
      fds_[1], kWrite, std::nullopt,
      [held = alive, &ran](IoWaitResult) { ran = true; });
  EXPECT_EQ(alive.use_count(), 3);
  Hub::destroy_current();
  EXPECT_EQ(alive.use_count(), 1) << "teardown kept a callable";
  EXPECT_FALSE(ran);
  EXPECT_FALSE(a.pending());
  a.cancel();  // the hub is gone: a no-op
}

TEST_F(WhenReadableRealHub, ACallbacksExceptionGoesToTheHook) {
  std::vector<std::string> reports;
  Hub::current().set_exception_hook(
      [&](const HubException& e) { reports.push_back(e.where); });
  Hub::current().watch_io(fds_[0], kRead, Ms(1), [](IoWaitResult) {
    throw std::runtime_error("boom");
  });
  while (reports.empty()) sleep(Ms(1));
  EXPECT_EQ(reports[0], "io watch callback");
}

}  // namespace
}  // namespace eventlet
