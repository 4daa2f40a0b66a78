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
// Thread-safety: post() and closed() from any thread; drain() and close() only
// from the hub's thread.
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

  // Queues `callback` and wakes the hub. Returns false (and destroys the
  // callback) if the hub is gone.
  bool post(absl::AnyInvocable<void()> callback);
  // True if something is queued (a cheap check for the hub's loop).
  bool has_mail() const { return has_mail_.load(std::memory_order_acquire); }
  bool closed() const;

  // Hub side: takes everything queued so far.
  std::vector<absl::AnyInvocable<void()>> drain();
  // Hub side, at teardown: later posts are refused; queued ones are dropped.
  void close();

 private:
  mutable std::mutex mutex_;
  Backend* backend_;  // null once closed
  std::atomic<bool> has_mail_{false};
  std::vector<absl::AnyInvocable<void()>> queued_;
};

}  // namespace eventlet

#endif  // EVENTLET_HUB_MAILBOX_H_
