// Ports oracle scenario S08 (/work/shared/oracle/s08_event.py, expected output
// out/s08_event.txt): Event send / wait / reset / send twice / timeout /
// send_exception / many waiters / a killed waiter.
//
// Lines not compared against eventlet:
//  * "  w2 got X", "  w3 got X", "  w1 got X" and "  order = [8, 10, 1, ...]
//    (FIFO? False )": eventlet keeps Event waiters in a set, so their wake
//    order is undefined (out/s08_extra_orders.txt shows three more runs, all
//    different). eventlet-cpp defines FIFO; the expected list below holds OUR
//    FIFO lines in those places, marked "OURS".
//  * "str(Event): <Event at 0x... ...>": Python's repr, no counterpart.
// Mappings: AssertionError -> std::logic_error (same message texts);
// KeyError('k') -> std::out_of_range("k") (Python's str(KeyError) quotes its
// argument, hence PyKeyError()); ValueError('v') -> std::invalid_argument;
// ev.poll(default) / poll_result(default) -> poll() returning null;
// len(ev._waiters) -> waiting(); send(exc=e) -> send_exception(e).
// Deliberate difference not exercised here (event.h): a reset() between
// send() and the woken waiters running makes them wait again, where eventlet
// hands them the old value.
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "greenthread/event.h"
#include "greenthread/greenthread.h"
#include "gtest/gtest.h"
#include "sim/sim_gtest.h"
#include "tests/oracle_format.h"

namespace eventlet {
namespace {

using oracle::PyBool;
using oracle::PyKeyError;

// out/s08_event.txt, with the undefined-order lines replaced by OUR FIFO
// order and the str(Event) line dropped (see the file comment).
const std::vector<std::string> kExpected = {
    "fresh: ready=False has_result=False has_exception=False poll='notready'",
    "  w1 waiting", "  w2 waiting", "  w3 waiting",
    "main: send(\"X\") -- send() does not yield:",
    "main: after send, waiters not yet woken; ready = True",
    // OURS (FIFO). eventlet printed w2, w3, w1 (set order, undefined).
    "  w1 got X", "  w2 got X", "  w3 got X",
    "main: wait() after send returns immediately: X", "send twice:",
    "  AssertionError: Trying to re-send() an already-triggered event.",
    "reset then send again:", "  ready after reset = False", "  wait -> Z",
    "reset on a fresh event:",
    "  AssertionError: Trying to re-reset() a fresh event.",
    "wait(timeout) with no sender returns None (no exception): None",
    "send_exception:", "  waiter raised KeyError 'k'",
    "  later wait() also raises KeyError 'k'",
    "  has_exception True has_result False poll_result -> n/a",
    "send(exc=...) keyword form:", "  raises ValueError v",
    "wake order of many waiters (Event._waiters is a set -> order not "
    "guaranteed):",
    // OURS (FIFO). eventlet printed
    // "  order = [8, 10, 1, 11, 3, 0, 9, 2, 5, 6, 7, 4] (FIFO? False )".
    "  order = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11] (FIFO? True )",
    "a waiter killed while waiting is removed from the waiters:",
    "  waiters before kill 1", "  waiters after kill 0",
    // Not compared: "str(Event): <Event at 0x... result=NOT_USED _exc=None
    // _waiters[0]>" (Python repr).
};

// Eventlet's order is FIFO: on the simulated clock, the fifo schedule only.
SIM_TEST_OPTS(S08Event, MatchesEventlet, .sweep = false) {
  std::vector<std::string> log;

  Event<std::string> ev;
  {
    const std::string* p = ev.poll();
    log.push_back("fresh: ready=" + PyBool(ev.ready()) +
                  " has_result=" + PyBool(ev.has_result()) +
                  " has_exception=" + PyBool(ev.has_exception()) +
                  " poll=" + (p ? "'" + *p + "'" : "'notready'"));
  }
  auto waiter = [&log](std::string name, Event<std::string>* e) {
    log.push_back("  " + name + " waiting");
    std::string r = e->wait();
    log.push_back("  " + name + " got " + r);
  };
  for (const char* n : {"w1", "w2", "w3"}) spawn(waiter, std::string(n), &ev);
  sleep();
  log.push_back("main: send(\"X\") -- send() does not yield:");
  ev.send("X");
  log.push_back("main: after send, waiters not yet woken; ready = " +
                PyBool(ev.ready()));
  sleep();
  log.push_back("main: wait() after send returns immediately: " + ev.wait());

  log.push_back("send twice:");
  try {
    ev.send("Y");
  } catch (const std::logic_error& e) {
    log.push_back(std::string("  AssertionError: ") + e.what());
  }
  log.push_back("reset then send again:");
  ev.reset();
  log.push_back("  ready after reset = " + PyBool(ev.ready()));
  ev.send("Z");
  log.push_back("  wait -> " + ev.wait());
  log.push_back("reset on a fresh event:");
  try {
    Event<std::string>().reset();
  } catch (const std::logic_error& e) {
    log.push_back(std::string("  AssertionError: ") + e.what());
  }
  {
    std::optional<std::string> r =
        Event<std::string>().wait(absl::Milliseconds(10));
    log.push_back("wait(timeout) with no sender returns None (no exception): " +
                  (r ? "'" + *r + "'" : std::string("None")));
  }

  log.push_back("send_exception:");
  Event<std::string> ev2;
  spawn([&] {
    try {
      ev2.wait();
    } catch (const std::out_of_range& e) {
      log.push_back("  waiter raised KeyError " + PyKeyError(e.what()));
    }
  });
  sleep();
  ev2.send_exception(std::out_of_range("k"));
  sleep();
  try {
    ev2.wait();
  } catch (const std::out_of_range& e) {
    log.push_back("  later wait() also raises KeyError " +
                  PyKeyError(e.what()));
  }
  log.push_back("  has_exception " + PyBool(ev2.has_exception()) +
                " has_result " + PyBool(ev2.has_result()) + " poll_result -> " +
                (ev2.poll() ? *ev2.poll() : "n/a"));

  log.push_back("send(exc=...) keyword form:");
  Event<std::string> ev3;
  ev3.send_exception(std::invalid_argument("v"));
  try {
    ev3.wait();
  } catch (const std::invalid_argument& e) {
    log.push_back(std::string("  raises ValueError ") + e.what());
  }

  log.push_back(
      "wake order of many waiters (Event._waiters is a set -> order not "
      "guaranteed):");
  {
    Event<int> ev4;
    std::vector<int> order;
    for (int i = 0; i < 12; ++i) {
      spawn([&, i] {
        ev4.wait();
        order.push_back(i);
      });
    }
    sleep();
    ev4.send(1);
    sleep();
    std::string line = "  order = [";
    bool sorted = true;
    for (std::size_t i = 0; i < order.size(); ++i) {
      if (i) line += ", ";
      line += std::to_string(order[i]);
      if (i && order[i - 1] > order[i]) sorted = false;
    }
    log.push_back(line + "] (FIFO? " + PyBool(sorted) + " )");
  }

  log.push_back("a waiter killed while waiting is removed from the waiters:");
  {
    Event<std::string> ev5;
    auto g = spawn([&ev5] { ev5.wait(); });
    sleep();
    log.push_back("  waiters before kill " + std::to_string(ev5.waiting()));
    g.kill();
    log.push_back("  waiters after kill " + std::to_string(ev5.waiting()));
  }

  EXPECT_EQ(log, kExpected);
}

}  // namespace
}  // namespace eventlet
