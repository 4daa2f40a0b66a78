// Copyright 2026 The eventlet-cpp Authors.
//
// Records sim/testdata/step_demo's trace: step_demo_main OUT.jsonl
#include <cstdio>

#include "sim/sim.h"
#include "sim/testdata/step_demo.h"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s OUT.jsonl\n", argv[0]);
    return 2;
  }
  eventlet::sim::Options options = eventlet::sim::testdata::StepDemoOptions();
  options.trace_path = argv[1];
  const eventlet::sim::Result r =
      eventlet::sim::run(options, eventlet::sim::testdata::StepDemo);
  if (!r.ok()) {
    std::fprintf(stderr, "step_demo: %s\n", r.summary().c_str());
    return 1;
  }
  return 0;
}
