// Copyright 2026 The eventlet-cpp Authors.
//
// mailbox.h: how other OS threads hand work to a hub.
//
// A Mailbox is shared (std::shared_ptr) between a hub and any thread that may
// post to it, so a thread can hold on to it safely even if the hub goes away
// first: once the hub is gone, post() drops the callback and returns false.
// Callbacks run in the hub's own greenlet, in posting order, at the start of
// the hub's next loop iteration.
//
// Waking: post() wakes the backend (EpollBackend: an eventfd write, a system
// call, and the futex-style wake-up of a thread parked in epoll_wait) only
// while the hub has declared itself asleep (begin_sleep() .. end_sleep()).
// A hub that is running, or spinning for mail, finds the post itself at its
// next has_mail() check: no system call on either side. The protocol is
// Dekker's: post() stores has_mail then loads the sleep flag; begin_sleep()
// stores the sleep flag then loads has_mail (all sequentially consistent),
// so at least one of them sees the other — a post is never left unwoken
// behind a sleeping hub.
//
// Thread-safety: post() and closed() from any thread; has_mail() anywhere
// (a hint); drain(), close(), begin_sleep() and end_sleep() only from the
// hub's thread.
#ifndef EVENTLET_HUB_MAILBOX_H_
#define EVENTLET_HUB_MAILBOX_H_

#include <atomic>
#include <mutex>
#include <vector>

#include "absl/functional/any_invocable.h"
#include "hub/backend.h"

namespace eventlet {

class Mailbox {
 public:
  explicit Mailbox(Backend* backend) : backend_(backend) {}
  Mailbox(const Mailbox&) = delete;
  Mailbox& operator=(const Mailbox&) = delete;

  // Queues `callback` and, if the hub is asleep, wakes it. Returns false
  // (and destroys the callback) if the hub is gone.
  bool post(absl::AnyInvocable<void()> callback);
  // True if something is queued (a cheap check for the hub's loop).
  bool has_mail() const { return has_mail_.load(std::memory_order_seq_cst); }
  bool closed() const;

  // Hub side: moves everything queued so far into `*batch`, which must be
  // empty (its capacity is kept for the next posts: no allocation per
  // hand-off once warm).
  void drain(std::vector<absl::AnyInvocable<void()>>* batch);
  // Hub side, at teardown: later posts are refused; queued ones are dropped.
  void close();

  // Hub side, just before a backend wait that may block: marks the hub
  // asleep, so that posts wake the backend from now on. Returns false (and
  // leaves the hub awake) if mail is already queued: poll instead of sleep.
  bool begin_sleep();
  // Hub side, once the backend wait has returned: awake again.
  void end_sleep() { sleeping_.store(false, std::memory_order_seq_cst); }

 private:
  mutable std::mutex mutex_;
  Backend* backend_;  // null once closed
  std::atomic<bool> has_mail_{false};
  std::atomic<bool> sleeping_{false};
  std::vector<absl::AnyInvocable<void()>> queued_;
};

}  // namespace eventlet

#endif  // EVENTLET_HUB_MAILBOX_H_
