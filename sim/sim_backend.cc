// Copyright 2026 The eventlet-cpp Authors.
#include "sim/sim_backend.h"

#include <algorithm>
#include <cerrno>
#include <system_error>

#include "sim/sim_net.h"

namespace eventlet::sim {
namespace {

[[noreturn]] void fail(int err, const char* what) {
  throw std::system_error(err, std::generic_category(), what);
}

}  // namespace

SimBackend::End* SimBackend::end(int fd) {
  if (fd < kFirstFd) return nullptr;
  const std::size_t i = static_cast<std::size_t>(fd - kFirstFd);
  if (i >= ends_.size() || !ends_[i].open) return nullptr;
  return &ends_[i];
}

const SimBackend::End* SimBackend::end(int fd) const {
  return const_cast<SimBackend*>(this)->end(fd);
}

std::uint32_t SimBackend::ready_events(const End& e) const {
  if (e.peer < 0) return kRead | kWrite;  // hang-up: both
  return (e.buffered != 0 ? std::uint32_t{kRead} : 0u) | kWrite;
}

net::Network* SimBackend::network() { return network_; }

void SimBackend::watch(int fd, std::uint32_t events) {
  if (network_ != nullptr && network_->owns(fd)) {
    network_->watch(fd, events);
    return;
  }
  End* e = end(fd);
  if (e == nullptr) fail(EBADF, "SimBackend::watch: not a virtual fd");
  events &= kRead | kWrite;
  if ((e->wanted != 0) != (events != 0)) {
    watched_ += events != 0 ? 1 : static_cast<std::size_t>(-1);
  }
  e->wanted = events;
}

void SimBackend::unwatch(int fd) {
  if (network_ != nullptr && network_->owns(fd)) {
    network_->unwatch(fd);
    return;
  }
  End* e = end(fd);
  if (e == nullptr) return;
  if (e->wanted != 0) --watched_;
  e->wanted = 0;
}

void SimBackend::stall(Stall why, const char* what) {
  if (stall_handler_) {
    stall_handler_(why);
    return;
  }
  throw StallError(why, what);
}

void SimBackend::wait(std::int64_t deadline, std::vector<IoReady>* ready) {
  ++waits_;
  if (stop_requested_) {
    stop_requested_ = false;
    stall(Stall::kStopped, "SimBackend: stop requested");
    return;
  }
  if (event_counter_ != nullptr && *event_counter_ >= event_limit_) {
    stall(Stall::kEventLimit, "SimBackend: event limit reached");
    return;
  }
  if (watched_ != 0) {
    bool any = false;
    for (std::size_t i = 0; i < ends_.size(); ++i) {
      const End& e = ends_[i];
      if (!e.open || e.wanted == 0) continue;
      const std::uint32_t events = ready_events(e) & e.wanted;
      if (events != 0) {
        ready->push_back(IoReady{static_cast<int>(i) + kFirstFd, events});
        any = true;
      }
    }
    if (any) return;
  }
  if (network_ != nullptr) {
    // Sockets of the simulated network: what arrived by now, and what is
    // ready for its watchers.
    network_->deliver_due(now_);
    const std::size_t before = ready->size();
    network_->collect_ready(ready);
    if (ready->size() != before) return;
  }
  if (woken_.exchange(false, std::memory_order_acq_rel)) return;
  if (deadline <= now_) return;
  if (network_ != nullptr && network_->next_delivery() < deadline &&
      network_->next_delivery() <= time_limit_) {
    // The next packet comes first: jump to it and report what it made ready.
    now_ = network_->next_delivery();
    ++jumps_;
    network_->deliver_due(now_);
    network_->collect_ready(ready);
    return;
  }
  if (deadline == kNoDeadline) {
    stall(Stall::kDeadlock,
          "SimBackend: deadlock: nothing can ever happen again");
    return;
  }
  if (deadline > time_limit_) {
    if (time_limit_ > now_) now_ = time_limit_;
    stall(Stall::kTimeLimit, "SimBackend: time limit reached");
    return;
  }
  now_ = deadline;
  ++jumps_;
}

std::array<int, 2> SimBackend::socketpair() {
  std::array<int, 2> fds{};
  std::size_t found = 0;
  for (std::size_t i = 0; i < ends_.size() && found < 2; ++i) {
    if (!ends_[i].open) fds[found++] = static_cast<int>(i) + kFirstFd;
  }
  while (found < 2) {
    ends_.emplace_back();
    fds[found++] = static_cast<int>(ends_.size() - 1) + kFirstFd;
  }
  for (int k = 0; k < 2; ++k) {
    End& e = ends_[static_cast<std::size_t>(fds[k] - kFirstFd)];
    e = End{};
    e.open = true;
    e.peer = fds[1 - k];
  }
  return fds;
}

void SimBackend::write(int fd, std::size_t bytes) {
  End* e = end(fd);
  if (e == nullptr) fail(EBADF, "SimBackend::write");
  if (e->peer < 0) fail(EPIPE, "SimBackend::write");
  end(e->peer)->buffered += bytes;
}

std::size_t SimBackend::buffered(int fd) const {
  const End* e = end(fd);
  return e == nullptr ? 0 : e->buffered;
}

std::size_t SimBackend::read(int fd, std::size_t max) {
  End* e = end(fd);
  if (e == nullptr) return 0;
  const std::size_t n = std::min(max, e->buffered);
  e->buffered -= n;
  return n;
}

void SimBackend::close(int fd) {
  End* e = end(fd);
  if (e == nullptr) return;
  unwatch(fd);
  if (e->peer >= 0) {
    if (End* p = end(e->peer)) p->peer = -1;
  }
  *e = End{};
}

}  // namespace eventlet::sim
