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

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <limits>

namespace eventlet {
class Greenlet;
}

namespace eventlet::internal {

// What a synchronisation primitive (Event, Queue, Semaphore...) shows of
// itself in traces and deadlock reports; embedded in the primitive, which
// passes it to Hub::wait_in and the Hub::wake_* calls that take one (and to
// Hub::touch on operations that neither wait nor wake). Single-threaded,
// like the primitive.
struct WaitObject;
// Tell the calling thread's hub's observer (HubObserver::on_object_create /
// on_object_destroy), if there is one. Defined in hub.cc.
void note_object_created(WaitObject& object);
void note_object_destroyed(WaitObject& object);
// How many observers, process-wide, want to hear of every WaitObject's
// creation (debug::hub_object_stacks); while 0, creating one costs a load.
inline std::atomic<int> object_creation_watchers{0};

struct WaitObject {
  static constexpr std::int64_t kNobody =
      std::numeric_limits<std::int64_t>::min();
  explicit WaitObject(const char* kind_name) : kind(kind_name) {
    if (object_creation_watchers.load(std::memory_order_relaxed) != 0)
        [[unlikely]]
      note_object_created(*this);
  }
  ~WaitObject() {
    if (creation_recorded) [[unlikely]]
      note_object_destroyed(*this);
  }
  WaitObject(const WaitObject&) = delete;
  WaitObject& operator=(const WaitObject&) = delete;

  // "Event", "Queue", "Semaphore"...: a string with static storage.
  const char* kind;
  // Its number on its hub, given at its first wait (Hub::wait_in; 0 until
  // then), so a simulated run numbers its objects the same way every time,
  // traced or not.
  mutable std::uint64_t id = 0;
  // Greenlet::id() of the greenthread whose operation last changed it (send,
  // reset, put, get, acquire, release...; a wait that blocks does not count);
  // kNobody before any. Deadlock reports name it.
  std::int64_t last_touch = kNobody;
  // Set by an observer that recorded where it was created
  // (HubObserver::on_object_create), so that it hears of its destruction.
  bool creation_recorded = false;
};

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
