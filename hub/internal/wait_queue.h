// Copyright 2026 The eventlet-cpp Authors.
//
// wait_queue.h: an intrusive FIFO of parked greenlets, for building green
// synchronisation primitives (Event, Semaphore, Queue...).
//
// A Waiter lives on the waiting greenlet's stack for the duration of its wait;
// it must be removed (WaitQueue::remove) before it goes out of scope, which
// the RAII helper in Hub::wait_in() does. Waking is FIFO. Single-threaded.
#ifndef EVENTLET_HUB_INTERNAL_WAIT_QUEUE_H_
#define EVENTLET_HUB_INTERNAL_WAIT_QUEUE_H_

#include <cstddef>

namespace eventlet {
class Greenlet;
}

namespace eventlet::internal {

struct Waiter {
  Greenlet* greenlet = nullptr;
  Waiter* prev = nullptr;
  Waiter* next = nullptr;
  bool queued = false;
  // Set by whoever wakes this waiter; the waiter reads it when it resumes.
  bool woken = false;
  // Free for the primitive's own use (e.g. a value handed over).
  void* payload = nullptr;
};

class WaitQueue {
 public:
  WaitQueue() = default;
  WaitQueue(const WaitQueue&) = delete;
  WaitQueue& operator=(const WaitQueue&) = delete;

  bool empty() const { return head_ == nullptr; }
  std::size_t size() const { return size_; }
  Waiter* front() const { return head_; }

  void push_back(Waiter* w) {
    w->prev = tail_;
    w->next = nullptr;
    if (tail_) {
      tail_->next = w;
    } else {
      head_ = w;
    }
    tail_ = w;
    w->queued = true;
    ++size_;
  }
  // Removes `w` if it is queued.
  void remove(Waiter* w) {
    if (!w->queued) return;
    (w->prev ? w->prev->next : head_) = w->next;
    (w->next ? w->next->prev : tail_) = w->prev;
    w->prev = w->next = nullptr;
    w->queued = false;
    --size_;
  }
  Waiter* pop_front() {
    Waiter* w = head_;
    if (w) remove(w);
    return w;
  }
  template <typename F>
  void for_each(F&& f) const {
    for (Waiter* w = head_; w; w = w->next) f(*w);
  }

 private:
  Waiter* head_ = nullptr;
  Waiter* tail_ = nullptr;
  std::size_t size_ = 0;
};

}  // namespace eventlet::internal

#endif  // EVENTLET_HUB_INTERNAL_WAIT_QUEUE_H_
