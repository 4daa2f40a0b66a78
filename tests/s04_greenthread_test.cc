// Ports oracle scenario S04 (/work/shared/oracle/s04_greenthread.py, expected
// output out/s04_greenthread.txt): GreenThread wait / kill / cancel / link,
// and exceptions escaping greenthreads.
//
// Mappings (every line is compared, after these substitutions):
//  * Each Python traceback that eventlet's hub prints to stderr (the hub
//    reports an exception that escaped a greenthread) corresponds to our
//    hub's exception hook: the test installs a hook that appends
//    "HOOK: <describe_exception>" to the log, and the expected output has
//    that one line where the traceback was (three tracebacks -> three lines).
//  * ValueError('boom') -> std::invalid_argument("boom"); KeyError('custom')
//    -> std::out_of_range("custom"). The log lines keep Python's wording;
//    Python's str(KeyError(x)) quotes its argument, hence PyKeyError().
//  * greenlet.GreenletExit -> eventlet::GreenletExit; its repr
//    "GreenletExit()" is spelled out.
//  * `greenthread.getcurrent() is gt` -> comparing greenlet ids.
//  * unlink(cb) of a function never linked -> unlink(id) of an id never
//    returned by link() (ours unlinks by id, not by function).
//  * Python lists print as ['a', 'b'] (PyList).
#include <exception>
#include <stdexcept>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "greenthread/greenthread.h"
#include "gtest/gtest.h"
#include "hub/errors.h"
#include "hub/hub.h"
#include "sim/sim_gtest.h"
#include "tests/oracle_format.h"

