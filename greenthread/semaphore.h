// Copyright 2026 The eventlet-cpp Authors.
//
// semaphore.h: eventlet's Semaphore, BoundedSemaphore and CappedSemaphore.
//
//   eventlet::Semaphore slots(2);
//   {
//     std::lock_guard guard(slots);   // acquire(); release() at scope end
//     ...
//   }
//
// Fairness (a deliberate difference from eventlet): release() hands the count
// straight to the longest-waiting acquirer, so waiters are served strictly
// FIFO and nobody can barge in between. eventlet increments the counter and
// lets the woken waiter re-check it later, so a non-blocking acquire() made
// right after a release() takes the count and the waiter keeps waiting
// (oracle S10). Here that acquire() returns false and the waiter gets it.
//
// release() never yields. A blocking acquire() that finds a unit free is one
// operation of the hub's cooperative budget (hub.h): after coop_budget() of
// them in a row without switching, the next yields once first. acquire()
// blocks only the calling greenthread; a
// greenthread killed (or timed out) while waiting gives up its place, and
// one killed after being handed the count passes it on.
//
// Use on one hub's OS thread. Destroying a Semaphore while greenthreads wait
// on it unwinds them (GreenletExit) without parking the destroyer.
#ifndef EVENTLET_GREENTHREAD_SEMAPHORE_H_
#define EVENTLET_GREENTHREAD_SEMAPHORE_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/time/time.h"
#include "hub/hub.h"
#include "hub/hub_affinity.h"
#include "hub/internal/hub_access.h"

namespace eventlet {

class Semaphore {
 public:
  // Throws std::invalid_argument if `value` < 0 (eventlet's message).
  explicit Semaphore(std::int64_t value = 1);
  // Greenthreads still waiting are unwound (unwind_waiters()).
  virtual ~Semaphore() { unwind_waiters(); }
  Semaphore(const Semaphore&) = delete;
  Semaphore& operator=(const Semaphore&) = delete;

  // Takes one unit. blocking=false: returns false at once if none is free.
  // With a timeout: returns false if none came in time. Throws
  // std::invalid_argument for a timeout on a non-blocking acquire or a
  // negative timeout (eventlet's messages), HubUsageError from the hub
  // greenlet when it would block.
  bool acquire(bool blocking = true,
               std::optional<absl::Duration> timeout = std::nullopt);
  // Returns one unit: to the first waiter if any (it runs at the next pass),
  // else to the counter. Never yields.
  virtual void release();

  // True if acquire() would block.
  bool locked() const { return counter_ <= 0; }
  // Units free now.
  std::int64_t counter() const { return counter_; }
  // counter() minus the number of waiters (negative when greenthreads wait).
  std::int64_t balance() const {
    return counter_ - static_cast<std::int64_t>(waiters_.size());
  }
  // Greenthreads blocked in acquire().
  std::size_t waiting() const { return waiters_.size(); }
  virtual bool bounded() const { return false; }
  // eventlet's str(): "<Semaphore c=2 _w[0]>".
  std::string describe() const;

  // Lockable, so std::lock_guard / std::unique_lock work.
  void lock() { acquire(); }
  bool try_lock() { return acquire(false); }
  void unlock() { release(); }

  // Adds `delta` (may be negative) to the counter; a positive delta serves
  // waiters first. For pools that resize.
  void adjust(std::int64_t delta);

  // Unwinds every greenthread blocked in acquire() (Hub::unwind_waiters):
  // for owners being torn down. Never parks the caller.
  void unwind_waiters() {
    if (!waiters_.empty())
      internal::HubAccess::unwind_waiters(Hub::current(), waiters_);
  }

 private:
  std::int64_t counter_;
  internal::WaitQueue waiters_;
  internal::WaitObject object_{"Semaphore"};  // traces, deadlock reports
  // Its hub, checked in debug builds (hub/hub_affinity.h).
  [[no_unique_address]] HubAffinity affinity_;
};

// A Semaphore that refuses to be released above its initial value.
class BoundedSemaphore : public Semaphore {
 public:
  explicit BoundedSemaphore(std::int64_t value = 1)
      : Semaphore(value), limit_(value) {}
  // Throws std::logic_error("Semaphore released too many times").
  void release() override;
  bool bounded() const override { return true; }

 private:
  std::int64_t limit_;
};

// eventlet's CappedSemaphore: a counter between 0 and `limit`; acquire()
// blocks at 0 and release() blocks at `limit`. Built, as in eventlet, from two
// semaphores (release() bumps the count, then waits for room below the
// limit), so balance() has eventlet's (quirky) values.
class CappedSemaphore {
 public:
  // Throws std::invalid_argument if count > limit or count < 0.
  CappedSemaphore(std::int64_t count, std::int64_t limit);
  bool acquire(bool blocking = true,
               std::optional<absl::Duration> timeout = std::nullopt);
  // Blocks while the count is at the limit.
  bool release(bool blocking = true);
  bool locked() const { return lower_.locked(); }
  // True if release() would block (eventlet's meaning for this class).
  bool bounded() const { return upper_.locked(); }
  std::int64_t balance() const { return lower_.balance() - upper_.balance(); }
  std::int64_t counter() const { return lower_.counter(); }
  void lock() { acquire(); }
  bool try_lock() { return acquire(false); }
  void unlock() { release(); }

 private:
  Semaphore lower_;  // units available to acquire()
  Semaphore upper_;  // room left below the limit
};

}  // namespace eventlet

#endif  // EVENTLET_GREENTHREAD_SEMAPHORE_H_
