#include "tpool/tpool.h"

#include <unistd.h>

#include <cstdio>
#include <thread>

#include "greenthread/greenthread.h"

int main() {
  int ticks = 0;
  auto ticker = eventlet::spawn([&ticks] {
    for (int i = 0; i < 5; ++i) {
      ++ticks;
      eventlet::sleep(absl::Milliseconds(2));
    }
  });
  // A blocking call: runs on a native worker thread; only main waits.
  long pid = eventlet::tpool::execute([] {
    std::this_thread::sleep_for(
        std::chrono::milliseconds(30));  // blocks its thread
    return static_cast<long>(getpid());
  });
  ticker.wait();
  std::printf("same process: %s; the ticker ticked %d times meanwhile\n",
              pid == getpid() ? "yes" : "no", ticks);
  try {
    eventlet::tpool::execute(
        []() -> int { throw std::runtime_error("disk on fire"); });
  } catch (const std::runtime_error& e) {
    std::printf("exception came back: %s\n", e.what());
  }
  eventlet::tpool::killall();
}
