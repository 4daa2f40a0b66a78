// Copyright 2026 The eventlet-cpp Authors.
//
// Mailbox: the sleep flag that lets post() skip the backend wake-up while the
// hub is awake (exact, on a counting backend), and no lost wake-up when many
// threads post while the hub goes to sleep over and over, with and without
// the hand-off spin, nor when posts race the hub's teardown (both run under
// ThreadSanitizer in CI: --config=tsan). Across threads nothing depends on
// timing: every wait ends by a post, and timeouts only bound a wait that a
// lost wake-up would make endless.
#include "hub/mailbox.h"

#include <atomic>
#include <chrono>
#include <memory>
#include <thread>
#include <vector>

#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "hub/hub.h"

namespace eventlet {
namespace {

// Counts wake() calls; waits nothing.
class CountingBackend final : public Backend {
 public:
  const char* name() const override { return "counting"; }
  std::int64_t now() override { return 0; }
  void watch(int, std::uint32_t) override {}
  void unwatch(int) override {}
  void wait(std::int64_t, std::vector<IoReady>*) override {}
  void wake() override { wakes.fetch_add(1); }
  std::atomic<int> wakes{0};
};

TEST(MailboxTest, WakesTheBackendOnlyWhileTheHubSleeps) {
  CountingBackend backend;
  Mailbox box(&backend);
  std::vector<absl::AnyInvocable<void()>> batch;

  EXPECT_TRUE(box.post([] {}));
  EXPECT_EQ(backend.wakes, 0) << "an awake hub finds the mail itself";
  EXPECT_FALSE(box.begin_sleep()) << "mail queued: poll, do not sleep";
  EXPECT_TRUE(box.post([] {}));
  EXPECT_EQ(backend.wakes, 0) << "a refused sleep leaves the hub awake";

  box.drain(&batch);
  EXPECT_EQ(batch.size(), 2u);
  EXPECT_FALSE(box.has_mail());
  EXPECT_TRUE(box.begin_sleep());
  EXPECT_TRUE(box.post([] {}));
  EXPECT_EQ(backend.wakes, 1) << "a sleeping hub is woken";
  box.end_sleep();
  EXPECT_TRUE(box.post([] {}));
  EXPECT_EQ(backend.wakes, 1);

  batch.clear();
  box.drain(&batch);
  EXPECT_EQ(batch.size(), 2u);
  box.close();
  EXPECT_FALSE(box.post([] {}));
}

class MailboxStressTest : public ::testing::TestWithParam<absl::Duration> {
 protected:
  void SetUp() override { Hub::destroy_current(); }
  void TearDown() override { Hub::destroy_current(); }
};

// Real OS threads, not the simulated clock: what is tested is the memory
// ordering between threads (a lost wake-up), which one simulated thread
// cannot produce. Nothing here asserts an order or a duration; the 5 s below
// only tells a lost wake-up (the hub would sleep forever) from a slow one.
//
// Each poster posts, waits until its callback has run, and posts again at
// once: just as the hub, its mailbox empty, is going to sleep (after
// spinning, with the spin on). A post whose wake-up is lost leaves the hub
// asleep with the post queued; the poster sees no acknowledgement for 5 s
// (every round trip takes microseconds), counts a lost wake-up, and posts
// again to rescue the hub.
TEST_P(MailboxStressTest, NoWakeUpIsLostWhileTheHubSleepsOverAndOver) {
  Hub& hub = Hub::current();
  hub.set_handoff_spin(GetParam());
  Greenlet& main = hub.main_greenlet();
  constexpr int kThreads = 2, kRounds = 3000;
  std::atomic<int> lost{0};
  int finished = 0;
  std::vector<std::thread> posters;
  for (int t = 0; t < kThreads; ++t) {
    posters.emplace_back([&] {
      std::atomic<int> acked{0};
      for (int i = 1; i <= kRounds; ++i) {
        hub.post([&] { acked.fetch_add(1); });
        const auto limit =
            std::chrono::steady_clock::now() + std::chrono::seconds(5);
        while (acked.load() < i) {
          if (std::chrono::steady_clock::now() > limit) {
            lost.fetch_add(1);
            hub.post([] {});
            break;
          }
          std::this_thread::yield();
        }
        while (acked.load() < i) std::this_thread::yield();
      }
      hub.post([&] {
        if (++finished == kThreads) Hub::current().schedule_resume(main);
      });
    });
  }
  const bool done = hub.switch_out_for(absl::Seconds(120), "posters");
  for (std::thread& t : posters) t.join();
  EXPECT_TRUE(done);
  EXPECT_EQ(lost.load(), 0);
}

INSTANTIATE_TEST_SUITE_P(Spin, MailboxStressTest,
                         ::testing::Values(absl::ZeroDuration(),
                                           Hub::kDefaultHandoffSpin));

// Posters keep posting to a hub on another thread while that hub sleeps,
// wakes, and is destroyed: each post before the teardown runs or is dropped
// with the mailbox, each one after it is refused, nothing crashes or races.
TEST(MailboxTeardownTest, PostsRacingTheHubsTeardownAreRefusedAfterIt) {
  constexpr int kThreads = 3;
  std::shared_ptr<Mailbox> box;
  std::atomic<bool> published{false};
  std::atomic<int> ran{0};
  std::thread hub_thread([&] {
    Hub& hub = Hub::current();
    box = hub.mailbox();
    published.store(true);
    // Sleep and wake on posts until some have run, then tear down.
    while (ran.load() < 1000) hub.sleep(absl::Microseconds(50));
    Hub::destroy_current();
  });
  while (!published.load()) std::this_thread::yield();
  std::vector<std::thread> posters;
  for (int t = 0; t < kThreads; ++t) {
    posters.emplace_back([&] {
      while (box->post([&] { ran.fetch_add(1); })) std::this_thread::yield();
    });
  }
  hub_thread.join();
  for (std::thread& t : posters) t.join();  // each saw a refusal
  EXPECT_TRUE(box->closed());
  EXPECT_GE(ran.load(), 1000);
}

}  // namespace
}  // namespace eventlet
