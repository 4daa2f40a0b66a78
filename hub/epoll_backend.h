// Copyright 2026 The eventlet-cpp Authors.
//
// epoll_backend.h: the production Backend on Linux epoll.
//
// Level-triggered registrations are kept across waits: when the hub stops
// wanting an fd (watch(fd, kNoEvents)) the registration stays, so the common
// "read, EAGAIN, wait, read again" loop costs no epoll_ctl at all. An event
// that arrives for an unwanted registration is dropped and the registration
// narrowed then (one epoll_ctl). unwatch() removes the fd at once; call it
// before closing an fd. Cross-thread wake() writes an eventfd.
//
// Time: CLOCK_MONOTONIC. Waits have nanosecond resolution (epoll_pwait2).
//
// fork(): a child inherits the parent's epoll instance and eventfd, which the
// two processes would then share (each narrowing or removing the other's
// registrations). The first watch(), unwatch() or wait() in the child
// therefore replaces both with its own and registers the inherited fds again,
// as they were (a pthread_atfork handler counts forks; checking costs one
// load). A wake() from another thread of the child before that reaches the
// parent's eventfd instead: the child's hub thread touches its backend first.
#ifndef EVENTLET_HUB_EPOLL_BACKEND_H_
#define EVENTLET_HUB_EPOLL_BACKEND_H_

#include <sys/epoll.h>

#include <cstdint>
#include <vector>

#include "hub/backend.h"

namespace eventlet {

class EpollBackend final : public Backend {
 public:
  // Throws std::system_error if epoll or eventfd cannot be created.
  // `network` (not owned; must outlive the backend) is what network()
  // returns: null, the default, for the host's sockets; a network of real
  // fds otherwise, e.g. a test's net::HostNetwork that injects faults.
  explicit EpollBackend(net::Network* network = nullptr);
  ~EpollBackend() override;
  EpollBackend(const EpollBackend&) = delete;
  EpollBackend& operator=(const EpollBackend&) = delete;

  const char* name() const override { return "epoll"; }
  std::int64_t now() override;
  void watch(int fd, std::uint32_t events) override;
  void unwatch(int fd) override;
  void wait(std::int64_t deadline, std::vector<IoReady>* ready) override;
  void wake() override;
  net::Network* network() override { return network_; }

  // Number of fds with wanted events (for tests and dumps).
  std::size_t wanted_count() const { return wanted_count_; }

 private:
  struct FdState {
    std::uint32_t wanted = 0;
    std::uint32_t registered = 0;
  };
  FdState& state(int fd);
  void set_registration(int fd, FdState& st, std::uint32_t events);
  // Creates epoll_fd_ and wake_fd_ (the constructor, and after a fork).
  void open_instance();
  // In a forked child: a new instance with the same registrations.
  void reopen_if_forked();
  void reopen_after_fork();

  net::Network* network_;
  unsigned fork_generation_ = 0;
  int epoll_fd_ = -1;
  int wake_fd_ = -1;
  std::size_t wanted_count_ = 0;
  std::vector<FdState> fds_;
  std::vector<epoll_event> events_;
};

}  // namespace eventlet

#endif  // EVENTLET_HUB_EPOLL_BACKEND_H_
