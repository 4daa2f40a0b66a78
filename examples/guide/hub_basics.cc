#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>

#include "greenthread/greenthread.h"
#include "hub/hub.h"

int main() {
  eventlet::Hub& hub = eventlet::Hub::current();  // this thread's hub (epoll)

  // Callbacks run in the hub's own greenlet: they must not block.
  auto timer = hub.schedule_call_global(absl::Milliseconds(5),
                                        [] { std::printf("timer fired\n"); });
  auto cancelled = hub.schedule_call_global(absl::Milliseconds(5),
                                            [] { std::printf("never\n"); });
  cancelled.cancel();
  hub.schedule_call_global(absl::ZeroDuration(), [] {
    try {
      eventlet::sleep(absl::Milliseconds(1));  // (sleep(0) would just return)
    } catch (const eventlet::HubUsageError& e) {
      std::printf("in a callback: %s\n", e.what());
    }
  });

  // trampoline(): park until an fd is ready.
  int fds[2];
  socketpair(AF_UNIX, SOCK_STREAM, 0, fds);
  auto reader = eventlet::spawn([&] {
    hub.trampoline(fds[0], eventlet::kRead);
    char c;
    return static_cast<int>(read(fds[0], &c, 1));
  });
  eventlet::sleep(absl::Milliseconds(10));
  std::printf("timer pending? %s\n", timer.pending() ? "yes" : "no");
  [[maybe_unused]] ssize_t n = write(fds[1], "x", 1);
  std::printf("reader read %d byte\n", reader.wait());

  // With a timeout, and when the fd gets closed under a waiter.
  try {
    hub.trampoline(fds[0], eventlet::kRead, absl::Milliseconds(5));
  } catch (const eventlet::TimeoutError& e) {
    std::printf("trampoline: %s\n", e.what());
  }
  auto waiter =
      eventlet::spawn([&] { hub.trampoline(fds[0], eventlet::kRead); });
  eventlet::sleep();
  hub.notify_close(fds[0]);
  close(fds[0]);
  try {
    waiter.wait();
  } catch (const eventlet::IOClosed&) {
    std::printf("waiter woke with IOClosed (fd closed under it)\n");
  }
  close(fds[1]);
}
