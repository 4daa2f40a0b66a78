// Copyright 2026 The eventlet-cpp Authors.
//
// timeout.h: eventlet's Timeout, as a scoped object.
//
//   try {
//     eventlet::Timeout t(absl::Milliseconds(50));
//     reply = queue.get();            // blocks at most ~50 ms
//   } catch (const eventlet::TimeoutExpired& e) {
//     // e.source() == &t identifies which Timeout fired
//   }
//
// A Timeout raises TimeoutExpired (or the exception given) in the greenthread
// that created it, at that greenthread's next switch point after the delay:
// a greenthread that never yields is never interrupted. Destroying or
// cancel()ing it first prevents that. Nested Timeouts work: an outer one
// firing passes through inner scopes (their Timeouts do not claim it).
//
// Scope safety (eventlet's pitfall: a forgotten Timeout fires later into
// unrelated code): a Timeout must be a local variable of the greenthread that
// creates it — the constructor throws std::logic_error otherwise — so it is
// always cancelled when its scope ends.
//
// Silent form (eventlet's `with Timeout(d, False):`): `with_silent_timeout(d,
// f)` runs f under a silent Timeout; if that Timeout fires, the block ends
// quietly and the call returns false. A `Timeout(d, kSilent)` used by hand
// still raises TimeoutExpired: the helper is what swallows it.
//
// Restarting: cancel() (or expiry) stops the timer; start() schedules it
// again, `delay()` from now. start() on a pending Timeout throws
// std::logic_error (eventlet asserts the same).
//
// is_timeout(e) (eventlet.timeout.is_timeout): true for TimeoutExpired,
// TimeoutError (trampoline's), a std::system_error whose code is
// std::errc::timed_out, and any exception deriving from TimeoutTag (eventlet's
// wrap_is_timeout).
//
// Blocking: creating one never blocks. Not for use in the hub greenlet
// (throws HubUsageError).
#ifndef EVENTLET_GREENTHREAD_TIMEOUT_H_
#define EVENTLET_GREENTHREAD_TIMEOUT_H_

#include <exception>
#include <functional>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>

#include "absl/time/time.h"
#include "hub/errors.h"
#include "hub/hub.h"
#include "hub/hub_affinity.h"

namespace eventlet {

// Selects the silent form: Timeout(delay, kSilent).
struct SilentTimeout {
  explicit constexpr SilentTimeout() = default;
};
inline constexpr SilentTimeout kSilent{};

// Derive an exception type from TimeoutTag to make is_timeout() true for it.
struct TimeoutTag {};

class Timeout {
 public:
  // Starts the timer. absl::InfiniteDuration() never fires (eventlet's None).
  explicit Timeout(absl::Duration delay);
  // As above, but raises `error` instead of TimeoutExpired.
  Timeout(absl::Duration delay, std::exception_ptr error);
  // The silent form: raises TimeoutExpired, which with_silent_timeout()
  // swallows; describe() says "(silent)".
  Timeout(absl::Duration delay, SilentTimeout);
  ~Timeout();
  Timeout(const Timeout&) = delete;
  Timeout& operator=(const Timeout&) = delete;

  // Schedules the timer again, delay() from now, after cancel() or expiry.
  // Throws std::logic_error if it is pending. A no-op for an infinite delay.
  void start();
  // Stops the timer. Idempotent.
  void cancel();
  // True while the timer is running (not fired, not cancelled).
  bool pending() const;
  absl::Duration delay() const { return delay_; }
  bool silent() const { return silent_; }
  // True if `e` was raised by this Timeout.
  bool owns(const TimeoutExpired& e) const { return e.source() == this; }
  // eventlet's str(Timeout): "1 second", "0.05 seconds", with " (silent)" for
  // the silent form and " (<exception>)" when it raises a given exception
  // (described as describe_exception() does: "Type: message"). "" for an
  // infinite delay.
  std::string describe() const;

 private:
  struct Node : internal::TimerNode {
    Node(Greenlet* target, Timeout* owner)
        : TimerNode(Action::kThrow, target), owner(owner) {}
    Timeout* owner;
  };
  static std::exception_ptr make_exception(internal::TimerNode* node);

  absl::Duration delay_;
  std::exception_ptr error_;
  bool silent_ = false;
  Node node_;
  // Its hub (bound by the constructor's start()), checked in debug builds
  // (hub/hub_affinity.h).
  [[no_unique_address]] HubAffinity affinity_;
};

// eventlet.timeout.is_timeout: see the header comment. False for null.
bool is_timeout(std::exception_ptr error);

// Runs f(args...) under a Timeout of `delay`; its own expiry propagates as
// TimeoutExpired, any other Timeout's passes through.
template <typename F, typename... Args>
decltype(auto) with_timeout(absl::Duration delay, F&& f, Args&&... args) {
  Timeout timeout(delay);
  return std::invoke(std::forward<F>(f), std::forward<Args>(args)...);
}

// Runs f(args...) under a Timeout of `delay`; if that Timeout expires, returns
// `timeout_value` instead (eventlet's with_timeout(..., timeout_value=v)).
template <typename T, typename F, typename... Args>
T with_timeout_or(absl::Duration delay, T timeout_value, F&& f,
                  Args&&... args) {
  Timeout timeout(delay);
  try {
    return std::invoke(std::forward<F>(f), std::forward<Args>(args)...);
  } catch (const TimeoutExpired& e) {
    if (!timeout.owns(e)) throw;
    return timeout_value;
  }
}

// eventlet's `with Timeout(delay, False): f(args...)`: runs f under a silent
// Timeout of `delay`. Returns true if f returned, false if that Timeout fired
// (the block ended quietly). Any other exception, another Timeout's expiry
// included, propagates. f's result, if any, is discarded (for a value, use
// with_timeout_or).
template <typename F, typename... Args>
bool with_silent_timeout(absl::Duration delay, F&& f, Args&&... args) {
  Timeout timeout(delay, kSilent);
  try {
    std::invoke(std::forward<F>(f), std::forward<Args>(args)...);
    return true;
  } catch (const TimeoutExpired& e) {
    if (!timeout.owns(e)) throw;
    return false;
  }
}

}  // namespace eventlet

#endif  // EVENTLET_GREENTHREAD_TIMEOUT_H_
