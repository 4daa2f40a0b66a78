// Copyright 2026 The eventlet-cpp Authors.
//
// wait_until.h (tests only): bounded waits for tests that involve native
// threads (tpool's workers), where nothing can be ordered by the simulated
// clock. The bound is far beyond any scheduling delay on a busy machine and
// short of a test's timeout; a wait that reaches it returns false, so the
// test fails instead of hanging.
#ifndef EVENTLET_TPOOL_TESTING_WAIT_UNTIL_H_
#define EVENTLET_TPOOL_TESTING_WAIT_UNTIL_H_

#include <chrono>
#include <thread>

#include "absl/time/time.h"
#include "greenthread/greenthread.h"

namespace eventlet::testing {

inline constexpr auto kPatience = std::chrono::seconds(20);

// On a native thread: polls `done` every millisecond until it holds or
// kPatience passed. Returns done().
template <typename Pred>
bool poll_until(Pred done) {
  const auto give_up = std::chrono::steady_clock::now() + kPatience;
  while (!done()) {
    if (std::chrono::steady_clock::now() > give_up) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return true;
}

// In a greenthread: sleeps greenly (1 ms at a time) until `done` holds or
// kPatience passed. Returns done().
template <typename Pred>
bool sleep_until(Pred done) {
  const auto give_up = std::chrono::steady_clock::now() + kPatience;
  while (!done()) {
    if (std::chrono::steady_clock::now() > give_up) return false;
    sleep(absl::Milliseconds(1));
  }
  return true;
}

}  // namespace eventlet::testing

#endif  // EVENTLET_TPOOL_TESTING_WAIT_UNTIL_H_
