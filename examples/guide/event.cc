#include "greenthread/event.h"

#include <cstdio>
#include <string>

#include "greenthread/greenthread.h"

int main() {
  eventlet::Event<std::string> done;
  for (int i = 1; i <= 3; ++i) {
    eventlet::spawn_n([&done, i] {
      std::printf("waiter %d got %s\n", i, done.wait().c_str());
    });
  }
  eventlet::sleep();  // the three waiters park in done.wait()
  done.send("ok");    // never yields: waiters wake at the next pass, FIFO
  std::printf("sent; waiters have not run yet\n");
  eventlet::sleep();
  try {
    done.send("again");
  } catch (const std::logic_error& e) {
    std::printf("%s\n", e.what());
  }
  eventlet::Event<int> never;
  std::printf(
      "wait(5ms) on an unsent event: %s\n",
      never.wait(absl::Milliseconds(5)).has_value() ? "value" : "nullopt");
}
