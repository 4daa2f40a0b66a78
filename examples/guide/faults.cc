#include <cstdint>
#include <cstdio>

#include "greenthread/greenthread.h"
#include "sim/buggify.h"
#include "sim/explore.h"
#include "sim/invariant.h"

namespace sim = eventlet::sim;

// Two transfers from account a to account b. Each writes an audit record,
// which is sometimes slow: a switch point that only buggify adds. Written
// between the debit and the credit, it lets a pass boundary see the money
// in flight.
void Bank(bool audit_first) {
  int a = 100, b = 0;
  sim::Invariant conserved("money is conserved", [&] { return a + b == 100; });
  sim::StateHash state([&] { return static_cast<std::uint64_t>(a); });
  auto audit = [] {
    if (EVENTLET_BUGGIFY) eventlet::sleep();  // a slow write, sometimes
  };
  auto transfer = [&](int amount) {
    if (audit_first) audit();
    a -= amount;
    if (!audit_first) audit();
    b += amount;
  };
  auto first = eventlet::spawn([&] { transfer(10); });
  auto second = eventlet::spawn([&] { transfer(20); });
  first.wait();
  second.wait();
}

int main() {
  sim::ExploreOptions o;
  o.seeds = 40;
  o.quiet = true;
  o.all_seeds = true;
  const sim::ExploreResult broken = sim::explore([] { Bank(false); }, o);
  std::printf(
      "audit in the middle: %zu of %d seeds fail, first seed %llu: %s\n",
      broken.failures.size(), broken.runs,
      static_cast<unsigned long long>(broken.seed),
      broken.result.error.c_str());
  std::printf("  %s\n", broken.coverage().c_str());

  o.seeds = 200;
  o.stop_after_stale = 20;
  const sim::ExploreResult fixed = sim::explore([] { Bank(true); }, o);
  std::printf("audit first: %s%s\n", fixed.failed ? "fails; " : "",
              fixed.coverage().c_str());
  std::printf("  stopped early: %s\n", fixed.stopped_early ? "yes" : "no");
  std::printf("outside a simulation EVENTLET_BUGGIFY is %s\n",
              EVENTLET_BUGGIFY ? "true" : "false");
}
