// Copyright 2026 The eventlet-cpp Authors.
#include "greenthread/semaphore.h"

#include <stdexcept>

#include "absl/strings/str_format.h"
#include "hub/internal/hub_access.h"

namespace eventlet {

Semaphore::Semaphore(std::int64_t value) : counter_(value) {
  if (value < 0) {
    throw std::invalid_argument(
        absl::StrFormat("Semaphore() expect value >= 0, actual: %d", value));
  }
}

bool Semaphore::acquire(bool blocking, std::optional<absl::Duration> timeout) {
  if (!blocking && timeout) {
    throw std::invalid_argument(
        "can't specify timeout for non-blocking acquire");
  }
  if (timeout && *timeout < absl::ZeroDuration()) {
    throw std::invalid_argument("timeout value must be strictly positive");
  }
  if constexpr (kHubAffinityChecks) affinity_.check(object_);
  if (blocking) Hub::coop_charge_current();  // may yield (hub.h)
  if (counter_ > 0) {  // units are handed to waiters first, so none waits
    internal::HubAccess::touch(object_);
    --counter_;
    return true;
  }
  if (!blocking) return false;
  Hub& hub = Hub::current();
  // Whoever releases hands us the unit (Waiter::woken); if we then die before
  // running, pass it on.
  struct PassOnIfUnused {
    Semaphore* sem;
    bool granted = false;
    bool used = false;
    ~PassOnIfUnused() {
      if (granted && !used) sem->release();
    }
  } pass_on{this};
  internal::HubAccess::wait_in(hub, waiters_, timeout, "Semaphore::acquire",
                               &pass_on.granted, &object_);
  pass_on.used = pass_on.granted;
  return pass_on.granted;
}

void Semaphore::release() {
  if constexpr (kHubAffinityChecks) affinity_.check(object_);
  if (internal::Waiter* w = waiters_.empty() ? nullptr
                                             : internal::HubAccess::wake_one(
                                                   Hub::current(), waiters_,
                                                   object_, "sem_release")) {
    *static_cast<bool*>(w->payload) = true;
    return;
  }
  internal::HubAccess::touch(object_);
  ++counter_;
}

void Semaphore::adjust(std::int64_t delta) {
  if constexpr (kHubAffinityChecks) affinity_.check(object_);
  counter_ += delta;
  while (counter_ > 0 && !waiters_.empty()) {
    --counter_;
    internal::Waiter* w = internal::HubAccess::wake_one(
        Hub::current(), waiters_, object_, "sem_release");
    *static_cast<bool*>(w->payload) = true;
  }
}

std::string Semaphore::describe() const {
  return absl::StrFormat("<Semaphore c=%d _w[%d]>", counter_, waiters_.size());
}

void BoundedSemaphore::release() {
  if (counter() >= limit_)
    throw std::logic_error("Semaphore released too many times");
  Semaphore::release();
}

CappedSemaphore::CappedSemaphore(std::int64_t count, std::int64_t limit)
    : lower_(count < 0 ? 0 : count),
      upper_(limit - count < 0 ? 0 : limit - count) {
  if (count < 0) throw std::invalid_argument("'count' cannot be negative");
  if (count > limit)
    throw std::invalid_argument("'count' cannot be more than 'limit'");
}

bool CappedSemaphore::acquire(bool blocking,
                              std::optional<absl::Duration> timeout) {
  if (!blocking && locked()) return false;
  upper_.release();
  try {
    if (lower_.acquire(blocking, timeout)) return true;
  } catch (...) {
    upper_.adjust(-1);
    throw;
  }
  upper_.adjust(-1);
  return false;
}

bool CappedSemaphore::release(bool blocking) {
  if (!blocking && bounded()) return false;
  lower_.release();
  try {
    upper_.acquire();
  } catch (...) {
    lower_.adjust(-1);
    throw;
  }
  return true;
}

}  // namespace eventlet
