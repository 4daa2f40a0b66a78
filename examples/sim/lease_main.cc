// Copyright 2026 The eventlet-cpp Authors.
//
// lease: the leader lease of lease.h as a simulated program with sim/cli.h's
// flags, under LeaseFaults() (host crashes, skewed clocks), e.g.
//
//   ./bazelw run //examples/sim:lease -- --explore=200
//   ./bazelw run //examples/sim:lease -- --shrink=explore-out/...jsonl
//   ./bazelw run //examples/sim:lease -- --fixed --explore=2000
//
// --fixed runs the corrected lock server (its grace period after a restart
// includes the clock skew margin).
#include "examples/sim/example_main.h"
#include "examples/sim/lease.h"

int main(int argc, char** argv) {
  return eventlet::examples::example_main(
      argc, argv, "lease", eventlet::examples::LeaseScenario,
      eventlet::examples::FixedLeaseScenario,
      eventlet::examples::LeaseFaults());
}
