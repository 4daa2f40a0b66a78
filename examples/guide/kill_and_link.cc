#include <cstdio>

#include "greenthread/greenthread.h"

struct Connection {
  ~Connection() { std::printf("connection closed (destructor ran)\n"); }
};

int main() {
  auto worker = eventlet::spawn([] {
    Connection conn;
    eventlet::sleep(absl::Hours(1));  // parked here when killed
    return 0;
  });
  // link(): runs inside the dying green thread, after its result is stored.
  worker.link([](eventlet::GreenThread<int>& gt) {
    std::printf("link: worker %lld exited\n", static_cast<long long>(gt.id()));
  });
  eventlet::sleep();  // let it start and park
  worker.kill();      // GreenletExit at its switch point: its stack unwinds
  try {
    worker.wait();
  } catch (const eventlet::GreenletExit&) {
    std::printf("wait() raised GreenletExit\n");
  }
  // Killed before it ever ran: the function never runs.
  auto never = eventlet::spawn([] { std::printf("never printed\n"); });
  never.kill();
  std::printf("never.dead() = %s\n", never.dead() ? "true" : "false");
}
