// Copyright 2026 The eventlet-cpp Authors.
#include "tpool/tpool.h"

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "greenthread/event.h"
#include "greenthread/greenthread.h"
#include "gtest/gtest.h"

namespace eventlet {
namespace {

TEST(Tpool, ReturnsResultsAndExceptions) {
  EXPECT_EQ(tpool::execute([](int a, int b) { return a * b; }, 6, 7), 42);
  std::thread::id worker =
      tpool::execute([] { return std::this_thread::get_id(); });
  EXPECT_NE(worker, std::this_thread::get_id());
  EXPECT_THROW(
      tpool::execute([]() -> int { throw std::runtime_error("native"); }),
      std::runtime_error);
  bool ran = false;
  tpool::execute(
      [&] { ran = true; });  // void; the write happens-before the return
  EXPECT_TRUE(ran);
}

TEST(Tpool, TheHubKeepsServingWhileACallBlocks) {
  int ticks = 0;
  bool stop = false;
  auto ticker = spawn([&] {
    while (!stop) {
      ++ticks;
      sleep(absl::Milliseconds(1));
    }
  });
  tpool::execute(
      [] { std::this_thread::sleep_for(std::chrono::milliseconds(30)); });
  stop = true;
  ticker.wait();
  EXPECT_GE(ticks, 10);  // ~30 ticks if the hub ran freely
}

TEST(Tpool, ManyGreenthreadsShareFewWorkers) {
  tpool::killall();
  tpool::set_num_threads(4);
  std::atomic<int> concurrent{0};
  std::atomic<int> peak{0};
  std::vector<GreenThread<int>> calls;
  for (int i = 0; i < 40; ++i) {
    calls.push_back(spawn([&, i] {
      return tpool::execute([&, i] {
        int now = ++concurrent;
        int seen = peak.load();
        while (now > seen && !peak.compare_exchange_weak(seen, now)) {
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
        --concurrent;
        return i;
      });
    }));
  }
  for (int i = 0; i < 40; ++i) EXPECT_EQ(calls[i].wait(), i);
  EXPECT_LE(peak.load(), 4);
  EXPECT_GE(peak.load(), 2);
  tpool::killall();
  tpool::set_num_threads(20);
}

TEST(Tpool, KillallFailsQueuedCallsAndNeverHangs) {
  tpool::killall();
  tpool::set_num_threads(1);
  std::atomic<bool> release{false};
  auto stuck = spawn([&] {
    tpool::execute([&] {
      while (!release)
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    });
  });
  auto queued = spawn([] { return tpool::execute([] { return 1; }); });
  sleep(absl::Milliseconds(5));  // both submitted; the single worker is stuck
  auto start = std::chrono::steady_clock::now();
  tpool::killall(absl::Milliseconds(20));
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
  EXPECT_THROW(queued.wait(), tpool::Killed);
  release = true;  // the detached worker finishes its call...
  stuck.wait();    // ...and its caller still gets the result
  EXPECT_EQ(tpool::execute([] { return 2; }), 2);  // a fresh pool starts
  tpool::killall();
  tpool::set_num_threads(20);
}

TEST(Tpool, CallerKilledWhileWaitingIsHarmless) {
  std::atomic<bool> finished{false};
  auto caller = spawn([&] {
    tpool::execute([&] {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
      finished = true;
    });
  });
  sleep();
  caller.kill();
  EXPECT_THROW(caller.wait(), GreenletExit);
  while (!finished) sleep(absl::Milliseconds(1));
  sleep(absl::Milliseconds(2));  // the completion post arrives and is ignored
  EXPECT_EQ(Hub::current().greenlet_count(), 0u);
}

TEST(Tpool, FromTheHubGreenletThrows) {
  bool threw = false;
  Hub::current().schedule_call_global(absl::ZeroDuration(), [&] {
    try {
      tpool::execute([] { return 1; });
    } catch (const HubUsageError&) {
      threw = true;
    }
  });
  sleep();
  sleep();
  EXPECT_TRUE(threw);
}

TEST(Tpool, ACallOutlivingItsHubIsDropped) {
  std::atomic<bool> release{false};
  std::thread t([&] {
    // This thread's hub is destroyed while its call still runs.
    spawn_n([&] {
      tpool::execute([&] {
        while (!release)
          std::this_thread::sleep_for(std::chrono::milliseconds(1));
      });
    });
    sleep(absl::Milliseconds(2));
    Hub::destroy_current();
  });
  t.join();
  release = true;  // the worker now posts to a closed mailbox: dropped
  tpool::killall();
}

}  // namespace
}  // namespace eventlet

namespace eventlet {
namespace {

TEST(Tpool, PrintExceptionsShowsTheWorkersExceptionOnStderr) {
  tpool::set_print_exceptions(true);
  ::testing::internal::CaptureStderr();
  EXPECT_THROW(
      tpool::execute([]() -> int { throw std::runtime_error("disk on fire"); }),
      std::runtime_error);
  const std::string err = ::testing::internal::GetCapturedStderr();
  tpool::set_print_exceptions(false);
  EXPECT_NE(
      err.find("eventlet.tpool: call raised std::runtime_error: disk on fire"),
      std::string::npos)
      << err;
}

}  // namespace
}  // namespace eventlet
