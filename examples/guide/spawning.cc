#include <cstdio>
#include <memory>
#include <stdexcept>

#include "greenthread/greenthread.h"

int main() {
  // spawn() copies (or moves) the function and its arguments into the new
  // green thread and returns a handle; nothing runs until main yields.
  auto doubled = eventlet::spawn([](std::unique_ptr<int> p) { return *p * 2; },
                                 std::make_unique<int>(21));
  std::printf("started before wait? %s\n", doubled.started() ? "yes" : "no");
  std::printf("result %d\n", doubled.wait());

  // An exception escaping a green thread is kept: wait() rethrows it, every
  // time. (It also goes to the hub's exception hook, which prints it.)
  eventlet::Hub::current().set_exception_hook(
      [](const eventlet::HubException& e) {
        std::printf("hook: %s raised %s\n", e.where.c_str(),
                    eventlet::describe_exception(e.error).c_str());
      });
  auto failing =
      eventlet::spawn([]() -> int { throw std::runtime_error("boom"); });
  for (int i = 0; i < 2; ++i) {
    try {
      failing.wait();
    } catch (const std::runtime_error& e) {
      std::printf("wait() rethrew: %s\n", e.what());
    }
  }

  // spawn_n(): fire and forget (no handle, a little cheaper).
  // spawn_after(): start later; cancel() before then prevents it.
  eventlet::spawn_n([] { std::printf("spawn_n ran\n"); });
  auto later = eventlet::spawn_after(absl::Milliseconds(5),
                                     [] { std::printf("never\n"); });
  later.cancel();
  eventlet::sleep(absl::Milliseconds(10));
  std::printf("cancelled spawn_after dead? %s\n", later.dead() ? "yes" : "no");
}
