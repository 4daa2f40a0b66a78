// Copyright 2026 The eventlet-cpp Authors.
//
// backend.h: the seam between the hub and the world.
//
// A Backend tells the hub what time it is and which file descriptors are ready.
// EpollBackend (epoll_backend.h) is the production one; a simulated backend
// (virtual clock, in-memory network) plugs in through the same interface, and
// the Backend conformance suite (backend_conformance.h) runs against each.
//
// Time is a signed 64-bit count of nanoseconds on the backend's monotonic clock
// ("hub time"); it never goes backwards. Library code gets time only from here.
//
// Thread-safety: every method except wake() is called only from the hub's OS
// thread. wake() may be called from any thread at any time while the backend
// is alive.
#ifndef EVENTLET_HUB_BACKEND_H_
#define EVENTLET_HUB_BACKEND_H_

#include <cstdint>
#include <limits>
#include <vector>

namespace eventlet {

namespace net {
class Network;  // green_net/network.h
}

// Bit set of fd events. kRead and kWrite are what the hub asks for; a ready
// event reports them (error and hang-up conditions report both).
enum IoEvents : std::uint32_t {
  kNoEvents = 0,
  kRead = 1,
  kWrite = 2,
};

struct IoReady {
  int fd;
  std::uint32_t events;  // IoEvents bits
};

class Backend {
 public:
  static constexpr std::int64_t kNoDeadline =
      std::numeric_limits<std::int64_t>::max();

  virtual ~Backend() = default;

  // Short name for dumps and traces ("epoll", "sim").
  virtual const char* name() const = 0;

  // Current hub time in nanoseconds.
  virtual std::int64_t now() = 0;

  // Sets the events the hub currently wants for `fd` (kRead|kWrite; kNoEvents
  // means "none right now" and lets the backend keep a registration it expects
  // to reuse). Throws std::system_error if the fd cannot be watched (e.g. it
  // is not open).
  virtual void watch(int fd, std::uint32_t events) = 0;

  // Forgets `fd` entirely. Call before the fd is closed. Never throws.
  virtual void unwatch(int fd) = 0;

  // Blocks until a watched fd is ready for a wanted event, `deadline` (hub
  // time; kNoDeadline waits without limit; a deadline <= now() only polls) is
  // reached, or wake() is called. Appends ready fds to `*ready`, reporting only
  // wanted events. May return early and empty (spurious wake-ups are allowed).
  virtual void wait(std::int64_t deadline, std::vector<IoReady>* ready) = 0;

  // Makes a wait() in progress, or the next one, return promptly. Thread-safe.
  virtual void wake() = 0;

  // The network green sockets use on this backend, or null for the host's
  // (net::HostNetwork: real sockets, system calls). A simulated backend
  // returns its in-memory network, whose sockets are watched and waited for
  // through this backend like real fds; EpollBackend returns the network of
  // real fds it was given, if any (a test's fault-injecting HostNetwork).
  virtual net::Network* network() { return nullptr; }
};

}  // namespace eventlet

#endif  // EVENTLET_HUB_BACKEND_H_
