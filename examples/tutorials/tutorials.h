// Copyright 2026 The eventlet-cpp Authors.
//
// tutorials.h: the programs of docs/tutorials. Each runs under sim::run
// (strategy fifo, seed 0, with its faults) and its trace is checked in beside
// it (examples/tutorials/NN_name.trace.jsonl); //examples/tutorials:tutorials_test
// records every one again and compares, so the tutorials cannot go stale.
#ifndef EVENTLET_EXAMPLES_TUTORIALS_TUTORIALS_H_
#define EVENTLET_EXAMPLES_TUTORIALS_TUTORIALS_H_

#include <string_view>
#include <vector>

#include "sim/faults.h"

namespace eventlet::tutorials {

void Spawn();         // 01_spawn.cc
void Sleep();         // 02_sleep.cc
void HubLoop();       // 03_hub_loop.cc
void Trampoline();    // 04_trampoline.cc
void WaitAndEvent();  // 05_wait_event.cc
void Deadlock();      // 05_deadlock.cc (ends in sim::Deadlock on purpose)
void Imap();          // 06_imap.cc
void LostUpdate();    // 07_explore.cc (examples/sim/lost_update.cc)
void Lease();         // 09_faults.cc (examples/sim/lease.cc)

struct Tutorial {
  std::string_view name;  // "01_spawn": its trace is <name>.trace.jsonl
  void (*program)();
  sim::FaultOptions faults = {};  // what its runs draw (default: none)
};
const std::vector<Tutorial>& all();

}  // namespace eventlet::tutorials

#endif  // EVENTLET_EXAMPLES_TUTORIALS_TUTORIALS_H_
