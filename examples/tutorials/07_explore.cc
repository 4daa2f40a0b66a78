// Copyright 2026 The eventlet-cpp Authors.
//
// Tutorial 7 (docs/tutorials/07-explore.md): finding a bug by exploring
// seeds. The program is examples/sim/lost_update.cc; under eventlet's FIFO
// order (this tutorial's trace) it passes.
#include "examples/sim/lost_update.h"
#include "examples/tutorials/tutorials.h"

namespace eventlet::tutorials {

void LostUpdate() { examples::LostUpdateScenario(); }

}  // namespace eventlet::tutorials
