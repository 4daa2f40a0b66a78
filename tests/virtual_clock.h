// Copyright 2026 The eventlet-cpp Authors.
//
// virtual_clock.h: runs an oracle scenario on a hub whose clock is virtual,
// so that the order of events never depends on how busy the machine is.
//
// Why: on the real clock, two timers a few microseconds apart (e.g. S06's j1,
// sleeping 0.10 from t=0, and j2, sleeping 0.05 from t=0.05) fire in an order
// decided by wake-up jitter; a 20-run trial of S06 on the epoll hub printed
// three different orders. Here time stands still while greenthreads run and
// jumps straight to the earliest deadline when the hub would block, so every
// sleep lasts exactly its delay and timestamps printed like eventlet's
// ('%.2f' seconds since the start) come out exact. Deadlines that coincide
// exactly break FIFO (the hub's rule, oracle S03's frozen-clock part).
#ifndef EVENTLET_TESTS_VIRTUAL_CLOCK_H_
#define EVENTLET_TESTS_VIRTUAL_CLOCK_H_

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <memory>
#include <system_error>
#include <thread>
#include <vector>

#include "absl/functional/function_ref.h"
#include "hub/backend.h"
#include "hub/hub.h"

namespace eventlet {

// A Backend with a virtual clock and no file descriptors.
class VirtualClockBackend final : public Backend {
 public:
  const char* name() const override { return "virtual"; }
  std::int64_t now() override { return now_; }
  void watch(int, std::uint32_t) override {
    throw std::system_error(
        std::make_error_code(std::errc::operation_not_supported),
        "VirtualClockBackend watches no fds");
  }
  void unwatch(int) override {}
  void wait(std::int64_t deadline, std::vector<IoReady>*) override {
    if (deadline == kNoDeadline) {
      // Nothing can ever happen: the scenario is deadlocked. Fail loudly
      // instead of hanging until the test times out.
      std::fprintf(stderr, "VirtualClockBackend: deadlock (no timer left)\n");
      std::abort();
    }
    if (deadline > now_) now_ = deadline;
  }
  void wake() override {}

 private:
  std::int64_t now_ = std::int64_t{1000} * 1000 * 1000 * 1000;  // 1000 s
};

// Runs `scenario` in the main greenlet of a fresh OS thread whose hub runs on
// a VirtualClockBackend, then tears that hub down. An exception escaping
// `scenario` is rethrown in the caller.
inline void RunOnVirtualClock(absl::FunctionRef<void()> scenario) {
  std::exception_ptr error;
  std::thread thread([&scenario, &error] {
    Hub::install(std::make_unique<VirtualClockBackend>());
    try {
      scenario();
    } catch (...) {
      error = std::current_exception();
    }
    Hub::destroy_current();
  });
  thread.join();
  if (error) std::rethrow_exception(error);
}

}  // namespace eventlet

#endif  // EVENTLET_TESTS_VIRTUAL_CLOCK_H_
