// Copyright 2026 The eventlet-cpp Authors.
//
// idle_memory: what an idle greenthread costs in resident memory.
//
//   ./bazelw run --config=opt //bench:idle_memory -- --n=1000000
//
// Spawns N greenthreads (spawn_n) that each sleep(1 hour), yields until all of
// them have started and parked, and prints the growth of the resident set
// (from /proc/self/statm) per greenthread and how long spawning and starting
// them took:
//
//   1000000 greenthreads: RSS delta X MiB, Y bytes per greenthread,
//   spawn+start took Z ms (CPU C ms)
//
// (C: the process's CPU time over the same span, which a loaded machine
// inflates less than the elapsed time Z; bench/spawn_floor.sh compares both
// with the page-fault floor's.)
//
// The RSS delta includes everything the hub needed for them (stacks, the
// ready queue and the timer heap), not the kernel's page tables (VmPTE is
// printed separately). Then the process exits without tearing the hub down
// (unwinding a million stacks is not what is measured here); --teardown
// measures that too.
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/time/time.h"
#include "greenthread/greenthread.h"
#include "hub/hub.h"

ABSL_FLAG(std::int64_t, n, 100000, "number of idle greenthreads to spawn");
ABSL_FLAG(bool, teardown, false,
          "also time Hub::destroy_current() (unwinds every greenthread)");

namespace {

// Resident set size in bytes, from /proc/self/statm.
std::int64_t rss_bytes() {
  std::FILE* f = std::fopen("/proc/self/statm", "r");
  if (f == nullptr) return -1;
  long size = 0, resident = 0;
  const int got = std::fscanf(f, "%ld %ld", &size, &resident);
  std::fclose(f);
  if (got != 2) return -1;
  return static_cast<std::int64_t>(resident) * sysconf(_SC_PAGESIZE);
}

// CPU time this process has used, in ms.
double cpu_ms() {
  timespec t{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) * 1e3 +
         static_cast<double>(t.tv_nsec) * 1e-6;
}

// A "Vm...:" line of /proc/self/status, in kB (-1 if absent).
long status_kb(const char* key) {
  std::FILE* f = std::fopen("/proc/self/status", "r");
  if (f == nullptr) return -1;
  char line[256];
  long kb = -1;
  const std::size_t len = std::strlen(key);
  while (std::fgets(line, sizeof line, f) != nullptr) {
    if (std::strncmp(line, key, len) == 0) {
      kb = std::atol(line + len);
      break;
    }
  }
  std::fclose(f);
  return kb;
}

}  // namespace

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  const std::int64_t n = absl::GetFlag(FLAGS_n);
  if (n <= 0) {
    std::fprintf(stderr, "idle_memory: --n must be positive\n");
    return 2;
  }
  using Clock = std::chrono::steady_clock;
  eventlet::Hub& hub = eventlet::Hub::current();
  eventlet::sleep();  // one loop pass, so the hub's own setup is done
  const long pte_before = status_kb("VmPTE:");
  const std::int64_t before = rss_bytes();

  std::int64_t started = 0;
  const double cpu0 = cpu_ms();
  const auto t0 = Clock::now();
  for (std::int64_t i = 0; i < n; ++i) {
    eventlet::spawn_n([&started] {
      ++started;
      eventlet::sleep(absl::Hours(1));
    });
  }
  // Each pass starts every greenthread spawned before it; they park in
  // sleep(). Then two more passes, so the hub has moved their timers into
  // its heap and the state measured is the steady one.
  while (started != n) eventlet::sleep();
  eventlet::sleep();
  eventlet::sleep();
  const auto t1 = Clock::now();
  const double cpu = cpu_ms() - cpu0;

  const std::int64_t after = rss_bytes();
  const long pte_after = status_kb("VmPTE:");
  if (hub.greenlet_count() != static_cast<std::size_t>(n)) {
    std::fprintf(stderr, "idle_memory: expected %lld greenlets, hub has %zu\n",
                 static_cast<long long>(n), hub.greenlet_count());
    return 1;
  }
  bool all_parked = true;
  hub.for_each_greenlet([&](const eventlet::Greenlet& g) {
    if (g.id() > 0 && g.state() != eventlet::GreenletState::kSuspended)
      all_parked = false;
  });
  if (!all_parked) {
    std::fprintf(stderr, "idle_memory: not every greenthread is parked\n");
    return 1;
  }

  const double delta = static_cast<double>(after - before);
  const double ms = std::chrono::duration<double, std::milli>(t1 - t0).count();
  std::printf(
      "%lld greenthreads: RSS delta %.1f MiB, %.0f bytes per greenthread, "
      "spawn+start took %.0f ms (CPU %.0f ms)\n",
      static_cast<long long>(n), delta / (1024.0 * 1024.0),
      delta / static_cast<double>(n), ms, cpu);
  std::printf(
      "  (page tables, not in RSS: VmPTE +%ld kB = %.0f bytes per "
      "greenthread; stack size %zu bytes reserved each; %.0f ns per "
      "greenthread)\n",
      pte_after - pte_before,
      static_cast<double>(pte_after - pte_before) * 1024.0 /
          static_cast<double>(n),
      hub.stack_size(), ms * 1e6 / static_cast<double>(n));
  std::fflush(stdout);

  if (absl::GetFlag(FLAGS_teardown)) {
    const auto t2 = Clock::now();
    eventlet::Hub::destroy_current();
    const double td =
        std::chrono::duration<double, std::milli>(Clock::now() - t2).count();
    std::printf("  teardown (unwinding every greenthread) took %.0f ms\n", td);
    std::fflush(stdout);
    return 0;
  }
  // Exit without unwinding a million stacks: the OS takes the memory back.
  std::_Exit(0);
}
