// Ports oracle scenario S07 (/work/shared/oracle/s07_imap_pile.py, expected
// output out/s07_imap_pile.txt): imap / starmap yield results in input order,
// an exception in imap surfaces at its item, GreenPile yields in spawn order.
//
// The scenario runs on the simulated clock (SIM_TEST, sim/sim_gtest.h): sleeps
// last exactly their delay, so the timestamps ("    0.02 finished c", "  got a
// at 0.06", eventlet's wall-clock offsets rounded to 10 ms) are printed from
// Hub::current().now() the same way and compared exactly — every line of the
// oracle output matches, with these mappings:
//  * Each Python traceback the hub prints (an exception escaped a pool
//    greenthread) corresponds to our hub's exception hook: the test installs
//    a hook that logs "HOOK: <describe_exception>", and the expected output
//    has that one line where the traceback was (two tracebacks -> two lines).
//  * ValueError('x=2') -> std::invalid_argument("x=2").
//  * pool.imap(None, a, b) (yields tuples) -> imap with a function that
//    returns std::make_tuple(a, b); our imap has no None form.
//  * starmap(pow, ...) -> starmap over std::tuple<int, int> with an integer
//    power function.
//  * Python's reprs of lists, tuples and strings are spelled out by Py*().
// "GreenPile is single-use-ish: iterating again -> []" holds for ours too: a
// result is dropped once read.
#include <cstddef>
#include <stdexcept>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "absl/strings/str_format.h"
#include "absl/time/time.h"
#include "greenthread/greenthread.h"
#include "gtest/gtest.h"
#include "hub/errors.h"
#include "hub/hub.h"
#include "pool/green_pile.h"
#include "pool/green_pool.h"
#include "sim/sim_gtest.h"
#include "tests/oracle_format.h"

namespace eventlet {
namespace {

// Python's str() and repr() of the values the scenario prints.
std::string PyStr(const std::string& s) { return s; }
std::string PyStr(int i) { return std::to_string(i); }
std::string PyRepr(const std::string& s) { return "'" + s + "'"; }
std::string PyRepr(int i) { return std::to_string(i); }
std::string PyRepr(const std::tuple<int, int>& t) {
  return absl::StrFormat("(%d, %d)", std::get<0>(t), std::get<1>(t));
}
template <typename T>
std::string PyList(const std::vector<T>& items) {
  std::string out = "[";
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i) out += ", ";
    out += PyRepr(items[i]);
  }
  return out + "]";
}

// Python's list(iterable) for a GreenMap or a GreenPile.
template <typename Iterable>
auto List(Iterable&& iterable) {
  std::vector<std::remove_cvref_t<decltype(*iterable.begin())>> out;
  for (const auto& item : iterable) out.push_back(item);
  return out;
}

// out/s07_imap_pile.txt, each traceback replaced by a HOOK line.
const std::vector<std::string> kExpected = {
    "imap: items finish in order c,b,a but results are yielded in INPUT "
    "order:",
    "    0.02 finished c",
    "    0.04 finished b",
    "    0.06 finished a",
    "  got a at 0.06",
    "  got b at 0.06",
    "  got c at 0.06",
    "imap over multiple iterables stops at the shortest (zip): [11, 22]",
    "imap(None, ...) yields tuples: [(1, 3), (2, 4)]",
    "starmap: [8, 9, 1]",
    "    0.08 finished 1",
    "    0.09 finished 2",
    "    0.09 finished 3",
    "imap with pool size 1 still ordered: [1, 2, 3]",
    "imap where one item raises: exception re-raised at that position in "
    "iteration",
    "  got 1",
    // Traceback ... ValueError: x=2 (printed by eventlet's hub)
    "HOOK: std::invalid_argument: x=2",
    "  iteration raised ValueError x=2",
    "GreenPile: results in spawn order",
    "    0.10 finished q",
    "    0.11 finished r",
    "    0.12 finished p",
    "  list(pile) = ['p', 'q', 'r']",
    "  GreenPile is single-use-ish: iterating again -> []",
    "    0.13 finished 0",
    "    0.13 finished 1",
    "    0.14 finished 2",
    "    0.14 finished 3",
    "  standalone GreenPile(2): [0, 1, 2, 3] at 0.14",
    "GreenPile with a failing job raises on next():",
    // Traceback ... ValueError: x=2 (printed by eventlet's hub)
    "HOOK: std::invalid_argument: x=2",
    "  raised x=2 after [1]",
};

