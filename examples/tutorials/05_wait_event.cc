// Copyright 2026 The eventlet-cpp Authors.
//
// Tutorial 5 (docs/tutorials/05-wait-event.md): GreenThread.wait and Event:
// Timer -> main -> Event.send.
#include "absl/time/time.h"
#include "examples/tutorials/tutorials.h"
#include "greenthread/event.h"
#include "greenthread/greenthread.h"
#include "hub/hub.h"

namespace eventlet::tutorials {

void WaitAndEvent() {
  Event<int> ready;
  // A timer callback sends the Event 2 ms from now; main waits for it.
  Hub::current().schedule_call_global(absl::Milliseconds(2),
                                      [&ready] { ready.send(42); });
  ready.wait();
  // A greenthread's result travels the same way: it finishes, its exit
  // event is sent, and main (waiting in wait()) is woken.
  auto worker = spawn([] {
    eventlet::sleep(absl::Milliseconds(1));
    return 7;
  });
  worker.wait();
}

}  // namespace eventlet::tutorials
