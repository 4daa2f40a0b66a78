// Copyright 2026 The eventlet-cpp Authors.
//
// event.h: eventlet's Event, a one-shot result with any number of waiters.
//
//   eventlet::Event<int> done;
//   eventlet::spawn([&] { done.send(42); });
//   int v = done.wait();            // parks until send()
//
// wait() on an event already sent does not block, but is one operation of
// the hub's cooperative budget (hub.h): after coop_budget() of them in a row
// without switching, the next yields once first.
//
// send() never yields: waiters are woken FIFO at the hub's next pass (eventlet
// keeps them in a set; we define FIFO). Sending twice is an error until
// reset(). wait() returns the value (or rethrows the exception sent) as often
// as it is called. wait(timeout) returns nullopt (Event<void>: false) if
// nothing was sent in time.
//
// Threading and lifetime: use an Event on one hub's OS thread. Destroying it
// while greenthreads wait on it unwinds them (GreenletExit at their switch
// point; main gets it at the next pass) without parking the destroyer. wait()
// is a blocking call: calling it from the hub greenlet (a timer callback)
// throws HubUsageError.
#ifndef EVENTLET_GREENTHREAD_EVENT_H_
#define EVENTLET_GREENTHREAD_EVENT_H_

#include <exception>
#include <optional>
#include <stdexcept>
#include <utility>

#include "absl/time/time.h"
#include "hub/hub.h"
#include "hub/hub_affinity.h"
#include "hub/internal/hub_access.h"

namespace eventlet {
namespace internal {

// What every Event<T> shares: readiness, the exception, the waiters.
class EventBase {
 public:
  bool ready() const { return state_ != kEmpty; }
  bool has_result() const { return state_ == kValue; }
  bool has_exception() const { return state_ == kException; }
  // Greenthreads parked in wait().
  std::size_t waiting() const { return waiters_.size(); }
  // The exception sent, or null (not sent, or sent a value). Never blocks.
  std::exception_ptr exception() const {
    return state_ == kException ? error_ : nullptr;
  }
  // Rethrows the exception sent, if any. Never blocks.
  void rethrow_if_exception() const {
    if (state_ == kException) std::rethrow_exception(error_);
  }

  // Stores an exception that every wait() rethrows, and wakes every waiter.
  // Never yields. Throws std::logic_error if already sent,
  // std::invalid_argument for a null exception.
  void send_exception(std::exception_ptr error) {
    check_not_sent();
    if (!error)
      throw std::invalid_argument("Event::send_exception: null exception");
    mark_sent(std::move(error));
  }
  template <typename E>
  void send_exception(E error) {
    send_exception(std::make_exception_ptr(std::move(error)));
  }

 protected:
  EventBase() = default;
  // Greenthreads still waiting could never be woken: they are unwound
  // (Hub::unwind_waiters). Never parks.
  ~EventBase() {
    if (!waiters_.empty())
      internal::HubAccess::unwind_waiters(Hub::current(), waiters_);
  }
  EventBase(const EventBase&) = delete;
  EventBase& operator=(const EventBase&) = delete;

  // Throws std::logic_error (eventlet's text) if already sent.
  void check_not_sent() const {
    if (ready())
      throw std::logic_error("Trying to re-send() an already-triggered event.");
  }
  // error_ is null while the event is fresh (reset_base() clears it).
  void mark_sent() {
    state_ = kValue;
    wake_waiters();
  }
  void mark_sent(std::exception_ptr error) {
    error_ = std::move(error);
    state_ = kException;
    wake_waiters();
  }
  // The sender becomes the last toucher; waiters are woken as "event_send".
  void wake_waiters() {
    if constexpr (kHubAffinityChecks) affinity_.check(object_);
    if (waiters_.empty()) {
      internal::HubAccess::touch(object_);
    } else {
      internal::HubAccess::wake_all(Hub::current(), waiters_, object_,
                                    "event_send");
    }
  }
  // Parks until ready or timeout. Returns false on timeout. Always inlined:
  // the switch then happens in the frame of whoever waits (see Hub::wait_in).
  [[gnu::always_inline]] bool wait_ready(
      std::optional<absl::Duration> timeout) {
    if constexpr (kHubAffinityChecks) affinity_.check(object_);
    // Already sent: one operation of the cooperative budget (hub.h). It may
    // yield, so the loop re-checks.
    if (ready()) [[likely]]
      Hub::coop_charge_current();
    while (!ready()) {
      if (!internal::HubAccess::wait_in(Hub::current(), waiters_, timeout,
                                        "Event::wait", nullptr, &object_))
        return ready();
    }
    return true;
  }
  // Throws std::logic_error (eventlet's text) on a fresh event.
  void reset_base() {
    if constexpr (kHubAffinityChecks) affinity_.check(object_);
    if (!ready()) throw std::logic_error("Trying to re-reset() a fresh event.");
    state_ = kEmpty;
    error_ = nullptr;
    internal::HubAccess::touch(object_);
  }

 private:
  enum State : unsigned char { kEmpty, kValue, kException };
  State state_ = kEmpty;
  std::exception_ptr error_;
  WaitQueue waiters_;
  WaitObject object_{"Event"};
  // Its hub, checked in debug builds (hub/hub_affinity.h).
  [[no_unique_address]] HubAffinity affinity_;
};

}  // namespace internal

template <typename T = void>
class Event : public internal::EventBase {
 public:
  Event() = default;

  // Stores `value` and wakes every waiter. Never yields.
  void send(T value) {
    check_not_sent();
    value_.emplace(std::move(value));
    mark_sent();
  }
  // Stores an exception that every wait() rethrows.

  // Parks until sent; returns the value (valid until reset() or destruction)
  // or rethrows the exception.
  [[gnu::always_inline]] const T& wait() {
    wait_ready(std::nullopt);
    rethrow_if_exception();
    return *value_;
  }
  // As wait(), but gives up after `timeout` and returns nullopt.
  std::optional<T> wait(absl::Duration timeout) {
    if (!wait_ready(timeout)) return std::nullopt;
    rethrow_if_exception();
    return *value_;
  }
  // The value if sent (not an exception), else null. Never blocks.
  const T* poll() const { return has_result() ? &*value_ : nullptr; }

  // Makes the event fresh again (eventlet calls this a misfeature). Waiters
  // already woken by the previous send() but not yet run keep waiting.
  void reset() {
    reset_base();
    value_.reset();
  }

 private:
  std::optional<T> value_;
};

template <>
class Event<void> : public internal::EventBase {
 public:
  Event() = default;
  void send() {
    check_not_sent();
    mark_sent();
  }
  [[gnu::always_inline]] void wait() {
    wait_ready(std::nullopt);
    rethrow_if_exception();
  }
  // Returns false on timeout.
  bool wait(absl::Duration timeout) {
    if (!wait_ready(timeout)) return false;
    rethrow_if_exception();
    return true;
  }
  void reset() { reset_base(); }
};

}  // namespace eventlet

#endif  // EVENTLET_GREENTHREAD_EVENT_H_
