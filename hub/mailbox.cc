// Copyright 2026 The eventlet-cpp Authors.
#include "hub/mailbox.h"

#include <utility>

namespace eventlet {

bool Mailbox::post(absl::AnyInvocable<void()> callback) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (backend_ != nullptr) {
      queued_.push_back(std::move(callback));
      has_mail_.store(true, std::memory_order_seq_cst);
      // Under the lock, so close() cannot destroy the backend meanwhile.
      if (sleeping_.load(std::memory_order_seq_cst)) backend_->wake();
      return true;
    }
  }
  return false;  // `callback` is destroyed here, outside the lock
}

bool Mailbox::closed() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return backend_ == nullptr;
}

void Mailbox::drain(std::vector<absl::AnyInvocable<void()>>* batch) {
  std::lock_guard<std::mutex> lock(mutex_);
  batch->swap(queued_);
  has_mail_.store(false, std::memory_order_relaxed);
}

bool Mailbox::begin_sleep() {
  sleeping_.store(true, std::memory_order_seq_cst);
  if (!has_mail_.load(std::memory_order_seq_cst)) return true;
  sleeping_.store(false, std::memory_order_relaxed);
  return false;
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
