#include <cstdio>
#include <thread>

#include "greenthread/event.h"
#include "greenthread/greenthread.h"
#include "hub/hub.h"

int main() {
  // Each OS thread has its own hub and its own green threads.
  eventlet::Hub& main_hub = eventlet::Hub::current();
  eventlet::Event<int> answer;
  std::thread worker([&] {
    int local =
        eventlet::spawn([] { return 6 * 7; }).wait();  // this thread's hub
    // Hand the result to the main thread's hub: post() is the one thread-safe
    // call.
    main_hub.post([&answer, local] { answer.send(local); });
  });
  std::printf("main got %d from another OS thread\n", answer.wait());
  worker.join();
}
