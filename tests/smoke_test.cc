#include <string>
#include <vector>

#include "greenthread/event.h"
#include "greenthread/greenthread.h"
#include "greenthread/timeout.h"
#include "gtest/gtest.h"
#include "sim/sim_gtest.h"

namespace eventlet {
namespace {

// Both assert eventlet's FIFO order (sleep() lets the spawned greenthreads
// run first), on the simulated clock: the fifo schedule only.

SIM_TEST_OPTS(Smoke, SpawnOrder, .sweep = false) {
  std::vector<std::string> log;
  auto worker = [&](std::string name) {
    log.push_back("start " + name);
    sleep();
    log.push_back("resume " + name);
    return name;
  };
  auto a = spawn(worker, "a");
  auto b = spawn(worker, "b");
  spawn_n(worker, "c");
  log.push_back("main sleep");
  sleep();
  log.push_back("main back1");
  sleep();
  log.push_back("main back2");
  EXPECT_EQ(a.wait(), "a");
  EXPECT_EQ(b.wait(), "b");
  std::vector<std::string> want = {"main sleep", "start a",    "start b",
                                   "start c",    "main back1", "resume a",
                                   "resume b",   "resume c",   "main back2"};
  EXPECT_EQ(log, want);
}

SIM_TEST_OPTS(Smoke, KillAndTimeout, .sweep = false) {
  bool finally_ran = false;
  auto g = spawn([&] {
    struct F {
      bool& f;
      ~F() { f = true; }
    } fin{finally_ran};
    sleep(absl::Seconds(10));
  });
  sleep();
  g.kill();
  EXPECT_TRUE(finally_ran);
  EXPECT_TRUE(g.dead());
  EXPECT_THROW(g.wait(), GreenletExit);
  bool timed_out = false;
  try {
    Timeout t(absl::Milliseconds(5));
    sleep(absl::Seconds(5));
  } catch (const TimeoutExpired&) {
    timed_out = true;
  }
  EXPECT_TRUE(timed_out);
  Event<int> ev;
  spawn([&] { ev.send(7); });
  EXPECT_EQ(ev.wait(), 7);
  Event<int> never;
  EXPECT_FALSE(never.wait(absl::Milliseconds(2)).has_value());
}

}  // namespace
}  // namespace eventlet
