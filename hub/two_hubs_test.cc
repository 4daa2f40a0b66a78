// Copyright 2026 The eventlet-cpp Authors.
//
// Two hubs on two OS threads at once touch no shared state without
// synchronisation (this runs under ThreadSanitizer in CI: --config=tsan).
// Each thread creates its hub, spawns, switches and sleeps, then exits with
// a greenlet still parked, so both abandon their hubs (the process-wide list
// of abandoned hubs) at about the same time.
#include <atomic>
#include <thread>
#include <vector>

#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "hub/hub.h"

namespace eventlet {
namespace {

TEST(TwoHubs, RunAndAbandonOnTwoThreadsAtOnce) {
  constexpr int kThreads = 2;
  constexpr int kRounds = 20;
  constexpr int kGreenlets = 50;
  std::atomic<int> arrived{0};
  std::vector<int> ran(kThreads, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      Hub& hub = Hub::current();
      for (int round = 0; round < kRounds; ++round) {
        for (int i = 0; i < kGreenlets; ++i) {
          hub.start(hub.create_greenlet([&hub, &ran, t] {
            hub.sleep(absl::ZeroDuration());
            hub.sleep(absl::Microseconds(10));
            ++ran[t];
          }));
        }
        while (hub.greenlet_count() > 0) hub.sleep(absl::Microseconds(20));
      }
      // Left parked on purpose: the hub is abandoned at thread exit.
      hub.start(hub.create_greenlet([&hub] { hub.switch_out("forever"); }));
      hub.sleep(absl::ZeroDuration());
      // Both threads exit (and abandon their hubs) together.
      arrived.fetch_add(1);
      while (arrived.load() < kThreads) std::this_thread::yield();
    });
  }
  for (auto& th : threads) th.join();
  for (int t = 0; t < kThreads; ++t) EXPECT_EQ(ran[t], kRounds * kGreenlets);
}

}  // namespace
}  // namespace eventlet
