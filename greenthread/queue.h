// Copyright 2026 The eventlet-cpp Authors.
//
// queue.h: eventlet's green queues — LightQueue, Queue, PriorityQueue,
// LifoQueue — for passing values between greenthreads.
//
//   eventlet::Queue<std::string> jobs(100);     // at most 100 queued
//   eventlet::spawn([&] { jobs.put("work"); });
//   std::string job = jobs.get();                // parks until an item comes
//   jobs.task_done();
//
// Capacity: unbounded by default (std::nullopt, or a negative size). A size of
// 0 makes a channel: put() waits until a getter takes the item, and empty()
// and full() are both true (as in eventlet).
//
// Fairness: getters and putters are served FIFO (eventlet keeps them in sets:
// unspecified order). An item is handed straight to a waiting getter, and a
// waiting putter's item moves into the queue as soon as there is room, so no
// greenthread can barge ahead of one that waits. put() into a queue with room
// and get() from a non-empty one do not block, but (block=true) each is one
// operation of the hub's cooperative budget (hub.h): after coop_budget() of
// them in a row without switching, the next yields once first.
// put_nowait()/get_nowait() never yield.
//
// Errors: put(block=false) on a full queue and a put() that times out throw
// QueueFull; get(block=false) on an empty queue and a get() that times out
// throw QueueEmpty. Blocking from the hub greenlet throws HubUsageError.
// A getter killed after being handed an item puts it back at the front.
//
// Element types may be move-only. Use a queue on one hub's OS thread.
// Destroying it while greenthreads wait in get(), put() or join() unwinds
// them (GreenletExit) without parking the destroyer.
#ifndef EVENTLET_GREENTHREAD_QUEUE_H_
#define EVENTLET_GREENTHREAD_QUEUE_H_

#include <algorithm>
#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <stdexcept>
#include <utility>
#include <vector>

#include "absl/time/time.h"
#include "hub/hub.h"
#include "hub/hub_affinity.h"
#include "hub/internal/hub_access.h"

namespace eventlet {

class QueueFull : public std::runtime_error {
 public:
  QueueFull() : std::runtime_error("queue is full") {}
};
class QueueEmpty : public std::runtime_error {
 public:
  QueueEmpty() : std::runtime_error("queue is empty") {}
};

namespace internal {

// Storage policies: push, pop (next item out), push_back_out (return an item
// so that it is the next one out again), size.
template <typename T>
class FifoStore {
 public:
  void push(T item) { items_.push_back(std::move(item)); }
  T pop() {
    T item = std::move(items_.front());
    items_.pop_front();
    return item;
  }
  void push_back_out(T item) { items_.push_front(std::move(item)); }
  std::size_t size() const { return items_.size(); }

 private:
  std::deque<T> items_;
};

template <typename T>
class LifoStore {
 public:
  void push(T item) { items_.push_back(std::move(item)); }
  T pop() {
    T item = std::move(items_.back());
    items_.pop_back();
    return item;
  }
  void push_back_out(T item) { push(std::move(item)); }
  std::size_t size() const { return items_.size(); }

 private:
  std::vector<T> items_;
};

// Lowest first (by Compare, std::less by default), like eventlet's heapq.
template <typename T, typename Compare>
class PriorityStore {
 public:
  void push(T item) {
    items_.push_back(std::move(item));
    std::push_heap(items_.begin(), items_.end(), Greater{});
  }
  T pop() {
    std::pop_heap(items_.begin(), items_.end(), Greater{});
    T item = std::move(items_.back());
    items_.pop_back();
    return item;
  }
  void push_back_out(T item) { push(std::move(item)); }
  std::size_t size() const { return items_.size(); }

 private:
  struct Greater {
    bool operator()(const T& a, const T& b) const { return Compare{}(b, a); }
  };
  std::vector<T> items_;
};

}  // namespace internal

template <typename T, typename Store = internal::FifoStore<T>>
class BasicLightQueue {
 public:
  // std::nullopt or a negative size: unbounded. 0: a channel.
  explicit BasicLightQueue(std::optional<std::int64_t> maxsize = std::nullopt) {
    set_maxsize(maxsize);
  }
  // Greenthreads still blocked in get() or put() are unwound
  // (Hub::unwind_waiters); never parks.
  virtual ~BasicLightQueue() {
    if (!getters_.empty() || !putters_.empty()) {
      Hub& hub = Hub::current();
      internal::HubAccess::unwind_waiters(hub, putters_);
      internal::HubAccess::unwind_waiters(hub, getters_);
    }
  }
  BasicLightQueue(const BasicLightQueue&) = delete;
  BasicLightQueue& operator=(const BasicLightQueue&) = delete;

  // Adds `item`, waiting for room if the queue is full (block=false: throw
  // QueueFull at once; timeout: throw QueueFull when it elapses).
  void put(T item, bool block = true,
           std::optional<absl::Duration> timeout = std::nullopt) {
    if constexpr (kHubAffinityChecks) affinity_.check(object_);
    if (block) Hub::coop_charge_current();
    if (!getters_.empty()) {
      hand_to_getter(std::move(item));
      return;
    }
    if (!full()) {
      internal::HubAccess::touch(object_);
      store_.push(std::move(item));
      on_put();
      return;
    }
    if (!block) throw QueueFull();
    // Wait with the item; whoever makes room takes it from here.
    if (!internal::HubAccess::wait_in(Hub::current(), putters_, timeout,
                                      "Queue::put", &item, &object_))
      throw QueueFull();
  }
  void put_nowait(T item) { put(std::move(item), false); }

