// Copyright 2026 The eventlet-cpp Authors.
//
// sim_backend.h: a Backend on a virtual clock, for deterministic simulation.
//
// Time: a signed nanosecond count that starts at `start` (default 0) and moves
// only inside wait(): wait(deadline) never blocks the OS thread; if nothing is
// ready it jumps the clock straight to `deadline` (never backwards). An hour of
// virtual sleeping therefore costs one call.
//
// File descriptors: the SimBackend watches no kernel fds. It has *virtual*
// stream pairs (socketpair(), write(), drain(), close()) whose readiness it
// computes itself: an end is readable while bytes are buffered for it or its
// peer is closed, and writable while it is open (buffers are unbounded; a
// closed peer reports read and write, like a hang-up). Virtual fd numbers are
// the lowest free ones from kFirstFd up. watch() of any other number throws
// std::system_error(EBADF). Kernel fds (epoll) do not mix with it; the
// simulated network (sim_net.h) is built on these pairs.
//
// Ready fds are reported in ascending fd order, so the order is deterministic.
//
// Nothing can happen: wait(kNoDeadline) with no watched fd ready and no
// wake() pending means no event can ever occur again (in a simulation every
// writer is a greenthread of this hub, and they all wait). The backend then
// calls the stall handler (set_stall_handler) with Stall::kDeadlock. Likewise
// a deadline beyond the time limit (set_time_limit) calls it with
// Stall::kTimeLimit, leaving the clock at the limit. sim::run's handler throws
// into the main greenlet and ends the run; without a handler wait() throws
// StallError (fine for unit tests of the backend alone, NOT inside a hub: an
// exception escaping the hub greenlet terminates the process).
//
// Thread-safety: as Backend; wake() is thread-safe (an atomic flag).
#ifndef EVENTLET_SIM_SIM_BACKEND_H_
#define EVENTLET_SIM_SIM_BACKEND_H_

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <stdexcept>
#include <vector>

#include "hub/backend.h"

namespace eventlet::sim {

class SimNetwork;

enum class Stall {
  kDeadlock,    // nothing can ever happen again
  kTimeLimit,   // the next event lies beyond the time limit
  kEventLimit,  // the event budget (set_event_budget) is spent
  kStopped,     // request_stop() was called (e.g. an invariant failed)
};

// Thrown by wait() when there is no stall handler.
class StallError : public std::runtime_error {
 public:
  StallError(Stall why, const char* what)
      : std::runtime_error(what), why_(why) {}
  Stall why() const { return why_; }

 private:
  Stall why_;
};

class SimBackend final : public Backend {
 public:
  static constexpr int kFirstFd = 3;

  explicit SimBackend(std::int64_t start = 0) : now_(start) {}

  const char* name() const override { return "sim"; }
  std::int64_t now() override { return now_; }
  void watch(int fd, std::uint32_t events) override;
  void unwatch(int fd) override;
  void wait(std::int64_t deadline, std::vector<IoReady>* ready) override;
  void wake() override { woken_.store(true, std::memory_order_release); }

  // The in-memory network green sockets use on this backend (sim_net.h), or
  // null (the default: sockets then fail). Not owned; must outlive the
  // backend's use. Its sockets are watched here like virtual fds, and wait()
  // wakes for its deliveries.
  void set_network(SimNetwork* network) { network_ = network; }
  net::Network* network() override;

  // Called from wait() (in the hub greenlet, inside a hub) when the run cannot
  // go on; wait() returns empty afterwards if the handler returns.
  void set_stall_handler(std::function<void(Stall)> handler) {
    stall_handler_ = std::move(handler);
  }
  // A deadline after `limit` (hub time) stalls with kTimeLimit instead of
  // jumping there. Default: none.
  void set_time_limit(std::int64_t limit) { time_limit_ = limit; }
  // Every wait() first checks `*counter >= limit` and stalls with
  // kEventLimit if so (the counter is e.g. a trace recorder's event count).
  // Null: no budget. Checked only when the hub polls.
  void set_event_budget(const std::uint64_t* counter, std::uint64_t limit) {
    event_counter_ = counter;
    event_limit_ = limit;
  }

  // ---- Virtual stream pairs ------------------------------------------------
  // A connected pair, both ends open, nothing buffered.
  std::array<int, 2> socketpair();
  // Buffers `bytes` for the peer of `fd` (makes it readable). Throws
  // std::system_error: EBADF if fd is not open, EPIPE if the peer is closed.
  void write(int fd, std::size_t bytes);
  // Bytes buffered for reading on `fd` (0 if not open).
  std::size_t buffered(int fd) const;
  // Takes up to `max` buffered bytes of `fd`; returns how many.
  std::size_t read(int fd, std::size_t max);
  void drain(int fd) { read(fd, static_cast<std::size_t>(-1)); }
  // Closes `fd`: its number becomes free, its peer sees a hang-up. Unwatches.
  void close(int fd);

  // The next wait() stalls with kStopped (the hub waits at the end of the
  // pass if Hub::request_poll() was called too).
  void request_stop() { stop_requested_ = true; }
  void cancel_stop() { stop_requested_ = false; }

  // Counts, for tests and benchmarks.
  std::uint64_t waits() const { return waits_; }
  std::uint64_t jumps() const { return jumps_; }

 private:
  struct End {
    bool open = false;
    int peer = -1;  // -1 once the peer closed
    std::size_t buffered = 0;
    std::uint32_t wanted = 0;
  };
  End* end(int fd);
  const End* end(int fd) const;
  std::uint32_t ready_events(const End& e) const;
  void stall(Stall why, const char* what);

  std::int64_t now_;
  std::int64_t time_limit_ = kNoDeadline;
  const std::uint64_t* event_counter_ = nullptr;
  std::uint64_t event_limit_ = 0;
  bool stop_requested_ = false;
  std::vector<End> ends_;    // index fd - kFirstFd
  std::size_t watched_ = 0;  // ends with wanted != 0
  std::atomic<bool> woken_{false};
  std::function<void(Stall)> stall_handler_;
  SimNetwork* network_ = nullptr;
  std::uint64_t waits_ = 0;
  std::uint64_t jumps_ = 0;
};

}  // namespace eventlet::sim

#endif  // EVENTLET_SIM_SIM_BACKEND_H_
