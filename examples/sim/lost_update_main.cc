// Copyright 2026 The eventlet-cpp Authors.
//
// lost_update: the lost-update scenario (lost_update.h) as a simulated
// program with sim/cli.h's flags, e.g.
//
//   ./bazelw run //examples/sim:lost_update -- --explore=50
//   ./bazelw run //examples/sim:lost_update -- --shrink=explore-out/...jsonl
//   ./bazelw run //examples/sim:lost_update -- --replay=explore-out/...jsonl
//
// --fixed runs the corrected scenario (the deposit holds a semaphore across
// its read-modify-write): replaying a failing trace against it reports that
// the outcome differs.
#include "examples/sim/example_main.h"
#include "examples/sim/lost_update.h"

int main(int argc, char** argv) {
  return eventlet::examples::example_main(
      argc, argv, "lost_update", eventlet::examples::LostUpdateScenario,
      eventlet::examples::FixedLostUpdateScenario);
}
