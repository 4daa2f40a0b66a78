// Copyright 2026 The eventlet-cpp Authors.
//
// sim_bench: simulated throughput. A 1,000-greenthread timer workload (each
// greenthread sleeps 1..10 ms of virtual time, 200 times, with a sleep(0) in
// between) runs untraced, counted, traced into memory and traced into a file
// ($TMPDIR or /tmp); prints hub events per second of wall time and the
// virtual-to-wall time ratio. The event count of the untraced run is the
// counted run's (same seed, same schedule).
//
//   ./bazelw run -c opt //sim:sim_bench
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "greenthread/greenthread.h"
#include "sim/sim.h"

namespace {

using eventlet::sim::Options;
using eventlet::sim::Result;

void Workload() {
  std::vector<eventlet::GreenThread<void>> gts;
  gts.reserve(1000);
  for (int i = 0; i < 1000; ++i) {
    gts.push_back(eventlet::spawn([i] {
      for (int k = 0; k < 200; ++k) {
        eventlet::sleep(absl::Milliseconds(1 + (i * 7 + k) % 10));
        eventlet::sleep();
      }
    }));
  }
  for (auto& gt : gts) gt.wait();
}

double Seconds(Options o, Result* out) {
  const auto start = std::chrono::steady_clock::now();
  *out = eventlet::sim::run(o, Workload);
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
      .count();
}

}  // namespace

int main() {
  Options counted;
  counted.count_events = true;
  Result rc;
  const double tc = Seconds(counted, &rc);
  Options plain;
  Result rp;
  const double tp = Seconds(plain, &rp);
  Options traced;
  traced.trace_in_memory = true;
  Result rt;
  const double tt = Seconds(traced, &rt);
  // The same, written to a file (flushed every MiB) instead of kept.
  const char* tmp = std::getenv("TMPDIR");
  Options to_file;
  to_file.trace_path =
      std::string(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp") +
      "/sim_bench_trace.jsonl";
  Result rf;
  const double tf = Seconds(to_file, &rf);
  std::remove(to_file.trace_path.c_str());
  const double events = static_cast<double>(rc.events);
  std::printf("events per run: %.0f (virtual time %.3f s)\n", events,
              absl::ToDoubleSeconds(rc.virtual_time));
  std::printf("untraced: %.3f s wall, %.2f M events/s, virtual/wall %.1f\n", tp,
              events / tp / 1e6, absl::ToDoubleSeconds(rp.virtual_time) / tp);
  std::printf("counted:  %.3f s wall, %.2f M events/s\n", tc,
              events / tc / 1e6);
  std::printf("traced:   %.3f s wall, %.2f M events/s, %.1f MB of trace\n", tt,
              static_cast<double>(rt.events) / tt / 1e6,
              static_cast<double>(rt.trace.size()) / 1e6);
  std::printf("to file:  %.3f s wall, %.2f M events/s (%s)\n", tf,
              static_cast<double>(rf.events) / tf / 1e6,
              to_file.trace_path.c_str());
  return rp.ok() && rt.ok() && rf.ok() && rt.events == rc.events ? 0 : 1;
}
