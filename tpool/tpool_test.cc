// Copyright 2026 The eventlet-cpp Authors.
#include "tpool/tpool.h"

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "greenthread/event.h"
#include "greenthread/greenthread.h"
#include "gtest/gtest.h"
#include "tpool/testing/wait_until.h"

namespace eventlet {
namespace {

using testing::kPatience;
using testing::poll_until;
using testing::sleep_until;

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
  std::atomic<int> ticks{0};
  bool stop = false;
  auto ticker = spawn([&] {
    while (!stop) {
      ++ticks;
      sleep(absl::Milliseconds(1));
    }
  });
  // The call returns only once the hub has run the ticker 10 times meanwhile:
  // a hub that stalled while the call blocks would leave it waiting.
  const bool hub_ran = tpool::execute(
      [&] { return poll_until([&] { return ticks.load() >= 10; }); });
  stop = true;
  ticker.wait();
  EXPECT_TRUE(hub_ran) << "only " << ticks.load() << " ticks while blocked";
}

TEST(Tpool, ManyGreenthreadsShareFewWorkers) {
  tpool::killall();
  tpool::set_num_threads(4);
  std::atomic<int> concurrent{0};
  std::atomic<int> peak{0};
  // One deadline for all: a pool with fewer workers fails in kPatience.
  const auto give_up = std::chrono::steady_clock::now() + kPatience;
  std::vector<GreenThread<int>> calls;
  for (int i = 0; i < 40; ++i) {
    calls.push_back(spawn([&, i] {
      return tpool::execute([&, i] {
        int now = ++concurrent;
        int seen = peak.load();
        while (now > seen && !peak.compare_exchange_weak(seen, now)) {
        }
        // Held until 4 calls ran at once (all workers busy), however late
        // the kernel starts the workers.
        poll_until([&] {
          return peak.load() >= 4 || std::chrono::steady_clock::now() > give_up;
        });
        --concurrent;
        return i;
      });
    }));
  }
  for (int i = 0; i < 40; ++i) EXPECT_EQ(calls[i].wait(), i);
  EXPECT_EQ(peak.load(), 4);
  tpool::killall();
  tpool::set_num_threads(20);
}

TEST(Tpool, KillallFailsQueuedCallsAndNeverHangs) {
  tpool::killall();
  tpool::set_num_threads(1);
  std::atomic<bool> started{false};
  std::atomic<bool> release{false};
  auto stuck = spawn([&] {
    tpool::execute([&] {
      started = true;
      while (!release)
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    });
  });
  auto queued = spawn([] { return tpool::execute([] { return 1; }); });
  // Both submitted (they ran before main resumes); the single worker is stuck.
  ASSERT_TRUE(sleep_until([&] { return started.load(); }));
  auto start = std::chrono::steady_clock::now();
  tpool::killall(absl::Milliseconds(20));
  // It gave up on the stuck worker instead of waiting for it.
  EXPECT_LT(std::chrono::steady_clock::now() - start, kPatience);
  EXPECT_THROW(queued.wait(), tpool::Killed);
  release = true;  // the detached worker finishes its call...
  stuck.wait();    // ...and its caller still gets the result
  EXPECT_EQ(tpool::execute([] { return 2; }), 2);  // a fresh pool starts
  tpool::killall();
  tpool::set_num_threads(20);
}

TEST(Tpool, CallerKilledWhileWaitingIsHarmless) {
  tpool::killall();
  tpool::set_num_threads(1);  // calls run, and post back, in order
  std::atomic<bool> killed{false};
  std::atomic<bool> finished{false};
  auto caller = spawn([&] {
    tpool::execute(
        [&] { finished = poll_until([&] { return killed.load(); }); });
  });
  sleep();  // the caller submits its call and parks
  caller.kill();
  EXPECT_THROW(caller.wait(), GreenletExit);
  killed = true;  // only now does the call finish
  // This call's answer is posted after the first's: once it is back, the
  // first call's completion has arrived and been ignored.
  EXPECT_EQ(tpool::execute([] { return 2; }), 2);
  EXPECT_TRUE(finished.load());
  EXPECT_EQ(Hub::current().greenlet_count(), 0u);
  tpool::killall();
  tpool::set_num_threads(20);
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
    sleep();  // the greenthread submits its call and parks
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

namespace eventlet {
namespace {

// Its destructor takes a while, so that one run after the caller resumed
// would be seen as not done yet.
struct SlowToRelease {
  std::atomic<bool>* released;
  ~SlowToRelease() {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    released->store(true);
  }
};

// Counts its live instances (copies included).
struct CountedError : std::runtime_error {
  static inline std::atomic<int> live{0};
  CountedError() : std::runtime_error("counted") { ++live; }
  CountedError(const CountedError& other) : std::runtime_error(other) {
    ++live;
  }
  ~CountedError() override { --live; }
};

TEST(Tpool, TheCallHoldsNothingOnceTheCallerHasItsAnswer) {
  for (bool raise : {false, true}) {
    std::atomic<bool> released{false};
    auto guard = std::make_shared<SlowToRelease>(&released);
    try {
      tpool::execute([raise, guard = std::move(guard)] {
        if (raise) throw CountedError();
      });
      EXPECT_FALSE(raise);
    } catch (const CountedError&) {
      EXPECT_TRUE(raise);
      EXPECT_EQ(CountedError::live.load(), 1);
    }
    EXPECT_TRUE(released.load()) << "the function's captures outlived the call";
    EXPECT_EQ(CountedError::live.load(), 0)
        << "the exception outlived its handler";
  }
}

}  // namespace
}  // namespace eventlet
