// Copyright 2026 The eventlet-cpp Authors.
#include "pool/green_pool.h"

#include <stdexcept>

#include "absl/strings/str_format.h"
#include "hub/internal/hub_access.h"

namespace eventlet {
namespace {

std::int64_t checked_size(std::int64_t size) {
  if (size < 0) {
    throw std::invalid_argument(
        absl::StrFormat("GreenPool() expect size >= 0, actual: %d", size));
  }
  return size;
}

}  // namespace

GreenPool::GreenPool(std::int64_t size)
    : size_(checked_size(size)), slots_(size) {}

GreenPool::~GreenPool() {
  if (slots_.counter() == size_ && slots_.waiting() == 0 &&
      waitall_waiters_.empty()) {
    return;
  }
  Hub& hub = Hub::current();
  if (hub.may_wait_in_destructor()) {
    waitall();
    return;
  }
  // Teardown, or the owner's stack is unwinding: kill instead of waiting.
  // Whoever waits on the pool goes first (the pool's last exit would wake
  // them into a destroyed pool), then the pool's own greenthreads.
  internal::HubAccess::unwind_waiters(hub, waitall_waiters_);
  slots_.unwind_waiters();
  hub.unwind_group(this);
}

void GreenPool::on_exit(void* pool) {
  static_cast<GreenPool*>(pool)->finished();
}

void GreenPool::finished() {
  --running_;
  slots_.release();  // to the longest-blocked spawner, if any
  if (slots_.counter() == size_ && slots_.waiting() == 0 &&
      !waitall_waiters_.empty()) {
    internal::HubAccess::wake_all(Hub::current(), waitall_waiters_);
  }
}

void GreenPool::waitall() {
  if constexpr (kHubAffinityChecks) affinity_.check("GreenPool");
  if (in_pool()) {
    throw std::logic_error(
        "Calling waitall() from within one of the GreenPool's greenthreads "
        "will never "
        "terminate.");
  }
  // Empty means: every slot back (none running, none handed to a spawner that
  // has not spawned yet) and no spawner blocked.
  while (slots_.counter() != size_ || slots_.waiting() != 0) {
    internal::HubAccess::wait_in(Hub::current(), waitall_waiters_, std::nullopt,
                                 "GreenPool::waitall");
  }
}

void GreenPool::resize(std::int64_t new_size) {
  if constexpr (kHubAffinityChecks) affinity_.check("GreenPool");
  checked_size(new_size);
  slots_.adjust(new_size - size_);
  size_ = new_size;
  if (slots_.counter() == size_ && slots_.waiting() == 0 &&
      !waitall_waiters_.empty()) {
    internal::HubAccess::wake_all(Hub::current(), waitall_waiters_);
  }
}

}  // namespace eventlet
