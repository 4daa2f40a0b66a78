// Copyright 2026 The eventlet-cpp Authors.
//
// A program whose main returns while green threads are pending: as in eventlet
// they never run again (not even their destructors: the Event one of them waits
// on is already destroyed), the process exits 0, and under ASan/LSan nothing is
// reported as leaked (the hub keeps their stacks as leak-check roots).
#include <cstdio>
#include <memory>
#include <string>

#include "greenthread/event.h"
#include "greenthread/greenthread.h"

namespace {

struct Owner {
  std::unique_ptr<std::string> heap =
      std::make_unique<std::string>("owned heap memory");
  ~Owner() { std::printf("BUG: a pending greenthread was unwound\n"); }
};

}  // namespace

int main() {
  eventlet::Event<int> never_sent;
  eventlet::spawn([] {
    Owner owner;
    eventlet::sleep(absl::Hours(1));
  });
  eventlet::spawn([&] { return never_sent.wait(); });
  eventlet::sleep();  // both start and park
  eventlet::spawn([] { std::printf("BUG: a pending greenthread ran\n"); });
  eventlet::spawn_after(absl::Milliseconds(1),
                        [] { std::printf("BUG: spawn_after ran\n"); });
  std::printf("main returns\n");
  return 0;
}
