// Copyright 2026 The eventlet-cpp Authors.
//
// step_demo.h: a tiny program whose trace is the stepper's and the
// timeline's golden input (sim/testdata/step_demo.trace.jsonl).
#ifndef EVENTLET_SIM_TESTDATA_STEP_DEMO_H_
#define EVENTLET_SIM_TESTDATA_STEP_DEMO_H_

#include "sim/sim.h"

namespace eventlet::sim::testdata {

// The scenario: a server greenthread accepts one connection on the simulated
// network and echoes what it reads; a sleeper sleeps 5 ms; main connects
// (1 ms links), sends "hi", waits for the echo and for both greenthreads.
void StepDemo();

// The options the golden trace is recorded with (seed 7, fifo).
Options StepDemoOptions();

}  // namespace eventlet::sim::testdata

#endif  // EVENTLET_SIM_TESTDATA_STEP_DEMO_H_
