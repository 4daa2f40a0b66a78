// Copyright 2026 The eventlet-cpp Authors.
//
// timer.h: callbacks scheduled on the hub (Hub::schedule_call_global/local).
//
// A callback runs in the hub's own greenlet, so it must not block (sleeping or
// waiting there throws HubUsageError). An exception it throws goes to the
// hub's exception hook; the hub keeps running.
#ifndef EVENTLET_HUB_TIMER_H_
#define EVENTLET_HUB_TIMER_H_

#include <cstddef>
#include <utility>

#include "absl/functional/any_invocable.h"
#include "hub/greenlet.h"
#include "hub/internal/ref_counted.h"
#include "hub/internal/timer_node.h"

namespace eventlet {

class Hub;
class Greenlet;

namespace internal {

// A heap timer that runs a callback. Shared by the hub (while queued) and by
// TimerHandles.
class CallbackTimer final : public TimerNode, public RefCounted {
 public:
  CallbackTimer(Hub* hub, absl::AnyInvocable<void()>&& callback,
                RefPtr<LifeToken> owner_life)
      : TimerNode(Action::kCallback),
        hub(hub),
        owner_life(std::move(owner_life)),
        callback(std::move(callback)) {}
  // Recycled per thread (internal::BlockCache), not malloc'ed: one is made
  // per schedule_call_global/local. Defined in hub.cc.
  static void* operator new(std::size_t size);
  static void operator delete(void* p, std::size_t size);

  Hub* hub;  // null once the hub is gone
  // schedule_call_local: the callback is skipped if this greenlet has died.
  RefPtr<LifeToken> owner_life;
  bool called = false;
  absl::AnyInvocable<void()> callback;
};

}  // namespace internal

// Handle to a scheduled callback. Copyable; an empty handle is inert.
// Use on the hub's OS thread only.
class TimerHandle {
 public:
  TimerHandle() = default;

  // Prevents the callback from running. No-op if it already ran or was
  // cancelled, or if the hub is gone.
  void cancel();
  // True while the callback is scheduled and has neither run nor been
  // cancelled.
  bool pending() const { return timer_ && timer_->active(); }
  // True once the callback has started running.
  bool called() const { return timer_ && timer_->called; }

 private:
  friend class Hub;
  explicit TimerHandle(internal::RefPtr<internal::CallbackTimer> t)
      : timer_(std::move(t)) {}
  internal::RefPtr<internal::CallbackTimer> timer_;
};

// Owns a scheduled callback and cancels it when it goes out of scope (or is
// assigned over): the timer cannot outlive the state its callback refers to.
//   ScopedTimer retry = hub.schedule_call_global(d, [this] { ... });
// Move-only. release() gives the timer up (it then runs as scheduled).
// Cancelling never parks and is a no-op once the callback ran or the hub is
// gone, so destroying a ScopedTimer is safe at any time, teardown included.
// Use on the hub's OS thread only.
class ScopedTimer {
 public:
  ScopedTimer() = default;
  // Takes ownership of `handle`'s timer.
  ScopedTimer(TimerHandle handle) : handle_(std::move(handle)) {}  // NOLINT
  ~ScopedTimer() { handle_.cancel(); }
  ScopedTimer(ScopedTimer&& other) noexcept
      : handle_(std::exchange(other.handle_, TimerHandle())) {}
  ScopedTimer& operator=(ScopedTimer&& other) noexcept {
    if (this != &other) {
      handle_.cancel();
      handle_ = std::exchange(other.handle_, TimerHandle());
    }
    return *this;
  }
  ScopedTimer(const ScopedTimer&) = delete;
  ScopedTimer& operator=(const ScopedTimer&) = delete;

  void cancel() { handle_.cancel(); }
  bool pending() const { return handle_.pending(); }
  bool called() const { return handle_.called(); }
  // Stops owning the timer and returns its handle; this becomes empty.
  TimerHandle release() { return std::exchange(handle_, TimerHandle()); }

 private:
  TimerHandle handle_;
};

}  // namespace eventlet

#endif  // EVENTLET_HUB_TIMER_H_
