// Copyright 2026 The eventlet-cpp Authors.
//
// interleave: the runtime's first demo. Green threads share one OS thread and
// take turns only where they block or yield; this program prints who runs when.
//
//   ./bazelw run //examples:interleave -- --workers=3 --rounds=3
#include <cstdio>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_format.h"
#include "absl/time/time.h"
#include "greenthread/event.h"
#include "greenthread/greenthread.h"
#include "greenthread/timeout.h"
#include "hub/hub.h"

ABSL_FLAG(int, workers, 3, "green threads taking turns");
ABSL_FLAG(int, rounds, 3, "sleep(0) rounds per worker");

namespace {

// Milliseconds since the program started, on the hub's clock.
double elapsed_ms(absl::Duration start) {
  return absl::ToDoubleMilliseconds(eventlet::Hub::current().now() - start);
}

}  // namespace

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  const int workers = absl::GetFlag(FLAGS_workers);
  const int rounds = absl::GetFlag(FLAGS_rounds);
  const absl::Duration start = eventlet::Hub::current().now();

  std::printf(
      "1. sleep(0) is a cooperative yield: everything runnable takes a "
      "turn.\n");
  std::vector<eventlet::GreenThread<int>> threads;
  for (int w = 0; w < workers; ++w) {
    threads.push_back(eventlet::spawn([w, rounds] {
      for (int r = 0; r < rounds; ++r) {
        std::printf("   worker %d (greenthread %lld) round %d\n", w,
                    static_cast<long long>(eventlet::getcurrent().id()), r);
        eventlet::sleep();
      }
      return w * w;
    }));
  }
  std::printf("   main: spawned %d workers; none has run yet\n", workers);
  int sum = 0;
  for (auto& t : threads) sum += t.wait();
  std::printf("   main: every worker done, sum of results %d\n", sum);

  std::printf("2. Timers: sleepers wake in deadline order, not spawn order.\n");
  std::vector<eventlet::GreenThread<void>> sleepers;
  for (int ms : {30, 10, 20}) {
    sleepers.push_back(eventlet::spawn([ms, start] {
      eventlet::sleep(absl::Milliseconds(ms));
      std::printf("   woke after %d ms (t=%.0f ms)\n", ms, elapsed_ms(start));
    }));
  }
  for (auto& s : sleepers) s.wait();

  std::printf("3. An Event hands a value from one green thread to others.\n");
  eventlet::Event<std::string> ready;
  auto waiter = [&ready](int n) {
    std::printf("   waiter %d waits\n", n);
    std::printf("   waiter %d got \"%s\"\n", n, ready.wait().c_str());
  };
  auto w1 = eventlet::spawn(waiter, 1);
  auto w2 = eventlet::spawn(waiter, 2);
  eventlet::sleep();
  std::printf("   main sends (send never yields)\n");
  ready.send("hello");
  w1.wait();
  w2.wait();

  std::printf(
      "4. A Timeout interrupts a green thread at its next blocking call.\n");
  try {
    eventlet::Timeout timeout(absl::Milliseconds(15));
    eventlet::sleep(absl::Seconds(10));
  } catch (const eventlet::TimeoutExpired& e) {
    std::printf("   main: timed out after %s (t=%.0f ms)\n", e.what(),
                elapsed_ms(start));
  }

  std::printf(
      "5. kill() unwinds a green thread's stack at the point where it "
      "waits.\n");
  auto victim = eventlet::spawn([] {
    struct Cleanup {
      ~Cleanup() { std::printf("   victim: destructor ran during kill\n"); }
    } cleanup;
    eventlet::sleep(absl::Hours(1));
  });
  eventlet::sleep();
  victim.kill();
  std::printf("   main: victim dead = %s\n", victim.dead() ? "true" : "false");
  std::printf("done in %.0f ms on one OS thread\n", elapsed_ms(start));
  return 0;
}
