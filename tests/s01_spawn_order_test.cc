// Ports oracle scenario S01 (/work/shared/oracle/s01_spawn_order.py, expected
// output out/s01_spawn_order.txt): the order in which spawned greenthreads
// first run relative to their spawner, and nested spawns.
//
// Every printed line is compared. Python's `bool(a)` (a greenlet is truthy
// while it is started and not dead) maps to `a.started() && !a.dead()`.
#include <string>
#include <vector>

#include "greenthread/greenthread.h"
#include "gtest/gtest.h"
#include "sim/sim_gtest.h"
#include "tests/oracle_format.h"

namespace eventlet {
namespace {

using oracle::PyBool;

// out/s01_spawn_order.txt, verbatim.
const std::vector<std::string> kExpected = {
    "main: spawning a, b (spawn) and c (spawn_n)",
    "main: after spawns; a started? False a.dead? False",
    "main: doing more work without yielding",
    "main: sleep(0) #1",
    "  start a",
    "  start b",
    "  start c",
    "  start d",
    "main: back from sleep(0) #1",
    "  resume a",
    "  resume b",
    "  resume c",
    "  resume d",
    "main: back from sleep(0) #2",
    "main: back from sleep(0) #3",
    "results a b d",
    "--- nested spawn: child spawned by a greenthread runs after the parent "
    "yields",
    "  parent start",
    "  parent continues (child not yet run)",
    "  child runs",
    "  parent resumed",
    "main: parent done",
};

// Eventlet's order is FIFO: on the simulated clock, the fifo schedule only.
SIM_TEST_OPTS(S01SpawnOrder, MatchesEventlet, .sweep = false) {
  std::vector<std::string> log;
  auto worker = [&log](std::string name) {
    log.push_back("  start " + name);
    sleep();
    log.push_back("  resume " + name);
    return name;
  };

  log.push_back("main: spawning a, b (spawn) and c (spawn_n)");
  auto a = spawn(worker, "a");
  auto b = spawn(worker, "b");
  spawn_n(worker, "c");
  log.push_back("main: after spawns; a started? " +
                PyBool(a.started() && !a.dead()) + " a.dead? " +
                PyBool(a.dead()));
  log.push_back("main: doing more work without yielding");
  auto d = spawn(worker, "d");
  log.push_back("main: sleep(0) #1");
  sleep();
  log.push_back("main: back from sleep(0) #1");
  sleep();
  log.push_back("main: back from sleep(0) #2");
  sleep();
  log.push_back("main: back from sleep(0) #3");
  log.push_back("results " + a.wait() + " " + b.wait() + " " + d.wait());

  log.push_back(
      "--- nested spawn: child spawned by a greenthread runs after the parent "
      "yields");
  auto p = spawn([&log] {
    log.push_back("  parent start");
    spawn([&log] { log.push_back("  child runs"); });
    log.push_back("  parent continues (child not yet run)");
    sleep();
    log.push_back("  parent resumed");
  });
  p.wait();
  log.push_back("main: parent done");

  EXPECT_EQ(log, kExpected);
}

}  // namespace
}  // namespace eventlet
