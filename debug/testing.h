// Copyright 2026 The eventlet-cpp Authors.
//
// testing.h: gtest helpers of debug/ (target //debug:testing, testonly).
//
//   TEST(MyTest, LeavesNothingBehind) {
//     ... spawn, sleep, sockets ...
//     eventlet::debug::ExpectHubEmpty();
//   }
//
// ExpectHubEmpty() adds a non-fatal failure, with a dump of what is left
// (greenthreads, timers, listeners), if the calling thread's hub still has a
// live greenthread, a timer, a ready wake-up or an fd listener. It first lets
// the hub run `settle_passes` times (sleep(0)) so that greenthreads finishing
// right now can finish. Call it on the hub's thread, outside the hub greenlet.
#ifndef EVENTLET_DEBUG_TESTING_H_
#define EVENTLET_DEBUG_TESTING_H_

#include <string>

#include "debug/debug.h"
#include "gtest/gtest.h"
#include "hub/hub.h"

namespace eventlet::debug {

inline void ExpectHubEmpty(int settle_passes = 2) {
  if (Hub* hub = Hub::current_if_exists()) {
    for (int i = 0; i < settle_passes; ++i) hub->sleep(absl::ZeroDuration());
  }
  const std::string leftovers = verify_hub_empty();
  EXPECT_TRUE(leftovers.empty()) << leftovers;
}

}  // namespace eventlet::debug

#endif  // EVENTLET_DEBUG_TESTING_H_
