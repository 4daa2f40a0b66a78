// Copyright 2026 The eventlet-cpp Authors.
#include "examples/tutorials/tutorials.h"

#include "examples/sim/lease.h"

namespace eventlet::tutorials {

const std::vector<Tutorial>& all() {
  static const std::vector<Tutorial> tutorials = {
      {"01_spawn", Spawn},
      {"02_sleep", Sleep},
      {"03_hub_loop", HubLoop},
      {"04_trampoline", Trampoline},
      {"05_wait_event", WaitAndEvent},
      {"05_deadlock", Deadlock},
      {"06_imap", Imap},
      {"07_explore", LostUpdate},
      {"09_faults", Lease, examples::LeaseFaults()},
  };
  return tutorials;
}

}  // namespace eventlet::tutorials
