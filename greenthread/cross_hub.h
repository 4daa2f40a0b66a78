// Copyright 2026 The eventlet-cpp Authors.
//
// cross_hub.h: hand-off between hubs (and plain threads): an Event and a
// queue that any OS thread may signal, and whose waits park only the waiting
// greenthread on its own hub. A greenthread never moves between hubs; what
// crosses is the value, and a wake-up posted to the waiter's hub mailbox
// (hub/mailbox.h).
//
//   eventlet::CrossHubQueue<Job> jobs;
//   eventlet::run_on_hubs(2, [&](int hub) {
//     if (hub == 0) {
//       for (Job& j : work) jobs.put(std::move(j));  // never blocks
//     } else {
//       Job j = jobs.get();  // parks this greenthread until a job comes
//     }
//   });
//
// The hub-bound primitives (Event, Queue, Semaphore) are cheaper and must be
// used on one hub only; these take a mutex and, to wake a waiter on another
// hub, a mailbox post (hub/mailbox.h: a mutex and a vector push).
//
// Cost model (docs/PERFORMANCE.md, "Cross-hub hand-off"; bench/cross_hub.sh):
// - waiter's hub awake (running, or spinning for mail: Hub::set_handoff_spin)
//   — the post costs no system call and the hub finds it at its next check:
//   a few hundred ns to a few µs per hand-off, cache-line transfers and
//   switches;
// - waiter's hub asleep in epoll_wait — the post writes its eventfd and the
//   kernel wakes that thread: 10–30 µs per hand-off on the shared 2-vCPU VMs
//   (the futex-style wake-up of a sleeping thread is the floor of any
//   blocking hand-off there).
// A hub that just received mail spins up to 20 µs before it sleeps, so a
// ping-pong between two hubs with a free core each stays in the first case;
// when the cores are busy (more runnable threads than cores) the spin finds
// nothing, backs off, and hand-offs cost the second. Go's channels between
// goroutines cost ~170–250 ns on the same machine, partly because Go runs a
// woken goroutine on the waker's P (no thread crossing at all); a greenthread
// here never moves between hubs. Split work by connection, not by message.
//
// Waiting: FIFO among waiters, whatever their hub. A waiter woken and then
// killed (or timed out) before it took its item passes the item on to the
// next waiter (or back to the queue's front): nothing is lost. A waiter whose
// hub is destroyed while it waits is simply gone; nothing else is affected.
//
// Lifetime: the primitive must outlive every wait on it (it cannot unwind
// greenthreads of other hubs); its destructor does not check.
// Thread-safety: every member, from any thread; waits only from a greenthread
// (or main greenlet) of some hub, not from a hub's own greenlet (callbacks):
// HubUsageError, as for the hub-bound primitives.
#ifndef EVENTLET_GREENTHREAD_CROSS_HUB_H_
#define EVENTLET_GREENTHREAD_CROSS_HUB_H_

#include <cstddef>
#include <deque>
#include <exception>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <type_traits>
#include <utility>

#include "absl/time/time.h"
#include "greenthread/event.h"
#include "hub/hub.h"
#include "hub/mailbox.h"

namespace eventlet {
namespace internal {

// A greenthread parked on a cross-hub primitive. `woken` is touched only on
// the waiter's own hub (by the waiter and by the posted wake-up); `item` only
// under the primitive's mutex.
template <typename T>
struct CrossHubWaiter {
  std::shared_ptr<Mailbox> mailbox = Hub::current().mailbox();
  Event<> woken;
  std::optional<T> item;  // CrossHubQueue: the item handed to this waiter
};

// Posts the wake-up of `w` to its hub. If that hub is gone the waiter is
// gone too: nothing to do.
template <typename T>
void wake_cross_hub(const std::shared_ptr<CrossHubWaiter<T>>& w) {
  w->mailbox->post([w] {
    if (!w->woken.ready()) w->woken.send();
  });
}

// Removes `w` from `waiters` (if still there).
template <typename T>
void erase_waiter(std::deque<std::shared_ptr<CrossHubWaiter<T>>>& waiters,
                  const std::shared_ptr<CrossHubWaiter<T>>& w) {
  for (auto it = waiters.begin(); it != waiters.end(); ++it) {
    if (*it == w) {
      waiters.erase(it);
      return;
    }
  }
}

struct NoValue {};

}  // namespace internal

// A one-shot event any thread may send. T = void: no value.
template <typename T = void>
class CrossHubEvent {
  using Stored = std::conditional_t<std::is_void_v<T>, internal::NoValue, T>;
  using Waiter = internal::CrossHubWaiter<internal::NoValue>;

 public:
  CrossHubEvent() = default;
  CrossHubEvent(const CrossHubEvent&) = delete;
  CrossHubEvent& operator=(const CrossHubEvent&) = delete;

  // Stores the value and wakes every waiter (each on its own hub). Never
  // blocks. Throws std::logic_error if already sent.
  template <typename... V>
  void send(V&&... value) {
    if (!try_send(std::forward<V>(value)...)) {
      throw std::logic_error("Trying to re-send() an already-triggered event.");
    }
  }
  // As send(), but if the event was already sent it returns false (and
  // keeps the first value) instead of throwing: for a signal that several
  // threads may raise at once (a stop request).
  template <typename... V>
  bool try_send(V&&... value) {
    std::deque<std::shared_ptr<Waiter>> waiters;
    {
      std::lock_guard lock(mutex_);
      if (value_) return false;
      value_.emplace(std::forward<V>(value)...);
      waiters.swap(waiters_);
    }
    for (const auto& w : waiters) internal::wake_cross_hub(w);
    return true;
  }
  bool ready() const {
    std::lock_guard lock(mutex_);
    return value_.has_value();
  }

