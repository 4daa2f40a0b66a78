// Ports oracle scenario S02 (/work/shared/oracle/s02_sleep0_roundrobin.py,
// expected output out/s02_sleep0_roundrobin.txt): sleep(0) yields and every
// runnable greenthread, main included, runs round-robin; a greenthread that
// never yields starves everyone else.
//
// Every printed line is compared. It runs on the simulated clock (SIM_TEST,
// fifo: eventlet's order), where the final sleep(0.01) lasts exactly 10 ms.
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "greenthread/greenthread.h"
#include "gtest/gtest.h"
#include "sim/sim_gtest.h"

namespace eventlet {
namespace {

// out/s02_sleep0_roundrobin.txt, verbatim.
const std::vector<std::string> kExpected = {
    "main 0",
    "A 0",
    "B 0",
    "C 0",
    "main 1",
    "A 1",
    "B 1",
    "C 1",
    "main 2",
    "A 2",
    "B 2",
    "C 2",
    "main 3",
    "A done",
    "B done",
    "C done",
    "--- a greenthread that never yields starves everyone else",
    "X 0",
    "hog start",
    "hog busy 0",
    "hog busy 1",
    "hog busy 2",
    "hog end",
    "main after one sleep(0)",
    "X 1",
    "X done",
    "main end",
};

SIM_TEST_OPTS(S02Sleep0RoundRobin, MatchesEventlet, .sweep = false) {
  std::vector<std::string> log;
  auto loop = [&log](std::string name, int n) {
    for (int i = 0; i < n; ++i) {
      log.push_back(name + " " + std::to_string(i));
      sleep();
    }
    log.push_back(name + " done");
  };
  for (const char* name : {"A", "B", "C"}) spawn(loop, std::string(name), 3);
  for (int i = 0; i < 4; ++i) {
    log.push_back("main " + std::to_string(i));
    sleep();
  }

  log.push_back("--- a greenthread that never yields starves everyone else");
  auto hog = [&log] {
    log.push_back("hog start");
    for (int i = 0; i < 3; ++i) log.push_back("hog busy " + std::to_string(i));
    log.push_back("hog end");
  };
  spawn(loop, std::string("X"), 2);
  spawn(hog);
  sleep();
  log.push_back("main after one sleep(0)");
  sleep(absl::Milliseconds(10));
  log.push_back("main end");

  EXPECT_EQ(log, kExpected);
}

}  // namespace
}  // namespace eventlet
