// Copyright 2026 The eventlet-cpp Authors.
//
// Tutorial 2 (docs/tutorials/02-sleep.md): sleep -> schedule_call_global ->
// hub.switch.
#include "absl/time/time.h"
#include "examples/tutorials/tutorials.h"
#include "greenthread/greenthread.h"
#include "hub/hub.h"

namespace eventlet::tutorials {

void Sleep() {
  Hub& hub = Hub::current();
  // A callback timer: runs in the hub's greenlet 3 ms from now.
  hub.schedule_call_global(absl::Milliseconds(3), [] {});
  // sleep(5 ms): a timer that resumes main, then a switch to the hub.
  eventlet::sleep(absl::Milliseconds(5));
}

}  // namespace eventlet::tutorials
