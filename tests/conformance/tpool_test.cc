// Copyright 2026 The eventlet-cpp Authors.
//
// Conformance: eventlet's tests/tpool_test.py (see event_test.cc for how these
// ports are written; docs/conformance.md keeps the table). tpool runs calls on
// real native threads, so these are real-clock tests on a fresh epoll hub:
// they assert only what holds under any scheduling delay (deadlines are upper
// bounds; no ordering is decided by a sleep). eventlet's tpool.Proxy (Python
// attribute and operator forwarding) has no counterpart: a call through a
// Proxy is a tpool::execute() of that call here.
#include "tpool/tpool.h"

#include <atomic>
#include <chrono>
#include <cstddef>
#include <exception>
#include <map>
#include <memory>
#include <random>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "greenthread/event.h"
#include "greenthread/greenthread.h"
#include "greenthread/timeout.h"
#include "gtest/gtest.h"
#include "hub/hub.h"
#include "pool/green_pile.h"
#include "tpool/testing/wait_until.h"

namespace eventlet {
namespace {

using testing::kPatience;
using testing::poll_until;
using testing::sleep_until;

// eventlet's tearDown kills the pool after every test; the pool size a test
// sets is put back too.
class TpoolTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Hub::destroy_current();
    threads_ = tpool::num_threads();
  }
  void TearDown() override {
    tpool::killall();
    tpool::set_num_threads(threads_);
    Hub::destroy_current();
  }

 private:
  std::size_t threads_ = 0;
};

// Items of a generator fetched one call at a time on the workers, while a
// ticker greenthread keeps running: each fetch returns only once the hub has
// run the ticker 10 more times, which a hub stalled by the fetch never would.
TEST_F(TpoolTest, TestWrapIterator2) {
  std::atomic<int> ticks{0};
  bool stop = false;
  auto ticker = spawn([&] {
    while (!stop) {
      ++ticks;
      sleep();
    }
  });
  int next_item = 0;  // the generator's state; one fetch at a time
  auto fetch = [&] {
    const int seen = ticks.load();
    poll_until([&] { return ticks.load() >= seen + 10; });
    return next_item++;
  };
  int previous = 0;
  for (int i = 0; i < 2; ++i) {
    const int item = tpool::execute(fetch);
    EXPECT_GE(item, previous);
    previous = item;
  }
  stop = true;
  ticker.wait();
  EXPECT_GT(ticks.load(), 10);
}

// eventlet's AttributeError half (a missing attribute of a proxied module) is
// Python's; what a call throws on the worker is rethrown in the caller.
TEST_F(TpoolTest, TestRaisingExceptions) {
  auto raise_exception = []() -> int { throw std::runtime_error("hi"); };
  try {
    tpool::execute(raise_exception);
    ADD_FAILURE() << "expected std::runtime_error";
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(), "hi");
  }
}

// eventlet calls a proxied OptionParser with positional and keyword
// arguments; C++ has no keyword arguments, so the call gets several
// positional ones of different types, and its result comes back.
TEST_F(TpoolTest, TestVariableAndKeywordArgumentsWithFunctionCalls) {
  auto parse_args = [](std::string_view flag, const std::string& dest,
                       const std::vector<std::string>& argv) {
    std::map<std::string, std::string> options;
    for (const std::string& arg : argv) {
      if (arg.starts_with(flag)) options[dest] = arg.substr(flag.size());
    }
    return options;
  };
  const std::map<std::string, std::string> options =
      tpool::execute(parse_args, std::string_view("-n"), std::string("n"),
                     std::vector<std::string>{"-nfoo"});
  EXPECT_EQ(options.at("n"), "foo");
}

// Three greenthreads of a GreenPile call into the pool at once; each gets
// its own answer.
TEST_F(TpoolTest, TestContention) {
  static constexpr int kOne = 1, kTwo = 2, kThree = 3;
  GreenPile<int> pile(4);
  pile.spawn([] { return tpool::execute([] { return kOne; }); });
  pile.spawn([] { return tpool::execute([] { return kTwo; }); });
  pile.spawn([] { return tpool::execute([] { return kThree; }); });
  std::vector<int> results;
  for (int r : pile) results.push_back(r);
  EXPECT_EQ(results, (std::vector<int>{1, 2, 3}));
}

// A Timeout interrupts the caller's wait for a call still running (the call
// itself runs on: a native thread cannot be interrupted).
TEST_F(TpoolTest, TestTimeout) {
  // Shared with the call, which outlives this test's wait for it.
  auto release = std::make_shared<std::atomic<bool>>(false);
  bool timed_out = false;
  try {
    Timeout timeout(absl::Milliseconds(100));
    tpool::execute([release] { poll_until([&] { return release->load(); }); });
  } catch (const TimeoutExpired&) {
    timed_out = true;
  }
  *release = true;
  EXPECT_TRUE(timed_out);
}

// eventlet's killall() then setup(): here the next execute() starts a fresh
// pool by itself.
TEST_F(TpoolTest, TestKillall) {
  tpool::killall();
  tpool::killall();  // nothing running: a no-op
  EXPECT_EQ(tpool::execute([] { return 7; }), 7);
}

