// Copyright 2026 The eventlet-cpp Authors.
#include "hub/epoll_backend.h"

#include <pthread.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdint>
#include <mutex>
#include <system_error>

namespace eventlet {
namespace {

std::uint32_t to_epoll(std::uint32_t events) {
  std::uint32_t out = 0;
  if (events & kRead) out |= EPOLLIN | EPOLLPRI | EPOLLRDHUP;
  if (events & kWrite) out |= EPOLLOUT;
  return out;
}

std::uint32_t from_epoll(std::uint32_t ev) {
  std::uint32_t out = 0;
  if (ev & (EPOLLIN | EPOLLPRI | EPOLLRDHUP)) out |= kRead;
  if (ev & EPOLLOUT) out |= kWrite;
  if (ev & (EPOLLERR | EPOLLHUP)) out |= kRead | kWrite;
  return out;
}

[[noreturn]] void throw_errno(const char* what) {
  throw std::system_error(errno, std::generic_category(), what);
}

// Forks seen by this process's children: each child's atfork handler bumps
// it, so a backend made before the fork sees a new value.
std::atomic<unsigned> g_fork_generation{0};

void count_fork() { g_fork_generation.fetch_add(1, std::memory_order_relaxed); }

}  // namespace

EpollBackend::EpollBackend(net::Network* network)
    : network_(network), events_(256) {
  static std::once_flag registered;
  std::call_once(registered,
                 [] { pthread_atfork(nullptr, nullptr, &count_fork); });
  fork_generation_ = g_fork_generation.load(std::memory_order_relaxed);
  open_instance();
}

void EpollBackend::reopen_if_forked() {
  if (fork_generation_ != g_fork_generation.load(std::memory_order_relaxed))
      [[unlikely]]
    reopen_after_fork();
}

void EpollBackend::open_instance() {
  epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
  if (epoll_fd_ < 0) throw_errno("epoll_create1");
  wake_fd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (wake_fd_ < 0) {
    int err = errno;
    close(epoll_fd_);
    throw std::system_error(err, std::generic_category(), "eventfd");
  }
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.fd = wake_fd_;
  if (epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, wake_fd_, &ev) != 0) {
    int err = errno;
    close(wake_fd_);
    close(epoll_fd_);
    throw std::system_error(err, std::generic_category(), "epoll_ctl(eventfd)");
  }
}

void EpollBackend::reopen_after_fork() {
  fork_generation_ = g_fork_generation.load(std::memory_order_relaxed);
  // Closing our copies leaves the parent's instance and eventfd alone.
  close(wake_fd_);
  close(epoll_fd_);
  open_instance();
  for (std::size_t fd = 0; fd < fds_.size(); ++fd) {
    FdState& st = fds_[fd];
    if (st.registered == 0) continue;
    epoll_event ev{};
    ev.events = to_epoll(st.registered);
    ev.data.fd = static_cast<int>(fd);
    if (epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, static_cast<int>(fd), &ev) != 0) {
      st.registered = 0;  // closed meanwhile: registered again on demand
    }
  }
}

EpollBackend::~EpollBackend() {
  close(wake_fd_);
  close(epoll_fd_);
}

std::int64_t EpollBackend::now() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

EpollBackend::FdState& EpollBackend::state(int fd) {
  if (fd < 0) throw std::system_error(EBADF, std::generic_category(), "watch");
  if (static_cast<std::size_t>(fd) >= fds_.size()) fds_.resize(fd + 64);
  return fds_[fd];
}

void EpollBackend::set_registration(int fd, FdState& st, std::uint32_t events) {
  epoll_event ev{};
  ev.events = to_epoll(events);
  ev.data.fd = fd;
  int op = st.registered == 0 ? EPOLL_CTL_ADD : EPOLL_CTL_MOD;
  if (events == 0) op = EPOLL_CTL_DEL;
  int rc = epoll_ctl(epoll_fd_, op, fd, &ev);
  if (rc != 0 && op == EPOLL_CTL_ADD && errno == EEXIST) {
    rc = epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, fd, &ev);
  } else if (rc != 0 && op == EPOLL_CTL_MOD && errno == ENOENT) {
    // The fd was closed and its number reused behind our back.
    rc = epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &ev);
  } else if (rc != 0 && op == EPOLL_CTL_DEL) {
    rc = 0;  // Already gone (closed): nothing to remove.
  }
  if (rc != 0) throw_errno("epoll_ctl");
  st.registered = events;
}

void EpollBackend::watch(int fd, std::uint32_t events) {
  reopen_if_forked();
  FdState& st = state(fd);
  if ((st.wanted != 0) != (events != 0)) wanted_count_ += events != 0 ? 1 : -1;
  st.wanted = events;
  if ((events & ~st.registered) != 0) {
    try {
      set_registration(fd, st, st.registered | events);
    } catch (...) {
      wanted_count_ -= 1;
      st.wanted = 0;
      throw;
    }
  }
}

void EpollBackend::unwatch(int fd) {
  reopen_if_forked();
  if (fd < 0 || static_cast<std::size_t>(fd) >= fds_.size()) return;
  FdState& st = fds_[fd];
  if (st.wanted != 0) --wanted_count_;
  st.wanted = 0;
  if (st.registered != 0) {
    epoll_event ev{};
    epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, fd, &ev);  // ENOENT/EBADF: already gone
    st.registered = 0;
  }
}

void EpollBackend::wait(std::int64_t deadline, std::vector<IoReady>* ready) {
  reopen_if_forked();
  timespec timeout{0, 0};
  timespec* timeout_ptr = &timeout;
  if (deadline == kNoDeadline) {
    timeout_ptr = nullptr;
  } else {
    std::int64_t left = deadline - now();
    if (left > 0) {
      timeout.tv_sec = left / 1000000000;
      timeout.tv_nsec = left % 1000000000;
    }
  }
  int n = epoll_pwait2(epoll_fd_, events_.data(),
                       static_cast<int>(events_.size()), timeout_ptr, nullptr);
  if (n < 0) {
    if (errno == EINTR) return;
    throw_errno("epoll_pwait2");
  }
  for (int i = 0; i < n; ++i) {
    const epoll_event& ev = events_[i];
    const int fd = ev.data.fd;
    if (fd == wake_fd_) {
      // One read takes the whole count (not EFD_SEMAPHORE) and resets it.
      std::uint64_t count;
      [[maybe_unused]] ssize_t rc = read(wake_fd_, &count, sizeof count);
      continue;
    }
    FdState& st = fds_[fd];
    const std::uint32_t got = from_epoll(ev.events);
    if ((got & ~st.wanted) != 0 && st.registered != st.wanted) {
      // Events nobody waits for: narrow the registration now, level-triggered
      // epoll would otherwise report them on every wait.
      set_registration(fd, st, st.wanted);
    }
    if (got & st.wanted) ready->push_back(IoReady{fd, got & st.wanted});
  }
  if (static_cast<std::size_t>(n) == events_.size())
    events_.resize(events_.size() * 2);
}

void EpollBackend::wake() {
  std::uint64_t one = 1;
  // EAGAIN means the counter is saturated: a wake-up is pending anyway.
  [[maybe_unused]] ssize_t rc = write(wake_fd_, &one, sizeof one);
}

}  // namespace eventlet
