// Copyright 2026 The eventlet-cpp Authors.
//
// observer.h: a window on every scheduling event of a hub, for tracing
// (sim/: record, replay, explore) and debugging (debug/: creation stacks,
// blocking detection, dumps).
//
// Register one with Hub::add_observer(); it hears events until the returned
// ObserverRegistration is destroyed or reset():
//
//   struct Switches : HubObserver {
//     int n = 0;
//     void on_switch(const Greenlet&, const Greenlet&) override { ++n; }
//   } switches;
//   ObserverRegistration registered = Hub::current().add_observer(switches);
//   ...
//   registered.reset();  // or let it go out of scope
//
// Any number of observers may be registered, and each is unregistered on
// its own, in any order. Every event goes to each of them, the most recently
// registered first (as if each newer one forwarded to the older ones). The
// one query, object_creation_site(), is asked in that same order and the
// first non-empty answer wins.
//
// Each callback runs synchronously on the hub's OS thread, at the moment of
// the event, in whatever greenlet caused it. Callbacks must not block,
// switch, touch the hub's queues, or register or unregister observers; they
// may read the hub (counts, for_each_*). With no observer registered the hub
// pays one predictable branch per event; with one, a virtual call.
//
// Identities: greenlets by Greenlet::id() (main 0, hub -1); timers by their
// sequence number (TimerInfo::seq), unique per hub; listeners by (fd,
// event); primitives by ObjectInfo::id() once numbered.
#ifndef EVENTLET_HUB_OBSERVER_H_
#define EVENTLET_HUB_OBSERVER_H_

#include <cstddef>
#include <cstdint>
#include <exception>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "hub/backend.h"
#include "hub/greenlet.h"
#include "hub/internal/timer_node.h"
#include "hub/internal/wait_queue.h"

namespace eventlet {

class Hub;
namespace internal {
class ObserverList;
}  // namespace internal

// A timer as an observer sees it: a view valid for the duration of the
// callback (or of the for_each_timer visit) that hands it over.
class TimerInfo {
 public:
  // What firing does.
  enum class Action : std::uint8_t {
    kResume,    // resumes target() (a sleep, a wait's deadline, spawn_after)
    kThrow,     // raises an exception in target() (a Timeout)
    kCallback,  // runs a callback in the hub greenlet (schedule_call_*)
  };
  // Its sequence number: unique per hub, in scheduling order.
  std::uint64_t seq() const { return node_->seq; }
  // When it is due, in hub time (nanoseconds).
  std::int64_t deadline() const { return node_->deadline; }
  Action action() const { return static_cast<Action>(node_->action); }
  // The greenlet it resumes or throws into; null for a callback.
  const Greenlet* target() const {
    return action() == Action::kCallback ? nullptr : node_->target;
  }
  // Scheduled since the last prepare_timers (in next_timers, not the heap).
  bool pending() const {
    return node_->state == internal::TimerNode::State::kPending;
  }
  // A schedule_call_local callback (skipped if its greenthread has died).
  bool local() const;

 private:
  friend class Hub;
  friend class TimerList;
  explicit TimerInfo(const internal::TimerNode& node) : node_(&node) {}
  const internal::TimerNode* node_;
};

// The timers HubObserver::on_prepare_timers hands over, in scheduling order.
class TimerList {
 public:
  std::size_t size() const { return nodes_.size(); }
  bool empty() const { return nodes_.empty(); }
  TimerInfo operator[](std::size_t i) const { return TimerInfo(*nodes_[i]); }

 private:
  friend class Hub;
  explicit TimerList(std::span<internal::TimerNode* const> nodes)
      : nodes_(nodes) {}
  std::span<internal::TimerNode* const> nodes_;
};

// A synchronisation primitive (Event, Queue, Semaphore...) as an observer
// sees it: a view valid for the duration of the callback that hands it over.
class ObjectInfo {
 public:
  // "Event", "Queue", "Semaphore"...
  const char* kind() const { return object_->kind; }
  // Its number on its hub, given at its first wait (0 until then).
  std::uint64_t id() const { return object_->id; }
  // Greenlet::id() of the greenthread whose operation last changed it, if
  // any did.
  std::optional<std::int64_t> last_touch() const {
    if (object_->last_touch == internal::WaitObject::kNobody)
      return std::nullopt;
    return object_->last_touch;
  }
  // Identifies the object while it lives (for maps keyed by object; reused
  // after on_object_destroy).
  const void* address() const { return object_; }

 private:
  friend class Hub;
  friend void internal::note_object_created(internal::WaitObject& object);
  friend void internal::note_object_destroyed(internal::WaitObject& object);
  explicit ObjectInfo(const internal::WaitObject& object) : object_(&object) {}
  const internal::WaitObject* object_;
};

class HubObserver {
 public:
  virtual ~HubObserver() = default;