void Scenario(std::vector<std::string>& log) {
  oracle::LogHubExceptions(log);
  const oracle::Elapsed t;
  auto slow = [&log, &t](auto x, absl::Duration d) {
    sleep(d);
    log.push_back("    " + t() + " finished " + PyStr(x));
    return x;
  };
  auto maybe_fail = [](int x) {
    if (x == 2) throw std::invalid_argument("x=2");
    return x;
  };
  const absl::Duration ms0 = absl::ZeroDuration();
  const absl::Duration ms10 = absl::Milliseconds(10);
  const absl::Duration ms20 = absl::Milliseconds(20);
  const absl::Duration ms30 = absl::Milliseconds(30);

  GreenPool pool(10);
  log.push_back(
      "imap: items finish in order c,b,a but results are yielded in INPUT "
      "order:");
  for (const std::string& r :
       pool.imap(slow, std::vector<std::string>{"a", "b", "c"},
                 std::vector<absl::Duration>{absl::Milliseconds(60),
                                             absl::Milliseconds(40), ms20})) {
    log.push_back("  got " + r + " at " + t());
  }
  log.push_back("imap over multiple iterables stops at the shortest (zip): " +
                PyList(List(pool.imap([](int a, int b) { return a + b; },
                                      std::vector<int>{1, 2, 3},
                                      std::vector<int>{10, 20}))));
  // imap(None, ...) -> a function that makes the tuple (see file comment).
  log.push_back(
      "imap(None, ...) yields tuples: " +
      PyList(List(pool.imap([](int a, int b) { return std::make_tuple(a, b); },
                            std::vector<int>{1, 2}, std::vector<int>{3, 4}))));
  auto int_pow = [](int base, int exp) {
    int r = 1;
    while (exp-- > 0) r *= base;
    return r;
  };
  log.push_back("starmap: " + PyList(List(pool.starmap(
                                  int_pow, std::vector<std::tuple<int, int>>{
                                               {2, 3}, {3, 2}, {10, 0}}))));
  {
    GreenPool pool1(1);
    std::vector<int> ordered =
        List(pool1.imap(slow, std::vector<int>{1, 2, 3},
                        std::vector<absl::Duration>{ms20, ms10, ms0}));
    log.push_back("imap with pool size 1 still ordered: " + PyList(ordered));
  }

  log.push_back(
      "imap where one item raises: exception re-raised at that position in "
      "iteration");
  try {
    for (int r : pool.imap(maybe_fail, std::vector<int>{1, 2, 3})) {
      log.push_back("  got " + std::to_string(r));
    }
  } catch (const std::invalid_argument& e) {
    log.push_back(std::string("  iteration raised ValueError ") + e.what());
  }

  log.push_back("GreenPile: results in spawn order");
  {
    GreenPile<std::string> pile(pool);
    for (const auto& [x, d] :
         std::vector<std::pair<std::string, absl::Duration>>{
             {"p", ms30}, {"q", ms10}, {"r", ms20}}) {
      pile.spawn(slow, x, d);
    }
    log.push_back("  list(pile) = " + PyList(List(pile)));
    log.push_back("  GreenPile is single-use-ish: iterating again -> " +
                  PyList(List(pile)));
  }
  {
    GreenPile<int> pile(2);
    for (int i = 0; i < 4; ++i) pile.spawn(slow, i, ms10);
    std::vector<int> results = List(pile);
    log.push_back("  standalone GreenPile(2): " + PyList(results) + " at " +
                  t());
  }

  log.push_back("GreenPile with a failing job raises on next():");
  {
    GreenPile<int> pile;
    pile.spawn(maybe_fail, 1);
    pile.spawn(maybe_fail, 2);
    pile.spawn(maybe_fail, 3);
    std::vector<int> out;
    try {
      for (int r : pile) out.push_back(r);
    } catch (const std::invalid_argument& e) {
      log.push_back(std::string("  raised ") + e.what() + " after " +
                    PyList(out));
    }
  }

  pool.waitall();
  Hub::current().set_exception_hook(nullptr);
}

// Eventlet's order is FIFO: the fifo schedule only.
SIM_TEST_OPTS(S07ImapPile, MatchesEventlet, .sweep = false) {
  std::vector<std::string> log;
  Scenario(log);
  EXPECT_EQ(log, kExpected);
}

}  // namespace
}  // namespace eventlet
