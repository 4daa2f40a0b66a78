// Copyright 2026 The eventlet-cpp Authors.
//
// backend_conformance.h: the typed test suite every Backend must pass.
//
// The suite is parameterised by a *traits* type that says how to make the
// backend and how to make its fds ready. A backend's own test instantiates it:
//
//   struct EpollTraits {
//     // A fresh backend for one test.
//     static std::unique_ptr<Backend> make_backend();
//     // A connected, bidirectional, non-blocking stream pair (for epoll: a
//     // socketpair). Both ends start writable and not readable. Like the
//     // kernel, hand out the lowest free fd numbers: the fd-reuse test relies
//     // on getting a closed number back.
//     static std::array<int, 2> make_pair(Backend& backend);
//     // Makes the peer of `fd` readable (writes one byte into `fd`).
//     static void write_byte(Backend& backend, int fd);
//     // Reads everything buffered on `fd`, so it is no longer readable.
//     static void drain(Backend& backend, int fd);
//     // Closes `fd` (the test has unwatch()ed it first where it matters).
//     static void close_fd(Backend& backend, int fd);
//     // True if wait() blocks the calling OS thread on a real clock. The
//     // tests that need another std::thread (wake() from another thread, an
//     // fd made ready while wait() blocks) run only then; a simulated backend
//     // that never blocks says false.
//     static constexpr bool kRealTime = true;
//   };
//   INSTANTIATE_TYPED_TEST_SUITE_P(Epoll, BackendConformance,
//                                  ::testing::Types<EpollTraits>);
//
// Time is read only from the backend's now(), so a simulated backend whose
// wait() jumps its virtual clock to the deadline passes the timing tests
// exactly, and a real one within kSlack. On a real clock the tests assert
// only what holds under any scheduling delay (a loaded 2-core machine, a
// sanitizer build): lower bounds that a sleep guarantees, and upper bounds
// (kSlack, the watchdogs) that only a broken backend reaches.
#ifndef EVENTLET_HUB_BACKEND_CONFORMANCE_H_
#define EVENTLET_HUB_BACKEND_CONFORMANCE_H_

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <system_error>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "hub/backend.h"

namespace eventlet {

template <typename Traits>
class BackendConformance : public ::testing::Test {
 protected:
  // How late a real backend may return from wait() (scheduler noise, even
  // under heavy load). Well below the deadlines (10 s and more) that the
  // tests use to tell "returned at once" from "waited for the deadline".
  static constexpr std::int64_t kSlack = 5'000'000'000;  // 5 s
  static constexpr std::int64_t kMs = 1'000'000;

  void SetUp() override { backend_ = Traits::make_backend(); }
  void TearDown() override {
    for (int fd : open_) {
      backend_->unwatch(fd);
      Traits::close_fd(*backend_, fd);
    }
    open_.clear();
    backend_.reset();
  }

  Backend& backend() { return *backend_; }
  std::int64_t now() { return backend_->now(); }

  // A stream pair whose fds are closed at the end of the test.
  std::array<int, 2> Pair() {
    std::array<int, 2> p = Traits::make_pair(*backend_);
    open_.push_back(p[0]);
    open_.push_back(p[1]);
    return p;
  }
  // Unwatches and closes `fd` now.
  void Close(int fd) {
    backend_->unwatch(fd);
    Traits::close_fd(*backend_, fd);
    open_.erase(std::remove(open_.begin(), open_.end(), fd), open_.end());
  }
  void WriteByte(int fd) { Traits::write_byte(*backend_, fd); }
  void Drain(int fd) { Traits::drain(*backend_, fd); }

  // Calls wait(deadline) until something is reported or the deadline has
  // passed (wait() may return early and empty). Returns what was reported.
  std::vector<IoReady> WaitUntil(std::int64_t deadline) {
    std::vector<IoReady> ready;
    for (int calls = 0; calls < 10000; ++calls) {
      backend_->wait(deadline, &ready);
      if (!ready.empty() || now() >= deadline) break;
    }
    return ready;
  }
  std::vector<IoReady> WaitFor(std::int64_t ns) {
    return WaitUntil(now() + ns);
  }

  // The events reported for `fd` (0 if none; ORed if several entries).
  static std::uint32_t EventsFor(const std::vector<IoReady>& ready, int fd) {
    std::uint32_t events = 0;
    for (const IoReady& r : ready) {
      if (r.fd == fd) events |= r.events;
    }
    return events;
  }

