#include <cstdio>
#include <string>

#include "greenthread/event.h"
#include "greenthread/greenthread.h"

int main() {
  eventlet::Event<std::string> ready;
  auto worker = eventlet::spawn(
      [&](int n) {
        eventlet::sleep(
            absl::Milliseconds(10));  // parks this green thread only
        ready.send("hello");
        return n * 2;
      },
      21);
  std::string greeting = ready.wait();  // main is a green thread too
  int result = worker.wait();           // 42; rethrows if the worker threw
  std::printf("%s %d\n", greeting.c_str(), result);
}