  // A greenlet was created (spawn, spawn_n, spawn_after...) by `creator`.
  virtual void on_spawn(const Greenlet& /*g*/, const Greenlet& /*creator*/) {}
  // The CPU goes from `from` to `to` (a context switch).
  virtual void on_switch(const Greenlet& /*from*/, const Greenlet& /*to*/) {}
  // `g` parks; `waiting_on` says on what ("sleep", "Event::wait", "read fd").
  virtual void on_block(const Greenlet& /*g*/, const char* /*waiting_on*/) {}
  // A zero-delay wake-up of `g` was queued by `waker` (spawn's start, sleep(0),
  // a primitive waking a waiter) as timer number `timer` (the ready entry's
  // sequence number, from the same counter as TimerInfo::seq).
  virtual void on_ready(const Greenlet& /*g*/, const Greenlet& /*waker*/,
                        std::uint64_t /*timer*/) {}
  // The running greenlet does `op` ("event_send", "queue_put",
  // "sem_release"...) on the primitive `object` (numbered already), which
  // wakes `woken` (in queue order): the on_ready calls for them follow at
  // once, one per entry.
  virtual void on_wake(const char* /*op*/, const ObjectInfo& /*object*/,
                       std::span<const Greenlet* const> /*woken*/) {}
  // `g` finished (returned, raised, or was dropped before it started).
  virtual void on_exit(const Greenlet& /*g*/) {}
  // An exception reached the hub's exception hook.
  virtual void on_exception(std::exception_ptr /*error*/,
                            std::string_view /*where*/) {}

  // Timers: added (to next_timers), fired, cancelled.
  virtual void on_timer_add(const TimerInfo& /*t*/) {}
  virtual void on_timer_fire(const TimerInfo& /*t*/) {}
  virtual void on_timer_cancel(const TimerInfo& /*t*/) {}

  // fd listeners: `g` starts waiting on (fd, event); the fd became ready for
  // it; its wait ended (ready, timed out, closed or interrupted).
  virtual void on_listen_add(int /*fd*/, IoEvents /*event*/,
                             const Greenlet& /*g*/) {}
  virtual void on_listen_fire(int /*fd*/, IoEvents /*event*/,
                              const Greenlet& /*g*/) {}
  virtual void on_listen_remove(int /*fd*/, IoEvents /*event*/,
                                const Greenlet& /*g*/) {}

  // A primitive was created on this hub's thread (only while
  // internal::object_creation_watchers is non-zero). Return true to hear of
  // its destruction (on_object_destroy): an observer that keeps something
  // about it does. Every observer is asked.
  virtual bool on_object_create(const ObjectInfo& /*object*/) { return false; }
  virtual void on_object_destroy(const ObjectInfo& /*object*/) {}
  // Where `object` was created, if this observer recorded it
  // (debug::hub_object_stacks): a stack, one frame a line, or "" if unknown.
  // Ask the hub (Hub::object_creation_site), which asks every observer.
  virtual std::string object_creation_site(const ObjectInfo& /*object*/) {
    return "";
  }
  // eventlet's prepare_timers: the timers scheduled since the last prepare
  // (next_timers, in scheduling order) join the heap. Only when there is at
  // least one.
  virtual void on_prepare_timers(const TimerList& /*timers*/) {}
  // Loop phases: a timer pass begins at hub time `when`; the hub polls I/O
  // until `deadline` (Backend::kNoDeadline: no limit); the poll returned
  // `ready` fds.
  virtual void on_pass(std::int64_t /*when*/) {}
  virtual void on_poll(std::int64_t /*deadline*/) {}
  virtual void on_poll_done(std::size_t /*ready*/) {}
};

// Keeps an observer registered with a hub (Hub::add_observer) for as long as
// it lives: destroying it, reset() or assigning another registration to it
// unregisters the observer. Movable, not copyable. Use it on the hub's
// thread. If the hub is destroyed first the registration just ends (the
// hub's teardown is still observed).
class [[nodiscard]] ObserverRegistration {
 public:
  ObserverRegistration() = default;
  ObserverRegistration(ObserverRegistration&& other) noexcept;
  ObserverRegistration& operator=(ObserverRegistration&& other) noexcept;
  ~ObserverRegistration() { reset(); }
  // Unregisters the observer now (nothing if there is none, or its hub is
  // gone). Not from inside an observer callback.
  void reset() noexcept;
  // True while the observer is registered.
  bool active() const { return list_ != nullptr; }

 private:
  friend class Hub;
  friend class internal::ObserverList;
  ObserverRegistration(internal::ObserverList* list, HubObserver* observer);
  internal::ObserverList* list_ = nullptr;
  HubObserver* observer_ = nullptr;
};

// Decides the order of equally-ready work, for seeded schedule exploration
// (sim/). Installed with Hub::set_tie_breaker(); by default (none) the order
// is FIFO, eventlet's. At the start of every timer pass the zero-delay
// wake-ups of that pass are put in the order pick() chooses: given the
// greenlets still unplaced (oldest first; an entry whose wait is already over
// still counts), it returns the index of the one that goes next.
class TieBreaker {
 public:
  virtual ~TieBreaker() = default;
  virtual std::size_t pick(std::span<const Greenlet* const> candidates) = 0;
};

}  // namespace eventlet

#endif  // EVENTLET_HUB_OBSERVER_H_
