// Copyright 2026 The eventlet-cpp Authors.
//
// faults.h: faults the simulation draws from the seed (sim::Options::faults).
//
// All draws come from the run's Stream::kFaults (random.h), never from the
// scheduler's or the network's, so a run with every fault off (the default)
// has exactly the schedule it had before faults existed, and turning faults
// on changes nothing but the faults themselves.
//
// Host crashes (sim/host.h): while a host is up, its next crash is drawn
// when it starts (or restarts), uniform in (0, 2 / host_crash_rate] seconds
// of virtual time later (mean 1 / rate); when it crashes, its restart is drawn
// uniform in [restart_delay_min, restart_delay_max]. Both are hub timers,
// traced with cause "seed". They keep the simulation going: with a crash
// rate, a run whose program waits forever ends at Options::max_time, not as
// a deadlock (set max_time).
//
// Clocks: each host draws, at add_host(), an offset uniform in
// [-clock_offset_bound, clock_offset_bound] (nanosecond resolution) and a
// drift uniform in [-clock_drift_ppm, clock_drift_ppm] (parts per billion
// resolution); see host.h for how a host's clock reads.
#ifndef EVENTLET_SIM_FAULTS_H_
#define EVENTLET_SIM_FAULTS_H_

#include "absl/time/time.h"

namespace eventlet::sim {

struct FaultOptions {
  // Crashes per virtual second per host (0: never). >= 0.
  double host_crash_rate = 0;
  // The down time of a seeded crash; 0 <= min <= max.
  absl::Duration restart_delay_min = absl::Seconds(1);
  absl::Duration restart_delay_max = absl::Seconds(1);
  // Bound of each host's clock offset (>= 0).
  absl::Duration clock_offset_bound = absl::ZeroDuration();
  // Bound of each host's clock drift, in parts per million (0 <= ppm <
  // 1e6, so that a host's clock never runs backwards).
  double clock_drift_ppm = 0;
  // True if any fault is on.
  bool any() const {
    return host_crash_rate > 0 || clock_offset_bound > absl::ZeroDuration() ||
           clock_drift_ppm > 0;
  }
};

}  // namespace eventlet::sim

#endif  // EVENTLET_SIM_FAULTS_H_
