// Copyright 2026 The eventlet-cpp Authors.
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "debug/debug.h"
#include "debug/testing.h"
#include "gmock/gmock.h"
#include "greenthread/greenthread.h"
#include "gtest/gtest.h"
#include "hub/hub.h"

namespace {

using ::testing::HasSubstr;
namespace debug = eventlet::debug;

// Collects the reports (the monitor thread calls it).
struct Reports {
  std::mutex mu;
  std::vector<debug::BlockingReport> all;
  std::atomic<int> blocking{0};
  debug::BlockingOptions options() {
    debug::BlockingOptions o;
    o.report = [this](const debug::BlockingReport& r) {
      std::fputs(debug::format_blocking_report(r).c_str(), stderr);
      std::lock_guard lock(mu);
      all.push_back(r);
      if (!r.released) ++blocking;
    };
    return o;
  }
};

bool elapsed(std::chrono::steady_clock::time_point start, int ms) {
  return std::chrono::steady_clock::now() - start >
         std::chrono::milliseconds(ms);
}

[[gnu::noinline]] void spin_until_reported(std::atomic<int>* reported) {
  const auto start = std::chrono::steady_clock::now();
  // At least 50 ms; longer if the monitor thread was slow to get the CPU.
  while (!elapsed(start, 50) ||
         (reported->load() == 0 && !elapsed(start, 3000))) {
    asm volatile("");
  }
}

[[gnu::noinline]] void usleep_until_reported(std::atomic<int>* reported) {
  const auto start = std::chrono::steady_clock::now();
  while (!elapsed(start, 50) ||
         (reported->load() == 0 && !elapsed(start, 3000))) {
    ::usleep(5000);
  }
}

TEST(Blocking, CatchesACpuBoundGreenthread) {
  Reports reports;
  debug::hub_blocking_detection(true, absl::Milliseconds(10),
                                reports.options());
  auto g = eventlet::spawn(spin_until_reported, &reports.blocking);
  g.set_name("spinner");
  g.wait();
  eventlet::sleep(absl::Milliseconds(30));  // let the release be seen
  debug::hub_blocking_detection(false);
  std::lock_guard lock(reports.mu);
  ASSERT_GE(reports.all.size(), 1u);
  const debug::BlockingReport& r = reports.all[0];
  EXPECT_FALSE(r.released);
  EXPECT_EQ(r.greenthread_id, g.id());
  EXPECT_THAT(r.who, HasSubstr("(spinner)"));
  EXPECT_GE(r.held, absl::Milliseconds(10));
  EXPECT_THAT(r.kernel_state, HasSubstr("running"));
  std::string stack;
  for (const auto& f : r.stack) stack += f + "\n";
  EXPECT_THAT(stack, HasSubstr("spin_until_reported"));
  ASSERT_GE(reports.all.size(), 2u);
  EXPECT_TRUE(reports.all[1].released);
  EXPECT_GE(reports.all[1].held, absl::Milliseconds(40));
  debug::ExpectHubEmpty();
}

TEST(Blocking, CatchesASleepingSyscall) {
  Reports reports;
  debug::hub_blocking_detection(true, absl::Milliseconds(10),
                                reports.options());
  auto g = eventlet::spawn(usleep_until_reported, &reports.blocking);
  g.set_name("napper");
  g.wait();
  debug::hub_blocking_detection(false);
  std::lock_guard lock(reports.mu);
  ASSERT_GE(reports.all.size(), 1u);
  const debug::BlockingReport& r = reports.all[0];
  EXPECT_EQ(r.greenthread_id, g.id());
  EXPECT_THAT(r.who, HasSubstr("(napper)"));
  std::string stack;
  for (const auto& f : r.stack) stack += f + "\n";
  EXPECT_THAT(stack, HasSubstr("usleep_until_reported"));
}

TEST(Blocking, QuietForAWellBehavedWorkload) {
  Reports reports;
  debug::hub_blocking_detection(true, absl::Milliseconds(100),
                                reports.options());
  std::vector<eventlet::GreenThread<void>> workers;
  for (int i = 0; i < 10; ++i) {
    workers.push_back(eventlet::spawn([] {
      for (int j = 0; j < 100; ++j) eventlet::sleep(absl::Milliseconds(2));
    }));
  }
  for (auto& w : workers) w.wait();
  eventlet::sleep(absl::Milliseconds(250));  // idle in the poll: not blocking
  debug::hub_blocking_detection(false);
  EXPECT_EQ(reports.blocking.load(), 0);
}

TEST(Blocking, WorksOnAnotherThreadsHubAndThrowsIntoTheOffender) {
  std::thread t([] {
    Reports reports;
    debug::BlockingOptions o = reports.options();
    o.throw_into = true;
    debug::hub_blocking_detection(true, absl::Milliseconds(10), o);
    debug::hub_exceptions(false);
    auto g = eventlet::spawn([&] {
      spin_until_reported(&reports.blocking);
      eventlet::sleep(absl::Milliseconds(200));  // the error lands here
    });
    bool thrown = false;
    try {
      g.wait();
    } catch (const debug::BlockingDetectedError& e) {
      thrown = true;
      EXPECT_THAT(e.what(), HasSubstr("Blocking detector ALARMED"));
    }
    EXPECT_TRUE(thrown);
    debug::hub_blocking_detection(false);
    EXPECT_GE(reports.blocking.load(), 1);
  });
  t.join();
}

TEST(Blocking, NamesATimerCallback) {
  Reports reports;
  debug::hub_blocking_detection(true, absl::Milliseconds(10),
                                reports.options());
  eventlet::Hub::current().schedule_call_global(
      absl::ZeroDuration(), [&] { spin_until_reported(&reports.blocking); });
  eventlet::sleep(absl::Milliseconds(1));
  debug::hub_blocking_detection(false);
  std::lock_guard lock(reports.mu);
  ASSERT_GE(reports.all.size(), 1u);
  EXPECT_EQ(reports.all[0].greenthread_id, -1);
  EXPECT_THAT(reports.all[0].who, HasSubstr("timer callback"));
}

}  // namespace
