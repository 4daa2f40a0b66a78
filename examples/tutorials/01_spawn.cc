// Copyright 2026 The eventlet-cpp Authors.
//
// Tutorial 1 (docs/tutorials/01-spawn.md): spawn -> a timer on next_timers.
#include "absl/time/time.h"
#include "examples/tutorials/tutorials.h"
#include "greenthread/greenthread.h"

namespace eventlet::tutorials {

void Spawn() {
  // Queues greenthread 1's start (a 0-second timer) and returns at once.
  auto now = spawn([] { return 1; });
  // Queues greenthread 2's start as a timer due in 10 ms.
  auto later = spawn_after(absl::Milliseconds(10), [] { return 2; });
  // Neither has run yet: they start only once main blocks, here.
  now.wait();
  later.wait();
}

}  // namespace eventlet::tutorials
