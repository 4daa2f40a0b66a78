// Copyright 2026 The eventlet-cpp Authors.
//
// timer_node.h: the intrusive record every heap timer is made of.
//
// A TimerNode lives inside whatever owns the timer: a Greenlet (its sleep or
// delayed-start timer), a Timeout, a wait with a deadline, or a CallbackTimer.
// The owner must cancel it (Hub::cancel_timer) before the node's memory goes
// away; the hub never frees nodes.
#ifndef EVENTLET_HUB_INTERNAL_TIMER_NODE_H_
#define EVENTLET_HUB_INTERNAL_TIMER_NODE_H_

#include <cstdint>
#include <exception>

namespace eventlet {
class Greenlet;
}

namespace eventlet::internal {

struct TimerNode {
  enum class State : std::uint8_t {
    kIdle,       // never scheduled, or reset after it fired / was cancelled
    kPending,    // scheduled, waiting in next_timers for the next pass
    kScheduled,  // in the heap
    kFired,
    kCancelled,
  };
  enum class Action : std::uint8_t {
    kResume,    // resume `target` (it reads `state == kFired` to learn why)
    kThrow,     // resume `target` with make_exception(this) pending
    kCallback,  // run the owning CallbackTimer's callback in the hub greenlet
  };

  explicit TimerNode(Action a, Greenlet* t = nullptr) : action(a), target(t) {}
  TimerNode(const TimerNode&) = delete;
  TimerNode& operator=(const TimerNode&) = delete;

  bool active() const {
    return state == State::kPending || state == State::kScheduled;
  }

  std::int64_t deadline = 0;  // hub time, nanoseconds
  std::uint64_t seq = 0;      // tie-break: scheduling order
  // kPending: position in next_timers. kScheduled: position in the heap if
  // this node is its run's head (see TimerQueue), else unused.
  std::uint32_t index = 0;
  State state = State::kIdle;
  Action action;
  Greenlet* target;
  std::exception_ptr (*make_exception)(TimerNode*) = nullptr;
  // kScheduled: the neighbours in this node's run, the timers that follow one
  // another in (deadline, seq) order under one heap entry (null at the ends;
  // a null run_prev marks the head). Meaningless in other states.
  TimerNode* run_prev = nullptr;
  TimerNode* run_next = nullptr;
};

}  // namespace eventlet::internal

#endif  // EVENTLET_HUB_INTERNAL_TIMER_NODE_H_
