// Copyright 2026 The eventlet-cpp Authors.
//
// debug_tour: the programs of docs/debugging.md.
//
//   debug_tour blocking   # a greenthread calls ::usleep and another spins:
//                         # the blocking detector names both
//   debug_tour deadlock   # two greenthreads wait for each other; SIGUSR1
//                         # (sent by the program itself after 200 ms, as
//                         # `kill -USR1 <pid>` would) dumps the hub
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <thread>

#include "debug/debug.h"
#include "greenthread/event.h"
#include "greenthread/greenthread.h"
#include "hub/hub.h"

namespace {

[[gnu::noinline]] void load_config() {
  ::usleep(300 * 1000);  // a blocking call: the whole hub stops
}

// CPU-bound for about `ms` milliseconds, never yielding.
[[gnu::noinline]] unsigned long checksum(int ms) {
  const auto until =
      std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
  unsigned long sum = 0;  // unsigned: wraps around by definition
  while (std::chrono::steady_clock::now() < until) {
    for (unsigned long i = 0; i < 1000; ++i) sum = sum * 31 + (i ^ (sum >> 7));
  }
  return sum;
}

void ticker() {
  for (int i = 0; i < 10; ++i) eventlet::sleep(absl::Milliseconds(20));
}

int blocking() {
  eventlet::debug::hub_blocking_detection(true, absl::Milliseconds(100));
  auto t = eventlet::spawn(ticker);
  t.set_name("ticker");
  // Each starts after a little I/O-like wait, as request handlers do.
  auto a = eventlet::spawn([] {
    eventlet::sleep(absl::Milliseconds(5));
    load_config();
  });
  a.set_name("config loader");
  auto b = eventlet::spawn([] {
    eventlet::sleep(absl::Milliseconds(10));
    return checksum(250);
  });
  b.set_name("checksummer");
  a.wait();
  std::printf("checksum %lu\n", b.wait());
  t.wait();
  eventlet::debug::hub_blocking_detection(false);
  return 0;
}

eventlet::Event<void> a_ready, b_ready;

[[gnu::noinline]] void worker_a() {
  b_ready.wait();  // waits for b, which waits for a
  a_ready.send();
}
[[gnu::noinline]] void worker_b() {
  a_ready.wait();
  b_ready.send();
}

int deadlock() {
  eventlet::debug::hub_greenthread_stacks(true);
  eventlet::debug::install_dump_signal(SIGUSR1);
  auto a = eventlet::spawn(worker_a);
  a.set_name("worker a");
  auto b = eventlet::spawn(worker_b);
  b.set_name("worker b");
  std::thread kill_me([] {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    ::kill(::getpid(), SIGUSR1);  // as `kill -USR1 <pid>` would
    // Time for the dump: the hub answers at once, and the dump thread waits
    // for it at most 2 s (install_dump_signal's answer_timeout) before it
    // prints; 3 s also covers a busy machine.
    std::this_thread::sleep_for(std::chrono::seconds(3));
    std::fflush(stderr);
    ::_exit(0);
  });
  kill_me.detach();
  a.wait();  // never returns
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 2 && std::strcmp(argv[1], "blocking") == 0) return blocking();
  if (argc == 2 && std::strcmp(argv[1], "deadlock") == 0) return deadlock();
  std::fprintf(stderr, "usage: debug_tour blocking|deadlock\n");
  return 2;
}
