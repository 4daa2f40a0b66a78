// Copyright 2026 The eventlet-cpp Authors.
//
// Tutorial 3 (docs/tutorials/03-hub-loop.md): hub.switch -> run ->
// prepare_timers -> fire_timers -> wait/poll.
#include "absl/time/time.h"
#include "examples/tutorials/tutorials.h"
#include "greenthread/greenthread.h"

namespace eventlet::tutorials {

void HubLoop() {
  // Greenthread 1 yields twice: each sleep(0) is a wake-up for the NEXT pass.
  auto yielder = spawn([] {
    eventlet::sleep();
    eventlet::sleep();
  });
  // Greenthread 2 sleeps 1 ms: nothing is due then, so the hub polls until
  // its deadline and the virtual clock jumps there.
  auto sleeper = spawn([] { eventlet::sleep(absl::Milliseconds(1)); });
  yielder.wait();
  sleeper.wait();
}

}  // namespace eventlet::tutorials