  // Removes and returns the next item, waiting for one if the queue is empty
  // (block=false: throw QueueEmpty at once; timeout: throw QueueEmpty when it
  // elapses).
  T get(bool block = true,
        std::optional<absl::Duration> timeout = std::nullopt) {
    if constexpr (kHubAffinityChecks) affinity_.check(object_);
    if (block) Hub::coop_charge_current();
    if (store_.size() != 0) {
      internal::HubAccess::touch(object_);
      T item = store_.pop();
      admit_putters();
      return item;
    }
    if (!putters_.empty()) return take_from_putter();  // a channel
    if (!block) throw QueueEmpty();
    struct Slot {
      BasicLightQueue* queue;
      std::optional<T> item;
      bool delivered = false;
      ~Slot() {
        // Killed after an item was handed over: it goes back, first in line.
        if (item && !delivered) queue->return_item(std::move(*item));
      }
    } slot{this, std::nullopt};
    if (!internal::HubAccess::wait_in(Hub::current(), getters_, timeout,
                                      "Queue::get", &slot.item, &object_))
      throw QueueEmpty();
    slot.delivered = true;
    return std::move(*slot.item);
  }
  T get_nowait() { return get(false); }

  std::size_t qsize() const { return store_.size(); }
  bool empty() const { return store_.size() == 0; }
  bool full() const {
    return maxsize_ >= 0 &&
           static_cast<std::int64_t>(store_.size()) >= maxsize_;
  }
  // std::nullopt if unbounded.
  std::optional<std::int64_t> maxsize() const {
    return maxsize_ < 0 ? std::nullopt : std::optional<std::int64_t>(maxsize_);
  }
  // Changes the capacity; waiting putters whose items now fit are admitted.
  void resize(std::optional<std::int64_t> maxsize) {
    if constexpr (kHubAffinityChecks) affinity_.check(object_);
    set_maxsize(maxsize);
    admit_putters();
  }
  // Greenthreads blocked in get() / put().
  std::size_t getting() const { return getters_.size(); }
  std::size_t putting() const { return putters_.size(); }

 protected:
  // Called once per item that entered the queue (Queue counts tasks).
  virtual void on_put() {}

 private:
  void set_maxsize(std::optional<std::int64_t> maxsize) {
    maxsize_ = maxsize && *maxsize >= 0 ? *maxsize : -1;
  }
  // Gives `item` to the longest-waiting getter (there must be one).
  void give_to_first_getter(T item) {
    internal::Waiter* w = internal::HubAccess::wake_one(
        Hub::current(), getters_, object_, "queue_put");
    static_cast<std::optional<T>*>(w->payload)->emplace(std::move(item));
  }
  void hand_to_getter(T item) {
    give_to_first_getter(std::move(item));
    on_put();
  }
  T take_from_putter() {
    internal::Waiter* w = internal::HubAccess::wake_one(
        Hub::current(), putters_, object_, "queue_get");
    T item = std::move(*static_cast<T*>(w->payload));
    on_put();
    return item;
  }
  // Moves waiting putters' items into the queue while there is room.
  void admit_putters() {
    while (!putters_.empty() && !full()) {
      internal::Waiter* w = internal::HubAccess::wake_one(
          Hub::current(), putters_, object_, "queue_get");
      store_.push(std::move(*static_cast<T*>(w->payload)));
      on_put();
    }
  }
  void return_item(T item) {
    if (!getters_.empty()) {
      give_to_first_getter(std::move(item));
    } else {
      store_.push_back_out(std::move(item));
    }
  }

  Store store_;
  std::int64_t maxsize_ = -1;
  internal::WaitQueue getters_;
  internal::WaitQueue putters_;

 protected:
  // Its identity in traces and deadlock reports.
  internal::WaitObject object_{"Queue"};
  // Its hub, checked in debug builds (hub/hub_affinity.h).
  [[no_unique_address]] HubAffinity affinity_;
};

// A LightQueue that also counts unfinished tasks (task_done / join).
template <typename T, typename Store = internal::FifoStore<T>>
class BasicQueue : public BasicLightQueue<T, Store> {
 public:
  using BasicLightQueue<T, Store>::BasicLightQueue;
  // Greenthreads blocked in join() are unwound, as the base's waiters are.
  ~BasicQueue() override {
    if (!joiners_.empty())
      internal::HubAccess::unwind_waiters(Hub::current(), joiners_);
  }

  // Marks one item taken with get() as processed. Throws std::logic_error if
  // called more times than items were put.
  void task_done() {
    if constexpr (kHubAffinityChecks) this->affinity_.check(this->object_);
    if (unfinished_ == 0)
      throw std::logic_error("task_done() called too many times");
    if (--unfinished_ == 0 && !joiners_.empty())
      internal::HubAccess::wake_all(Hub::current(), joiners_, this->object_,
                                    "queue_task_done");
  }
  // Parks until every item put has been marked task_done().
  void join() {
    if constexpr (kHubAffinityChecks) this->affinity_.check(this->object_);
    while (unfinished_ > 0)
      internal::HubAccess::wait_in(Hub::current(), joiners_, std::nullopt,
                                   "Queue::join", nullptr, &this->object_);
  }
  std::size_t unfinished_tasks() const { return unfinished_; }

 private:
  void on_put() override { ++unfinished_; }
  std::size_t unfinished_ = 0;
  internal::WaitQueue joiners_;
};

template <typename T>
using LightQueue = BasicLightQueue<T, internal::FifoStore<T>>;
template <typename T>
using Queue = BasicQueue<T, internal::FifoStore<T>>;
template <typename T, typename Compare = std::less<T>>
using PriorityQueue = BasicQueue<T, internal::PriorityStore<T, Compare>>;
template <typename T>
using LifoQueue = BasicQueue<T, internal::LifoStore<T>>;

}  // namespace eventlet

#endif  // EVENTLET_GREENTHREAD_QUEUE_H_
