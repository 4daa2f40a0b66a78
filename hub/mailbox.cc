// Copyright 2026 The eventlet-cpp Authors.
#include "hub/mailbox.h"

#include <utility>

namespace eventlet {

bool Mailbox::post(absl::AnyInvocable<void()> callback) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (backend_ != nullptr) {
      queued_.push_back(std::move(callback));
      has_mail_.store(true, std::memory_order_release);
      // Under the lock, so close() cannot destroy the backend meanwhile.
      backend_->wake();
      return true;
    }
  }
  return false;  // `callback` is destroyed here, outside the lock
}

bool Mailbox::closed() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return backend_ == nullptr;
}

std::vector<absl::AnyInvocable<void()>> Mailbox::drain() {
  std::vector<absl::AnyInvocable<void()>> batch;
  std::lock_guard<std::mutex> lock(mutex_);
  batch.swap(queued_);
  has_mail_.store(false, std::memory_order_relaxed);
  return batch;
}

void Mailbox::close() {
  std::vector<absl::AnyInvocable<void()>> dropped;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    backend_ = nullptr;
    dropped.swap(queued_);
    has_mail_.store(false, std::memory_order_relaxed);
  }
}

}  // namespace eventlet
