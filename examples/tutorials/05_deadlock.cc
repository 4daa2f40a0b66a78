// Copyright 2026 The eventlet-cpp Authors.
//
// Tutorial 5, part 3 (docs/tutorials/05-wait-event.md): a deadlock, and how
// its report names the objects waited on. It ends in sim::Deadlock on
// purpose.
#include "examples/tutorials/tutorials.h"
#include "greenthread/event.h"
#include "greenthread/greenthread.h"
#include "greenthread/semaphore.h"

namespace eventlet::tutorials {

void Deadlock() {
  Semaphore lock(1);
  Event<> go;
  // Takes the only unit, then waits for an Event nobody will send.
  auto holder = spawn([&] {
    lock.acquire();
    go.wait();
    lock.release();
  });
  // Waits for the unit the holder keeps.
  auto waiter = spawn([&] {
    lock.acquire();
    lock.release();
  });
  waiter.wait();
  go.send();  // never reached
  holder.wait();
}

}  // namespace eventlet::tutorials