// A call running when killall() starts still delivers its result, even one
// that outlives killall()'s grace (its worker is detached). eventlet's
// killall() lets the workers drain the queue first; ours fails calls no
// worker has started with tpool::Killed.
TEST_F(TpoolTest, TestKillallRemainingResults) {
  tpool::killall();
  tpool::set_num_threads(1);
  std::atomic<bool> started{false};
  std::atomic<bool> release{false};
  Event<> sent;
  auto running = spawn([&] {
    sent.send();
    return tpool::execute([&] {
      started = true;
      poll_until([&] { return release.load(); });
      return 1;
    });
  });
  sent.wait();
  ASSERT_TRUE(sleep_until([&] { return started.load(); }));
  auto queued = spawn([] { return tpool::execute([] { return 2; }); });
  sleep();  // `queued` submits its call behind the running one
  tpool::killall(absl::Milliseconds(20));
  EXPECT_THROW(queued.wait(), tpool::Killed);
  release = true;
  EXPECT_EQ(running.wait(), 1);
}

// eventlet's second half (autowrap_names=('__call__',) wrapping the result in
// a Proxy) is Proxy-only; a callable called with an argument returns its
// result.
TEST_F(TpoolTest, TestCallable) {
  auto wrapped = [](int arg) { return arg; };
  EXPECT_EQ(tpool::execute(wrapped, 4), 4);
  EXPECT_EQ(tpool::execute([](int arg) { return std::to_string(arg); }, 4),
            "4");
}

// A timeout exception raised inside the call reaches the caller as such.
TEST_F(TpoolTest, TestEventletTimeout) {
  auto raise_timeout = []() -> int {
    throw TimeoutExpired(nullptr, "raised on a worker");
  };
  std::exception_ptr error;
  try {
    tpool::execute(raise_timeout);
  } catch (const TimeoutExpired&) {
    error = std::current_exception();
  }
  ASSERT_TRUE(error) << "expected TimeoutExpired";
  EXPECT_TRUE(is_timeout(error));
}

TEST_F(TpoolTest, TestTpoolSetNumThreads) {
  tpool::set_num_threads(5);
  EXPECT_EQ(tpool::num_threads(), 5u);
}

// Ten greenthreads, each making 100 calls between random green sleeps, the
// calls themselves sleeping natively: every call returns its own token.
TEST_F(TpoolTest, TestABunchaStuff) {
  struct Dummy {
    int foo(absl::Time when, int token) const {
      EXPECT_NE(when, absl::InfinitePast());
      std::this_thread::sleep_for(
          std::chrono::microseconds(token * 7919 % 5000));
      return token;
    }
  };
  constexpr int kLoops = 10;
  constexpr int kCount = 100;
  auto sender_loop = [](int loopnum) {
    Dummy obj;
    std::mt19937 random(loopnum);
    std::uniform_int_distribution<int> up_to_5ms(0, 5000);
    for (int n = 0; n < kCount; ++n) {
      sleep(absl::Microseconds(up_to_5ms(random)));
      const int token = loopnum * kCount + n;
      const int rv = tpool::execute(
          [&obj](absl::Time when, int t) { return obj.foo(when, t); },
          absl::Now(), token);
      EXPECT_EQ(rv, token);
      sleep(absl::Microseconds(up_to_5ms(random)));
    }
    return loopnum;
  };
  GreenPile<int> pile(kLoops);
  for (int i = 0; i < kLoops; ++i) pile.spawn(sender_loop, i);
  int results = 0;
  for (int r : pile) {
    EXPECT_EQ(r, results);
    ++results;
  }
  EXPECT_EQ(results, kLoops);
}

// Counts its live instances (copies included).
struct CountedError : std::runtime_error {
  static inline std::atomic<int> live{0};
  CountedError() : std::runtime_error("counted") { ++live; }
  CountedError(const CountedError& other) : std::runtime_error(other) {
    ++live;
  }
  ~CountedError() override { --live; }
};

// eventlet counts Python's gc objects over 10, then 100 raising calls. Here:
// no exception object outlives its handler, and the hub is left with no
// extra greenthreads or timers, however many calls raised.
TEST_F(TpoolTest, TestLeakageFromTracebacks) {
  tpool::execute([] {});  // get it started
  Hub& hub = Hub::current();
  const std::size_t timers = hub.timer_count();
  const std::size_t greenlets = hub.greenlet_count();
  for (int i = 0; i < 110; ++i) {
    EXPECT_THROW(tpool::execute([] { throw CountedError(); }), CountedError);
    ASSERT_EQ(CountedError::live.load(), 0) << "after call " << i;
  }
  EXPECT_EQ(hub.timer_count(), timers);
  EXPECT_EQ(hub.greenlet_count(), greenlets);
}

// eventlet checks with gc.get_referrers that a proxied object is not kept
// after a call that returned, nor after one that raised. Here the object is
// held by a shared_ptr that the call captures: once execute() is done, the
// test's is the only reference left.
TEST_F(TpoolTest, TestExceptionLeak) {
  struct RequiredException : std::runtime_error {
    RequiredException() : std::runtime_error("required") {}
  };
  struct A {
    std::string ok() const { return "ok"; }
    void err() const { throw RequiredException(); }
  };
  auto a = std::make_shared<A>();
  EXPECT_EQ(tpool::execute([a] { return a->ok(); }), "ok");
  EXPECT_EQ(a.use_count(), 1);
  EXPECT_THROW(tpool::execute([a] { a->err(); }), RequiredException);
  EXPECT_EQ(a.use_count(), 1);
}

}  // namespace
}  // namespace eventlet