  std::unique_ptr<Backend> backend_;
  std::vector<int> open_;
};

// Unblocks a wait() that a test expects to be ended by something else, so a
// broken backend fails the test instead of hanging it: after `after`, makes
// `fd` readable by writing to its peer `peer`.
// How long a BackendWatchdog waits before stepping in: longer than any
// scheduling delay, shorter than a small test's time limit (60 s).
inline constexpr std::chrono::milliseconds kWatchdog{30'000};

template <typename Traits>
class BackendWatchdog {
 public:
  BackendWatchdog(Backend& backend, int peer, std::chrono::milliseconds after)
      : thread_([this, &backend, peer, after] {
          std::unique_lock<std::mutex> lock(mu_);
          if (!cv_.wait_for(lock, after, [this] { return disarmed_; })) {
            fired_ = true;
            Traits::write_byte(backend, peer);
          }
        }) {}
  ~BackendWatchdog() { Disarm(); }
  // Returns true if the watchdog had to step in.
  bool Disarm() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      disarmed_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
    return fired_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool disarmed_ = false;
  std::atomic<bool> fired_{false};
  std::thread thread_;
};

TYPED_TEST_SUITE_P(BackendConformance);

TYPED_TEST_P(BackendConformance, NowIsMonotonic) {
  std::int64_t last = this->now();
  for (int i = 0; i < 10000; ++i) {
    const std::int64_t t = this->now();
    ASSERT_GE(t, last);
    last = t;
  }
  // And it moves: waiting 5 ms of backend time takes 5 ms of backend time.
  const std::int64_t start = this->now();
  this->WaitFor(5 * this->kMs);
  EXPECT_GE(this->now() - start, 5 * this->kMs);
}

TYPED_TEST_P(BackendConformance, WaitReturnsByTheDeadlineWhenNothingIsReady) {
  auto [a, b] = this->Pair();
  this->backend().watch(a, kRead);
  const std::int64_t start = this->now();
  const std::int64_t deadline = start + 20 * this->kMs;
  std::vector<IoReady> ready;
  int calls = 0;
  while (this->now() < deadline && calls < 1000) {
    this->backend().wait(deadline, &ready);
    ++calls;
    EXPECT_LE(this->now(), deadline + this->kSlack) << "returned late";
  }
  EXPECT_TRUE(ready.empty())
      << "reported fd " << ready[0].fd << " that was never ready";
  EXPECT_LT(calls, 1000) << "wait() keeps returning early: a busy loop";
  EXPECT_GE(this->now(), deadline);
  (void)b;
}

TYPED_TEST_P(BackendConformance, PastDeadlineOnlyPolls) {
  auto [a, b] = this->Pair();
  this->backend().watch(a, kRead);
  const std::int64_t start = this->now();
  std::vector<IoReady> ready;
  this->backend().wait(start - 1, &ready);
  this->backend().wait(start, &ready);
  EXPECT_TRUE(ready.empty());
  EXPECT_LT(this->now() - start, this->kSlack);
  // A poll still reports what is ready.
  this->WriteByte(b);
  this->backend().wait(this->now(), &ready);
  EXPECT_EQ(this->EventsFor(ready, a), std::uint32_t{kRead});
}

TYPED_TEST_P(BackendConformance, BecomesReadableAfterAWrite) {
  auto [a, b] = this->Pair();
  this->backend().watch(a, kRead);
  EXPECT_EQ(this->EventsFor(this->WaitFor(2 * this->kMs), a), 0u)
      << "readable before anything was written";
  this->WriteByte(b);
  const std::int64_t start = this->now();
  const std::int64_t deadline = start + 10'000 * this->kMs;
  std::vector<IoReady> ready = this->WaitUntil(deadline);
  ASSERT_EQ(ready.size(), 1u);
  EXPECT_EQ(ready[0].fd, a);
  EXPECT_EQ(ready[0].events, std::uint32_t{kRead});
  EXPECT_LT(this->now() - start, this->kSlack) << "waited for the deadline";
}

TYPED_TEST_P(BackendConformance, WaitAppendsToTheReadyList) {
  auto [a, b] = this->Pair();
  this->backend().watch(a, kRead);
  this->WriteByte(b);
  std::vector<IoReady> ready{IoReady{-7, kWrite}};
  this->backend().wait(this->now() + 1000 * this->kMs, &ready);
  ASSERT_EQ(ready.size(), 2u);
  EXPECT_EQ(ready[0].fd, -7) << "wait() must append, not replace";
  EXPECT_EQ(ready[1].fd, a);
}

TYPED_TEST_P(BackendConformance, WritableReportsWrite) {
  auto [a, b] = this->Pair();
  this->backend().watch(a, kWrite);
  std::vector<IoReady> ready = this->WaitFor(1000 * this->kMs);
  EXPECT_EQ(this->EventsFor(ready, a), std::uint32_t{kWrite});
  (void)b;
}

TYPED_TEST_P(BackendConformance, ReportsOnlyWantedEvents) {
  auto [a, b] = this->Pair();
  this->WriteByte(b);  // a is readable and writable
  this->backend().watch(a, kWrite);
  EXPECT_EQ(this->EventsFor(this->WaitFor(1000 * this->kMs), a),
            std::uint32_t{kWrite});
  this->backend().watch(a, kRead);
  EXPECT_EQ(this->EventsFor(this->WaitFor(1000 * this->kMs), a),
            std::uint32_t{kRead});
  this->backend().watch(a, kRead | kWrite);
  EXPECT_EQ(this->EventsFor(this->WaitFor(1000 * this->kMs), a),
            std::uint32_t{kRead | kWrite});
}

TYPED_TEST_P(BackendConformance, ReportsAgainWhileStillReadyUntilDrained) {
  auto [a, b] = this->Pair();
  this->backend().watch(a, kRead);
  this->WriteByte(b);
  EXPECT_EQ(this->EventsFor(this->WaitFor(1000 * this->kMs), a),
            std::uint32_t{kRead});
  EXPECT_EQ(this->EventsFor(this->WaitFor(1000 * this->kMs), a),
            std::uint32_t{kRead})
      << "still readable, so still reported";
  this->Drain(a);
  EXPECT_EQ(this->EventsFor(this->WaitFor(5 * this->kMs), a), 0u);
}

TYPED_TEST_P(BackendConformance, WatchNoEventsStopsReports) {
  auto [a, b] = this->Pair();
  this->backend().watch(a, kRead | kWrite);
  this->WriteByte(b);
  EXPECT_EQ(this->EventsFor(this->WaitFor(1000 * this->kMs), a),
            std::uint32_t{kRead | kWrite});
  this->backend().watch(a, kNoEvents);
  const std::int64_t deadline = this->now() + 10 * this->kMs;
  std::vector<IoReady> ready = this->WaitUntil(deadline);
  EXPECT_EQ(this->EventsFor(ready, a), 0u) << "reported an unwanted fd";
  EXPECT_GE(this->now(), deadline);
  // Wanting it again reports it again.
  this->backend().watch(a, kRead);
  EXPECT_EQ(this->EventsFor(this->WaitFor(1000 * this->kMs), a),
            std::uint32_t{kRead});
}

TYPED_TEST_P(BackendConformance, UnwatchThenCloseThenReuseTheFdNumber) {
  auto [a, b] = this->Pair();
  this->backend().watch(a, kRead | kWrite);
  this->WriteByte(b);
  EXPECT_NE(this->EventsFor(this->WaitFor(1000 * this->kMs), a), 0u);
  this->Close(a);
  this->Close(b);
  auto [c, d] = this->Pair();
  ASSERT_TRUE(c == a || d == a)
      << "expected fd " << a << " back; got " << c << ", " << d;
  const int reused = c == a ? c : d;
  const int peer = c == a ? d : c;
  // No stale readiness from the old file: nothing is readable yet.
  this->backend().watch(reused, kRead);
  EXPECT_EQ(this->EventsFor(this->WaitFor(5 * this->kMs), reused), 0u);
  this->WriteByte(peer);
  EXPECT_EQ(this->EventsFor(this->WaitFor(1000 * this->kMs), reused),
            std::uint32_t{kRead});
  this->backend().watch(reused, kWrite);
  EXPECT_EQ(this->EventsFor(this->WaitFor(1000 * this->kMs), reused),
            std::uint32_t{kWrite});
}

TYPED_TEST_P(BackendConformance, SeveralReadyFdsAreAllReported) {
  auto [a, b] = this->Pair();
  auto [c, d] = this->Pair();
  this->backend().watch(a, kRead);
  this->backend().watch(c, kRead);
  this->WriteByte(b);
  this->WriteByte(d);
  std::vector<IoReady> ready;
  const std::int64_t deadline = this->now() + 1000 * this->kMs;
  while (this->now() < deadline &&
         (this->EventsFor(ready, a) == 0 || this->EventsFor(ready, c) == 0)) {
    this->backend().wait(deadline, &ready);
  }
  EXPECT_EQ(this->EventsFor(ready, a), std::uint32_t{kRead});
  EXPECT_EQ(this->EventsFor(ready, c), std::uint32_t{kRead});
}

TYPED_TEST_P(BackendConformance, HungUpPeerReportsReadiness) {
  auto [a, b] = this->Pair();
  this->backend().watch(a, kRead);
  this->Close(b);
  EXPECT_EQ(this->EventsFor(this->WaitFor(1000 * this->kMs), a),
            std::uint32_t{kRead})
      << "a reader must wake up to see end-of-file";
  this->backend().watch(a, kRead | kWrite);
  EXPECT_EQ(this->EventsFor(this->WaitFor(1000 * this->kMs), a),
            std::uint32_t{kRead | kWrite});
}

TYPED_TEST_P(BackendConformance, WatchingAClosedFdThrows) {
  auto [a, b] = this->Pair();
  this->Close(a);
  EXPECT_THROW(this->backend().watch(a, kRead), std::system_error);
  EXPECT_THROW(this->backend().watch(-1, kRead), std::system_error);
  this->backend().unwatch(a);  // never throws
  this->backend().unwatch(-1);
  this->backend().unwatch(1 << 20);
  // The backend is still fine.
  this->backend().watch(b, kWrite);
  EXPECT_EQ(this->EventsFor(this->WaitFor(1000 * this->kMs), b),
            std::uint32_t{kWrite});
}

TYPED_TEST_P(BackendConformance, WakeBeforeWaitMakesItReturn) {
  auto [a, b] = this->Pair();
  this->backend().watch(a, kRead);
  this->backend().wake();
  std::vector<IoReady> ready;
  if constexpr (TypeParam::kRealTime) {
    BackendWatchdog<TypeParam> watchdog(this->backend(), b, kWatchdog);
    const std::int64_t start = this->now();
    this->backend().wait(Backend::kNoDeadline, &ready);
    EXPECT_FALSE(watchdog.Disarm()) << "wake() did not end the wait";
    EXPECT_LT(this->now() - start, this->kSlack);
  } else {
    this->backend().wait(Backend::kNoDeadline, &ready);
  }
  EXPECT_EQ(this->EventsFor(ready, a), 0u);
}

TYPED_TEST_P(BackendConformance, WakeFromAnotherThreadInterruptsWait) {
  if constexpr (!TypeParam::kRealTime) {
    GTEST_SKIP() << "needs a wait() that blocks on real time";
  } else {
    auto [a, b] = this->Pair();
    this->backend().watch(a, kRead);
    BackendWatchdog<TypeParam> watchdog(this->backend(), b, kWatchdog);
    Backend& backend = this->backend();
    const std::int64_t start = this->now();  // before the thread exists
    std::thread waker([&backend] {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      backend.wake();
    });
    std::vector<IoReady> ready;
    this->backend().wait(Backend::kNoDeadline, &ready);
    const std::int64_t waited = this->now() - start;
    waker.join();
    EXPECT_FALSE(watchdog.Disarm()) << "wake() did not end the wait";
    EXPECT_LT(waited, this->kSlack + 20 * this->kMs);
    EXPECT_EQ(this->EventsFor(ready, a), 0u);
  }
}

TYPED_TEST_P(BackendConformance, FdReadyWhileWaitingEndsTheWait) {
  if constexpr (!TypeParam::kRealTime) {
    GTEST_SKIP() << "needs a wait() that blocks on real time";
  } else {
    auto [a, b] = this->Pair();
    this->backend().watch(a, kRead);
    Backend& backend = this->backend();
    const std::int64_t start = this->now();  // before the thread exists
    std::thread writer([&backend, peer = b] {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      TypeParam::write_byte(backend, peer);
    });
    std::vector<IoReady> ready = this->WaitUntil(start + 30'000 * this->kMs);
    const std::int64_t waited = this->now() - start;
    writer.join();
    EXPECT_EQ(this->EventsFor(ready, a), std::uint32_t{kRead});
    EXPECT_GE(waited, 15 * this->kMs) << "reported before it was ready";
    EXPECT_LT(waited, this->kSlack + 20 * this->kMs);
  }
}

REGISTER_TYPED_TEST_SUITE_P(
    BackendConformance, NowIsMonotonic,
    WaitReturnsByTheDeadlineWhenNothingIsReady, PastDeadlineOnlyPolls,
    BecomesReadableAfterAWrite, WaitAppendsToTheReadyList, WritableReportsWrite,
    ReportsOnlyWantedEvents, ReportsAgainWhileStillReadyUntilDrained,
    WatchNoEventsStopsReports, UnwatchThenCloseThenReuseTheFdNumber,
    SeveralReadyFdsAreAllReported, HungUpPeerReportsReadiness,
    WatchingAClosedFdThrows, WakeBeforeWaitMakesItReturn,
    WakeFromAnotherThreadInterruptsWait, FdReadyWhileWaitingEndsTheWait);

}  // namespace eventlet

#endif  // EVENTLET_HUB_BACKEND_CONFORMANCE_H_
