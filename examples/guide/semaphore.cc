#include "greenthread/semaphore.h"

#include <cstdio>
#include <mutex>

#include "greenthread/greenthread.h"

int main() {
  eventlet::Semaphore slots(2);  // at most two holders at a time
  for (int i = 0; i < 4; ++i) {
    eventlet::spawn_n([&slots, i] {
      std::lock_guard guard(slots);  // acquire(); release() at scope end
      std::printf("user %d in (free now: %lld)\n", i,
                  static_cast<long long>(slots.counter()));
      eventlet::sleep(absl::Milliseconds(5));
      std::printf("user %d out\n", i);
    });
  }
  eventlet::sleep();
  std::printf("balance %lld: two inside, two waiting (FIFO)\n",
              static_cast<long long>(slots.balance()));
  eventlet::sleep(absl::Milliseconds(20));

  // release() hands the unit to the first waiter: nobody can barge in.
  eventlet::Semaphore gate(0);
  eventlet::spawn_n([&gate] {
    gate.acquire();
    std::printf("waiter got the unit\n");
  });
  eventlet::sleep();
  gate.release();
  std::printf("try_lock right after release: %s\n",
              gate.try_lock() ? "true" : "false");
  eventlet::sleep();

  eventlet::BoundedSemaphore bounded(1);
  try {
    bounded.release();
  } catch (const std::logic_error& e) {
    std::printf("BoundedSemaphore: %s\n", e.what());
  }
}
