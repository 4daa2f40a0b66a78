// Copyright 2026 The eventlet-cpp Authors.
//
// The blocking detector watches real time from its own monitor thread, so
// these tests run on the real clock. They hold up under any scheduling delay:
// an offender holds the hub until the detector has reported it (however late
// the monitor gets the CPU), waits poll until the awaited report arrives, and
// reports are looked up by who they name (a busy machine may preempt the
// hub's thread long enough for an extra report about someone else).
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <mutex>
#include <optional>
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

// Bound for the monitor thread to get the CPU on a busy machine.
constexpr std::chrono::seconds kPatience(20);

bool past(std::chrono::steady_clock::time_point deadline) {
  return std::chrono::steady_clock::now() > deadline;
}

// Collects the reports (the monitor thread calls it).
struct Reports {
  std::mutex mu;
  std::vector<debug::BlockingReport> all;
  std::atomic<int> blocking{0};
  // While false, the monitor thread stays in the report callback (after
  // recording the report): it cannot sample the hub meanwhile.
  std::atomic<bool> monitor_may_go{true};
  debug::BlockingOptions options() {
    debug::BlockingOptions o;
    o.report = [this](const debug::BlockingReport& r) {
      std::fputs(debug::format_blocking_report(r).c_str(), stderr);
      {
        std::lock_guard lock(mu);
        all.push_back(r);
        if (!r.released) ++blocking;
      }
      const auto give_up = std::chrono::steady_clock::now() + kPatience;
      while (!monitor_may_go.load() && !past(give_up)) {
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
      }
    };
    return o;
  }
  // The first report about greenthread `id` (-1: a callback) with this
  // `released` flag.
  std::optional<debug::BlockingReport> find(std::int64_t id, bool released) {
    std::lock_guard lock(mu);
    for (const auto& r : all) {
      if (r.greenthread_id == id && r.released == released) return r;
    }
    return std::nullopt;
  }
};

// The greenthread id of the caller, -1 in the hub greenlet (a callback).
std::int64_t who_am_i() {
  eventlet::Hub& hub = eventlet::Hub::current();
  return hub.in_hub_greenlet() ? -1 : eventlet::getcurrent().id();
}

// Holds the hub on the CPU until the detector reported the caller, then for
// `then_ms` more.
[[gnu::noinline]] void spin_until_reported(Reports* reports, int then_ms = 0) {
  const std::int64_t me = who_am_i();
  const auto give_up = std::chrono::steady_clock::now() + kPatience;
  while (!reports->find(me, false) && !past(give_up)) asm volatile("");
  const auto until =
      std::chrono::steady_clock::now() + std::chrono::milliseconds(then_ms);
  while (!past(until)) asm volatile("");
}

// The same, in a system call that sleeps.
[[gnu::noinline]] void usleep_until_reported(Reports* reports) {
  const std::int64_t me = who_am_i();
  const auto give_up = std::chrono::steady_clock::now() + kPatience;
  while (!reports->find(me, false) && !past(give_up)) ::usleep(5000);
}

// Lets the hub idle in its poll until `done` holds (or kPatience passed).
template <typename Pred>
void idle_until(Pred done) {
  const auto give_up = std::chrono::steady_clock::now() + kPatience;
  while (!done() && !past(give_up)) eventlet::sleep(absl::Milliseconds(5));
}

TEST(Blocking, CatchesACpuBoundGreenthread) {
  Reports reports;
  debug::hub_blocking_detection(true, absl::Milliseconds(10),
                                reports.options());
  // Holds the hub 50 ms past its report, so the episode lasts that long at
  // least, however late the monitor first looked.
  auto g = eventlet::spawn([&] { spin_until_reported(&reports, 50); });
  g.set_name("spinner");
  g.wait();
  idle_until([&] { return reports.find(g.id(), true).has_value(); });
  debug::hub_blocking_detection(false);
  const auto r = reports.find(g.id(), false);
  ASSERT_TRUE(r.has_value());
  EXPECT_THAT(r->who, HasSubstr("(spinner)"));
  EXPECT_GE(r->held, absl::Milliseconds(10));
  EXPECT_THAT(r->kernel_state, HasSubstr("running"));
  std::string stack;
  for (const auto& f : r->stack) stack += f + "\n";
  EXPECT_THAT(stack, HasSubstr("spin_until_reported"));
  const auto released = reports.find(g.id(), true);
  ASSERT_TRUE(released.has_value());
  EXPECT_THAT(released->who, HasSubstr("(spinner)"));
  EXPECT_GE(released->held, absl::Milliseconds(50));
  debug::ExpectHubEmpty();
}

