#include "greenthread/queue.h"

#include <cstdio>
#include <memory>
#include <string>

#include "greenthread/greenthread.h"

int main() {
  eventlet::Queue<std::string> jobs(2);  // put() parks while 2 are queued
  auto producer = eventlet::spawn([&jobs] {
    for (const char* j : {"a", "b", "c", "d"}) {
      jobs.put(j);
      std::printf("put %s (queued: %zu)\n", j, jobs.qsize());
    }
  });
  for (int i = 0; i < 4; ++i) {
    std::printf("got %s\n", jobs.get().c_str());
    jobs.task_done();
  }
  jobs.join();  // every item was task_done()
  producer.wait();

  // Size 0 is a channel: put() waits for a getter. Move-only items work.
  eventlet::LightQueue<std::unique_ptr<int>> channel(0);
  eventlet::spawn_n([&channel] { channel.put(std::make_unique<int>(7)); });
  std::printf("channel handed over %d\n", *channel.get());

  try {
    jobs.get(/*block=*/true, absl::Milliseconds(5));
  } catch (const eventlet::QueueEmpty&) {
    std::printf("get() timed out: QueueEmpty\n");
  }
  eventlet::PriorityQueue<int> pq;
  for (int v : {3, 1, 2}) pq.put(v);
  int first = pq.get();
  int second = pq.get();
  std::printf("priority order: %d %d %d\n", first, second, pq.get());
}