namespace eventlet {
namespace {

using oracle::PyBool;
using oracle::PyKeyError;
using oracle::PyList;

// out/s04_greenthread.txt, with each traceback replaced by a HOOK line.
const std::vector<std::string> kExpected = {
    "1. wait() returns the return value: 42",
    "2. exception in a spawned greenthread (traceback goes to stderr):",
    // Traceback ... ValueError: boom
    "HOOK: std::invalid_argument: boom",
    "   g.dead = True",
    "   wait() re-raised ValueError: boom",
    "   wait() again re-raises again: boom",
    "3. kill() a not-yet-started greenthread: function never runs",
    "   after kill: dead=True ran=[]",
    "   wait() raised GreenletExit GreenletExit()",
    "   after sleep, ran = []",
    "4. kill() a sleeping greenthread: GreenletExit raised at its switch "
    "point; finally runs; killer yields",
    "   sleeper: sleeping",
    "   main: calling kill",
    "   sleeper: got GreenletExit",
    "   sleeper: finally",
    "   main: kill returned; dead = True",
    "   wait() raised GreenletExit",
    "5. kill with a custom exception; wait() raises it",
    // Traceback ... KeyError: 'custom'
    "HOOK: std::out_of_range: custom",
    "   wait raised KeyError 'custom'",
    "6. a greenthread that swallows GreenletExit and returns a value",
    "   wait -> swallowed",
    "7. cancel(): only effective before start",
    "   cancelled spawn_after: wait raised GreenletExit",
    "   cancel after start has no effect; wait -> 2",
    "8. kill() on a dead greenthread is a no-op and does NOT yield",
    "   order ['after-kill-of-dead', 'other']",
    "   kill() of a live one DOES yield (others run before kill returns):",
    "   order ['other', 'after-kill-of-live']",
    "9. link(): callbacks run in the dying greenthread, FIFO, right after "
    "result is stored",
    "   main: linked, now waiting",
    "   work runs",
    "   link cb first current is gt? True result R",
    "   link cb second current is gt? True result R",
    "   main: wait -> R",
    "   link() on an already-finished greenthread runs the callback "
    "immediately in the caller:",
    "   link cb late current is gt? False result R",
    "   main: after late link",
    "   link callback on exception (cb sees exception via gt.wait()):",
    "   exc link cb: wait raised ValueError boom",
    // Traceback ... ValueError: boom (printed after the link callbacks ran)
    "HOOK: std::invalid_argument: boom",
    "   unlink of a never-linked func returns: False",
};

// Eventlet's order is FIFO: on the simulated clock, the fifo schedule only.
SIM_TEST_OPTS(S04GreenThread, MatchesEventlet, .sweep = false) {
  std::vector<std::string> log;
  oracle::LogHubExceptions(log);
  auto ok = [](int x) {
    sleep(absl::Milliseconds(10));
    return x * 2;
  };
  auto boom = [] {
    sleep();
    throw std::invalid_argument("boom");
  };

  log.push_back("1. wait() returns the return value: " +
                std::to_string(spawn(ok, 21).wait()));

  log.push_back(
      "2. exception in a spawned greenthread (traceback goes to stderr):");
  {
    auto g = spawn(boom);
    sleep(absl::Milliseconds(10));
    log.push_back("   g.dead = " + PyBool(g.dead()));
    try {
      g.wait();
    } catch (const std::invalid_argument& e) {
      log.push_back(std::string("   wait() re-raised ValueError: ") + e.what());
    }
    try {
      g.wait();
    } catch (const std::invalid_argument& e) {
      log.push_back(std::string("   wait() again re-raises again: ") +
                    e.what());
    }
  }

  log.push_back("3. kill() a not-yet-started greenthread: function never runs");
  {
    std::vector<std::string> ran;
    auto g = spawn([&ran] { ran.push_back("ran"); });
    g.kill();
    log.push_back("   after kill: dead=" + PyBool(g.dead()) +
                  " ran=" + PyList(ran));
    try {
      g.wait();
      log.push_back("   wait -> None");
    } catch (const GreenletExit&) {
      log.push_back("   wait() raised GreenletExit GreenletExit()");
    }
    sleep(absl::Milliseconds(10));
    log.push_back("   after sleep, ran = " + PyList(ran));
  }

  log.push_back(
      "4. kill() a sleeping greenthread: GreenletExit raised at its switch "
      "point; finally runs; killer yields");
  {
    auto g = spawn([&log] {
      struct Finally {
        std::vector<std::string>& log;
        ~Finally() { log.push_back("   sleeper: finally"); }
      } finally{log};
      try {
        log.push_back("   sleeper: sleeping");
        sleep(absl::Seconds(10));
      } catch (const GreenletExit&) {
        log.push_back("   sleeper: got GreenletExit");
        throw;
      }
    });
    sleep();
    log.push_back("   main: calling kill");
    g.kill();
    log.push_back("   main: kill returned; dead = " + PyBool(g.dead()));
    try {
      g.wait();
      log.push_back("   wait -> None");
    } catch (const GreenletExit&) {
      log.push_back("   wait() raised GreenletExit");
    }
  }

  log.push_back("5. kill with a custom exception; wait() raises it");
  {
    auto g = spawn([] { sleep(absl::Seconds(10)); });
    sleep();
    g.kill(std::make_exception_ptr(std::out_of_range("custom")));
    try {
      g.wait();
    } catch (const std::out_of_range& e) {
      log.push_back("   wait raised KeyError " + PyKeyError(e.what()));
    }
  }

  log.push_back(
      "6. a greenthread that swallows GreenletExit and returns a value");
  {
    auto g = spawn([]() -> std::string {
      try {
        sleep(absl::Seconds(10));
      } catch (const GreenletExit&) {
        return "swallowed";
      }
      return "not killed";
    });
    sleep();
    g.kill();
    log.push_back("   wait -> " + g.wait());
  }

  log.push_back("7. cancel(): only effective before start");
  {
    auto g = spawn_after(absl::Milliseconds(10), [&log] {
      log.push_back("   spawn_after ran (should not)");
    });
    g.cancel();
    sleep(absl::Milliseconds(20));
    try {
      g.wait();
    } catch (const GreenletExit&) {
      log.push_back("   cancelled spawn_after: wait raised GreenletExit");
    }
    auto g2 = spawn(ok, 1);
    sleep();
    g2.cancel();
    log.push_back("   cancel after start has no effect; wait -> " +
                  std::to_string(g2.wait()));
  }

  log.push_back(
      "8. kill() on a dead greenthread is a no-op and does NOT yield");
  {
    auto g = spawn(ok, 2);
    g.wait();
    std::vector<std::string> order;
    spawn([&order] { order.push_back("other"); });
    g.kill();
    order.push_back("after-kill-of-dead");
    sleep();
    log.push_back("   order " + PyList(order));
  }
  log.push_back(
      "   kill() of a live one DOES yield (others run before kill returns):");
  {
    std::vector<std::string> order;
    auto g = spawn([] { sleep(absl::Seconds(10)); });
    sleep();
    spawn([&order] { order.push_back("other"); });
    g.kill();
    order.push_back("after-kill-of-live");
    log.push_back("   order " + PyList(order));
  }

  log.push_back(
      "9. link(): callbacks run in the dying greenthread, FIFO, right after "
      "result is stored");
  {
    auto cb = [&log](const GreenThread<std::string>& gt, const char* tag) {
      log.push_back(std::string("   link cb ") + tag + " current is gt? " +
                    PyBool(getcurrent().id() == gt.id()) + " result " +
                    gt.wait());
    };
    auto g = spawn([&log]() -> std::string {
      log.push_back("   work runs");
      return "R";
    });
    g.link([&cb](const GreenThread<std::string>& gt) { cb(gt, "first"); });
    g.link([&cb](const GreenThread<std::string>& gt) { cb(gt, "second"); });
    log.push_back("   main: linked, now waiting");
    log.push_back("   main: wait -> " + g.wait());
    log.push_back(
        "   link() on an already-finished greenthread runs the callback "
        "immediately in the caller:");
    g.link([&cb](const GreenThread<std::string>& gt) { cb(gt, "late"); });
    log.push_back("   main: after late link");
  }
  log.push_back(
      "   link callback on exception (cb sees exception via gt.wait()):");
  {
    auto g = spawn(boom);
    g.link([&log](const GreenThread<void>& gt) {
      try {
        gt.wait();
      } catch (const std::invalid_argument& e) {
        log.push_back(std::string("   exc link cb: wait raised ValueError ") +
                      e.what());
      }
    });
    sleep(absl::Milliseconds(10));
    // An id link() never returned stands for "a never-linked func".
    log.push_back("   unlink of a never-linked func returns: " +
                  PyBool(spawn(ok, 1).unlink(12345)));
  }

  Hub::current().set_exception_hook(nullptr);
  EXPECT_EQ(log, kExpected);
}

}  // namespace
}  // namespace eventlet