  // Parks the calling greenthread until sent; returns (a copy of) the value.
  auto wait() {
    if (std::shared_ptr<Waiter> w = enlist()) park(w, std::nullopt);
    return result();
  }
  // As wait(), but gives up after `timeout`: false (T = void) or nullopt.
  auto wait(absl::Duration timeout) {
    std::shared_ptr<Waiter> w = enlist();
    const bool sent = !w || park(w, timeout);
    if constexpr (std::is_void_v<T>) {
      return sent;
    } else {
      return sent ? std::optional<T>(result()) : std::nullopt;
    }
  }

 private:
  // Null if already sent; else a new waiter, queued.
  std::shared_ptr<Waiter> enlist() {
    std::lock_guard lock(mutex_);
    if (value_) return nullptr;
    auto w = std::make_shared<Waiter>();
    waiters_.push_back(w);
    return w;
  }
  // Waits for the wake-up; false on timeout (the waiter has left the list).
  bool park(const std::shared_ptr<Waiter>& w,
            std::optional<absl::Duration> timeout) {
    try {
      if (!timeout) {
        w->woken.wait();
        return true;
      }
      if (w->woken.wait(*timeout)) return true;
    } catch (...) {
      std::lock_guard lock(mutex_);
      internal::erase_waiter(waiters_, w);
      throw;
    }
    std::lock_guard lock(mutex_);
    internal::erase_waiter(waiters_, w);
    return value_.has_value();  // sent just as the timeout fired
  }
  auto result() {
    std::lock_guard lock(mutex_);
    if constexpr (std::is_void_v<T>) {
      return;
    } else {
      return T(*value_);
    }
  }

  mutable std::mutex mutex_;
  std::optional<Stored> value_;
  std::deque<std::shared_ptr<Waiter>> waiters_;
};

// An unbounded multi-producer, multi-consumer FIFO queue across hubs.
template <typename T>
class CrossHubQueue {
  using Getter = internal::CrossHubWaiter<T>;

 public:
  CrossHubQueue() = default;
  CrossHubQueue(const CrossHubQueue&) = delete;
  CrossHubQueue& operator=(const CrossHubQueue&) = delete;

  // Hands `item` to the longest-waiting getter (waking it on its hub), or
  // queues it. Never blocks; any thread.
  void put(T item) {
    std::shared_ptr<Getter> getter;
    {
      std::lock_guard lock(mutex_);
      getter = hand_over(std::move(item));
    }
    if (getter) internal::wake_cross_hub(getter);
  }

  // Parks the calling greenthread until an item is there; returns it.
  T get() { return *get_impl(std::nullopt); }
  // As get(), but gives up after `timeout` (nullopt).
  std::optional<T> get(absl::Duration timeout) { return get_impl(timeout); }
  // An item if one is queued, else nullopt. Never blocks.
  std::optional<T> get_nowait() {
    std::lock_guard lock(mutex_);
    return pop_locked();
  }
  // Items queued (not yet handed to a getter).
  std::size_t size() const {
    std::lock_guard lock(mutex_);
    return items_.size();
  }
  // Greenthreads waiting in get().
  std::size_t getters() const {
    std::lock_guard lock(mutex_);
    return getters_.size();
  }

 private:
  std::optional<T> pop_locked() {
    if (items_.empty()) return std::nullopt;
    std::optional<T> item(std::move(items_.front()));
    items_.pop_front();
    return item;
  }
  // Under the mutex: gives `item` to the first getter (returned, to be woken
  // once the mutex is released) or queues it (at the front if `front`).
  std::shared_ptr<Getter> hand_over(T item, bool front = false) {
    if (!getters_.empty()) {
      std::shared_ptr<Getter> getter = std::move(getters_.front());
      getters_.pop_front();
      getter->item.emplace(std::move(item));
      return getter;
    }
    if (front) {
      items_.push_front(std::move(item));
    } else {
      items_.push_back(std::move(item));
    }
    return nullptr;
  }
  // A getter leaving without its item: passes an item it was handed on.
  void leave(const std::shared_ptr<Getter>& g) {
    std::shared_ptr<Getter> next;
    {
      std::lock_guard lock(mutex_);
      internal::erase_waiter(getters_, g);
      if (g->item) next = hand_over(std::move(*g->item), /*front=*/true);
      g->item.reset();
    }
    if (next) internal::wake_cross_hub(next);
  }

  std::optional<T> get_impl(std::optional<absl::Duration> timeout) {
    std::shared_ptr<Getter> g;
    {
      std::lock_guard lock(mutex_);
      if (std::optional<T> item = pop_locked()) return item;
      g = std::make_shared<Getter>();
      getters_.push_back(g);
    }
    bool woken;
    try {
      woken = timeout ? g->woken.wait(*timeout) : (g->woken.wait(), true);
    } catch (...) {
      leave(g);
      throw;
    }
    std::lock_guard lock(mutex_);
    if (!woken && !g->item) {
      internal::erase_waiter(getters_, g);
      return std::nullopt;
    }
    // Woken, or handed an item just as the timeout fired.
    return std::move(g->item);
  }

  mutable std::mutex mutex_;
  std::deque<T> items_;
  std::deque<std::shared_ptr<Getter>> getters_;
};

}  // namespace eventlet

#endif  // EVENTLET_GREENTHREAD_CROSS_HUB_H_