// The monitor thread may not get the CPU while an episode lasts (here it is
// held in a report callback): the hub records the episode when it ends, and
// the monitor reports it when it can.
TEST(Blocking, ReportsAnEpisodeTheMonitorCouldNotWatch) {
  Reports reports;
  reports.monitor_may_go = false;  // after its first report
  debug::hub_blocking_detection(true, absl::Milliseconds(10),
                                reports.options());
  auto first = eventlet::spawn([&] { spin_until_reported(&reports); });
  auto unseen = eventlet::spawn([] {
    const auto until =
        std::chrono::steady_clock::now() + std::chrono::milliseconds(50);
    while (!past(until)) asm volatile("");
  });
  unseen.set_name("unseen");
  first.wait();
  unseen.wait();
  reports.monitor_may_go = true;
  idle_until([&] { return reports.find(unseen.id(), true).has_value(); });
  debug::hub_blocking_detection(false);
  const auto r = reports.find(unseen.id(), false);
  ASSERT_TRUE(r.has_value());
  EXPECT_THAT(r->who, HasSubstr("(unseen)"));
  EXPECT_GE(r->held, absl::Milliseconds(50));
  EXPECT_THAT(r->kernel_state, HasSubstr("not sampled"));
  const auto released = reports.find(unseen.id(), true);
  ASSERT_TRUE(released.has_value());
  EXPECT_GE(released->held, absl::Milliseconds(50));
}

TEST(Blocking, CatchesASleepingSyscall) {
  Reports reports;
  debug::hub_blocking_detection(true, absl::Milliseconds(10),
                                reports.options());
  auto g = eventlet::spawn([&] { usleep_until_reported(&reports); });
  g.set_name("napper");
  g.wait();
  debug::hub_blocking_detection(false);
  const auto r = reports.find(g.id(), false);
  ASSERT_TRUE(r.has_value());
  EXPECT_THAT(r->who, HasSubstr("(napper)"));
  std::string stack;
  for (const auto& f : r->stack) stack += f + "\n";
  EXPECT_THAT(stack, HasSubstr("usleep_until_reported"));
}

// No greenthread here holds the hub for more than microseconds, but the
// kernel may preempt the hub's thread for tens of milliseconds on a busy
// machine: the resolution is generous, and the idle wait three times it.
TEST(Blocking, QuietForAWellBehavedWorkload) {
  Reports reports;
  debug::hub_blocking_detection(true, absl::Milliseconds(500),
                                reports.options());
  std::vector<eventlet::GreenThread<void>> workers;
  for (int i = 0; i < 10; ++i) {
    workers.push_back(eventlet::spawn([] {
      for (int j = 0; j < 100; ++j) eventlet::sleep(absl::Milliseconds(10));
    }));
  }
  for (auto& w : workers) w.wait();
  eventlet::sleep(absl::Milliseconds(1500));  // idle in the poll: not blocking
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
      spin_until_reported(&reports);
      // The error lands in one of these sleeps, when the monitor's post
      // arrives.
      const auto give_up = std::chrono::steady_clock::now() + kPatience;
      while (!past(give_up)) eventlet::sleep(absl::Milliseconds(5));
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
    EXPECT_TRUE(reports.find(g.id(), false).has_value());
  });
  t.join();
}

TEST(Blocking, NamesATimerCallback) {
  Reports reports;
  debug::hub_blocking_detection(true, absl::Milliseconds(10),
                                reports.options());
  bool ran = false;
  eventlet::Hub::current().schedule_call_global(absl::ZeroDuration(), [&] {
    spin_until_reported(&reports);
    ran = true;
  });
  idle_until([&] { return ran; });
  debug::hub_blocking_detection(false);
  const auto r = reports.find(-1, false);
  ASSERT_TRUE(r.has_value());
  EXPECT_THAT(r->who, HasSubstr("timer callback"));
}

}  // namespace
