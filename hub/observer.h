// Copyright 2026 The eventlet-cpp Authors.
//
// observer.h: a window on every scheduling event of a hub, for tracing
// (sim/: record, replay, explore) and debugging (debug/: creation stacks,
// blocking detection, dumps).
//
// Install one with Hub::set_observer(). Each callback runs synchronously on
// the hub's OS thread, at the moment of the event, in whatever greenlet caused
// it. Callbacks must not block, switch, or touch the hub's queues; they may
// read the hub (counts, for_each_*). With no observer installed the hub pays
// one predictable branch per event.
//
// Identities: greenlets by Greenlet::id() (main 0, hub -1); timers by their
// sequence number (TimerNode::seq), unique per hub; listeners by (fd, event).
#ifndef EVENTLET_HUB_OBSERVER_H_
#define EVENTLET_HUB_OBSERVER_H_

#include <cstddef>
#include <cstdint>
#include <exception>
#include <span>
#include <string>
#include <string_view>

#include "hub/backend.h"
#include "hub/greenlet.h"
#include "hub/internal/timer_node.h"
#include "hub/internal/wait_queue.h"

namespace eventlet {

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
  // sequence number, from the same counter as TimerNode::seq).
  virtual void on_ready(const Greenlet& /*g*/, const Greenlet& /*waker*/,
                        std::uint64_t /*timer*/) {}
  // The running greenlet does `op` ("event_send", "queue_put",
  // "sem_release"...) on the primitive `object` (its id() already given),
  // which wakes `woken` (in queue order): the on_ready calls for them follow
  // at once, one per entry.
  virtual void on_wake(const char* /*op*/,
                       const internal::WaitObject& /*object*/,
                       std::span<const Greenlet* const> /*woken*/) {}
  // `g` finished (returned, raised, or was dropped before it started).
  virtual void on_exit(const Greenlet& /*g*/) {}
  // An exception reached the hub's exception hook.
  virtual void on_exception(std::exception_ptr /*error*/,
                            std::string_view /*where*/) {}

  // Timers: added (to next_timers), fired, cancelled.
  virtual void on_timer_add(const internal::TimerNode& /*t*/) {}
  virtual void on_timer_fire(const internal::TimerNode& /*t*/) {}
  virtual void on_timer_cancel(const internal::TimerNode& /*t*/) {}

  // fd listeners: `g` starts waiting on (fd, event); the fd became ready for
  // it; its wait ended (ready, timed out, closed or interrupted).
  virtual void on_listen_add(int /*fd*/, IoEvents /*event*/,
                             const Greenlet& /*g*/) {}
  virtual void on_listen_fire(int /*fd*/, IoEvents /*event*/,
                              const Greenlet& /*g*/) {}
  virtual void on_listen_remove(int /*fd*/, IoEvents /*event*/,
                                const Greenlet& /*g*/) {}

  // A primitive was created on this hub's thread (only while
  // internal::object_creation_watchers is non-zero). An observer that keeps
  // something about it sets object.creation_recorded, and then hears of its
  // destruction.
  virtual void on_object_create(internal::WaitObject& /*object*/) {}
  virtual void on_object_destroy(const internal::WaitObject& /*object*/) {}
  // Where `object` was created, if an observer in the chain recorded it
  // (debug::hub_object_stacks): a stack, one frame a line, or "" if unknown.
  virtual std::string object_creation_site(
      const internal::WaitObject& /*object*/) {
    return "";
  }
  // eventlet's prepare_timers: the timers scheduled since the last prepare
  // (next_timers, in scheduling order) join the heap. Only when there is at
  // least one.
  virtual void on_prepare_timers(
      std::span<internal::TimerNode* const> /*timers*/) {}
  // Loop phases: a timer pass begins at hub time `when`; the hub polls I/O
  // until `deadline` (Backend::kNoDeadline: no limit); the poll returned
  // `ready` fds.
  virtual void on_pass(std::int64_t /*when*/) {}
  virtual void on_poll(std::int64_t /*deadline*/) {}
  virtual void on_poll_done(std::size_t /*ready*/) {}
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
