// Copyright 2026 The eventlet-cpp Authors.
//
// Tutorial 9 (docs/tutorials/09-faults.md): hosts that crash and restart,
// clocks that disagree, and a leader lease that breaks only when both
// happen. The program is examples/sim/lease.cc, run under LeaseFaults(); in
// this tutorial's trace (fifo, seed 0) the lock server restarts twice and
// nothing is lost.
#include "examples/sim/lease.h"
#include "examples/tutorials/tutorials.h"

namespace eventlet::tutorials {

void Lease() { examples::LeaseScenario(); }

}  // namespace eventlet::tutorials
