// Copyright 2026 The eventlet-cpp Authors.
//
// op_profile: runs one core operation an exact number of times, for
// profilers. Google Benchmark picks its own iteration counts; with a fixed
// count, instruction counts per operation are exact:
//
//   op_profile --op=sleep0 --count=100000
//   valgrind --tool=callgrind op_profile --op=sleep0 --count=200000
//   (Ir(200000) - Ir(100000)) / 100000 = instructions per iteration
//   perf record -g op_profile --op=spawn_wait --count=20000000
//
// Ops (one "count" is one iteration of the matching core_bench benchmark):
//   sleep0      main and one partner greenthread each call sleep(0) once
//   spawn_wait  spawn a function returning int, wait for it
//   event       two Event<int> handoffs (main -> partner -> main), with reset
//   timer       schedule_call_global(1 s) + cancel
//   spawn_n     spawn_n --batch trivial greenthreads, yield until all ran
//   socket      one byte through a net::Socket::pair: a send (writev) and a
//               recv (readv) that never wait; the green socket's hot path
// Prints the wall time per iteration.
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/time/time.h"
#include "green_net/socket.h"
#include "greenthread/event.h"
#include "greenthread/greenthread.h"
#include "hub/hub.h"

ABSL_FLAG(std::string, op, "sleep0",
          "sleep0 | spawn_wait | event | timer | spawn_n | socket");
ABSL_FLAG(std::int64_t, count, 1000000, "iterations");
ABSL_FLAG(std::int64_t, batch, 1000, "greenthreads per spawn_n iteration");

namespace eventlet {
namespace {

void run_sleep0(std::int64_t count) {
  bool stop = false;
  auto partner = spawn([&stop] {
    while (!stop) sleep();
  });
  sleep();
  for (std::int64_t i = 0; i < count; ++i) sleep();
  stop = true;
  partner.wait();
}

void run_spawn_wait(std::int64_t count) {
  int x = 0;
  std::int64_t sum = 0;
  for (std::int64_t i = 0; i < count; ++i) {
    sum += spawn([&x] { return ++x; }).wait();
  }
  if (sum == 42) std::printf(" ");
}

void run_event(std::int64_t count) {
  Event<int> ping;
  Event<int> pong;
  auto partner = spawn([&] {
    for (;;) {
      const int v = ping.wait();
      ping.reset();
      if (v < 0) return;
      pong.send(v + 1);
    }
  });
  int token = 0;
  for (std::int64_t i = 0; i < count; ++i) {
    ping.send(token & 0xffff);
    token = pong.wait();
    pong.reset();
  }
  ping.send(-1);
  partner.wait();
}

void run_timer(std::int64_t count) {
  Hub& hub = Hub::current();
  int fired = 0;
  for (std::int64_t i = 0; i < count; ++i) {
    TimerHandle h =
        hub.schedule_call_global(absl::Seconds(1), [&fired] { ++fired; });
    h.cancel();
  }
  sleep();
}

void run_spawn_n(std::int64_t count, std::int64_t batch) {
  std::int64_t done = 0;
  for (std::int64_t i = 0; i < count; ++i) {
    done = 0;
    for (std::int64_t j = 0; j < batch; ++j) spawn_n([&done] { ++done; });
    while (done != batch) sleep();
  }
}

void run_socket(std::int64_t count) {
  auto [a, b] = net::Socket::pair();
  char byte = 'x';
  for (std::int64_t i = 0; i < count; ++i) {
    a.send(&byte, 1);
    b.recv(&byte, 1);
  }
}

}  // namespace
}  // namespace eventlet

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  const std::string op = absl::GetFlag(FLAGS_op);
  const std::int64_t count = absl::GetFlag(FLAGS_count);
  eventlet::Hub::current();
  eventlet::sleep();
  const auto t0 = std::chrono::steady_clock::now();
  if (op == "sleep0") {
    eventlet::run_sleep0(count);
  } else if (op == "spawn_wait") {
    eventlet::run_spawn_wait(count);
  } else if (op == "event") {
    eventlet::run_event(count);
  } else if (op == "timer") {
    eventlet::run_timer(count);
  } else if (op == "spawn_n") {
    eventlet::run_spawn_n(count, absl::GetFlag(FLAGS_batch));
  } else if (op == "socket") {
    eventlet::run_socket(count);
  } else {
    std::fprintf(stderr, "op_profile: unknown --op=%s\n", op.c_str());
    return 2;
  }
  const double ns = std::chrono::duration<double, std::nano>(
                        std::chrono::steady_clock::now() - t0)
                        .count();
  std::printf("%s x %lld: %.1f ns per iteration\n", op.c_str(),
              static_cast<long long>(count), ns / static_cast<double>(count));
  return 0;
}
