#include <cstdio>

#include "greenthread/greenthread.h"
#include "greenthread/timeout.h"

int main() {
  // A Timeout raises TimeoutExpired at the creating green thread's next
  // switch point after the delay. It is cancelled when its scope ends.
  try {
    eventlet::Timeout timeout(absl::Milliseconds(10));
    eventlet::sleep(absl::Seconds(5));
  } catch (const eventlet::TimeoutExpired& e) {
    std::printf("timed out: %s\n", e.what());
  }

  // Nested: the outer, shorter Timeout fires; the inner with_timeout_or() sees
  // that the expiry is not its own and lets it pass.
  try {
    eventlet::Timeout outer(absl::Milliseconds(5));
    eventlet::with_timeout_or(absl::Seconds(1), 0, [] {
      eventlet::sleep(absl::Seconds(5));
      return 1;
    });
  } catch (const eventlet::TimeoutExpired& e) {
    std::printf("outer fired through the inner one: %s\n", e.what());
  }

  // with_timeout_or(): a value instead of an exception.
  int v = eventlet::with_timeout_or(absl::Milliseconds(5), -1, [] {
    eventlet::sleep(absl::Seconds(1));
    return 1;
  });
  std::printf("with_timeout_or -> %d\n", v);

  // The silent form (eventlet's `with Timeout(d, False):`): the block ends
  // quietly; with_silent_timeout() says whether it ran to its end.
  bool completed = eventlet::with_silent_timeout(
      absl::Milliseconds(5), [] { eventlet::sleep(absl::Seconds(1)); });
  std::printf("silent block completed: %s\n", completed ? "yes" : "no");
}
