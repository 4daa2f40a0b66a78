// Copyright 2026 The eventlet-cpp Authors.
//
// io_watch.h: readiness callbacks (Hub::watch_io) — "when this fd is ready,
// call this", with no greenlet parked meanwhile.
//
//   IoWatchHandle watch = Hub::current().watch_io(
//       fd, kRead, absl::Seconds(60), [](IoWaitResult why) { ... });
//   watch.cancel();   // before it ran: the callback is destroyed unrun
//
// A parked reader (Hub::trampoline) keeps its greenlet, and so its stack,
// for as long as it waits. A watch keeps only a small heap record (this
// header's internal::IoWatch, about 100 bytes, plus a timer when it has a
// timeout): what a server needs to hold thousands of idle connections.
// greenthread/when_readable.h builds "wait for readable, then spawn" on it.
//
// The contract (Hub::watch_io says it again):
//  * The callback runs at most once, in the hub greenlet (so it must not
//    block: spawn a greenthread for work that waits), with why it ran:
//    kReady when the fd became ready for the event, kTimedOut when the
//    timeout elapsed first, kClosed when the fd was closed through
//    Hub::notify_close() (net::Socket::close does it) — then at the hub's
//    next pass, not inside close(). Its exceptions go to the hub's exception
//    hook.
//  * While registered, a watch is an fd listener like a parked reader: it
//    counts in Hub::listener_count(), obeys the one-reader-per-fd rule
//    (Hub::set_prevent_multiple_readers), queues behind a primary reader
//    when several are allowed, and shows in listener dumps and observer
//    events as the hub's own (greenlet id -1). The hub's loop waits for it
//    as for a parked reader: a hub whose only pending work is watches polls
//    until one fires (under the simulator, if nothing can ever make one
//    fire, that is a deadlock, as for a parked reader).
//  * cancel() before it ran destroys the callback unrun, at once, in the
//    caller; after, it is a no-op. It never parks.
//  * Hub teardown (Hub::destroy_current) drops pending watches after the
//    greenthreads were unwound: each callback is destroyed unrun, so what it
//    owns is released. A callback's destructor must therefore not block or
//    spawn. At thread exit, a hub with no greenthread but pending watches is
//    torn down that way; one abandoned (greenthreads pending) keeps them.
//
// Threading: a watch and its handles belong to the hub's OS thread.
#ifndef EVENTLET_HUB_IO_WATCH_H_
#define EVENTLET_HUB_IO_WATCH_H_

#include <cstddef>
#include <utility>

#include "absl/functional/any_invocable.h"
#include "hub/backend.h"
#include "hub/internal/ref_counted.h"
#include "hub/timer.h"

namespace eventlet {

class Greenlet;
class Hub;

// Why trampoline-style waits end.
enum class IoWaitResult { kReady, kTimedOut, kClosed };

// What Hub::watch_io calls.
using IoCallback = absl::AnyInvocable<void(IoWaitResult)>;

namespace internal {

// An fd waiter in the hub's per-fd lists: on a parked greenlet's stack for
// the wait's duration (trampoline), or inside an IoWatch (greenlet null).
struct FdListener {
  int fd;
  IoEvents event;
  Greenlet* greenlet;  // null: the listener of an IoWatch
  // kTimedOut doubles as "still waiting" until the wait ends.
  IoWaitResult outcome = IoWaitResult::kTimedOut;
  bool linked = false;
  FdListener* next = nullptr;
};

// One Hub::watch_io registration. Shared by the hub (while it is pending)
// and by IoWatchHandles; the hub drops its reference when the callback runs,
// is cancelled, or the hub goes away.
class IoWatch final : public FdListener, public RefCounted {
 public:
  IoWatch(Hub* hub, int fd, IoEvents event, IoCallback&& callback)
      : FdListener{fd, event, nullptr},
        hub(hub),
        callback(std::move(callback)) {}
  // Recycled per thread (internal::BlockCache), as CallbackTimer is.
  static void* operator new(std::size_t size);
  static void operator delete(void* p, std::size_t size);

  Hub* hub;         // null once it ran, was cancelled or dropped
  TimerHandle due;  // the timeout, or after a close the deferred call
  IoCallback callback;
  // The hub's list of pending watches (for teardown).
  IoWatch* prev = nullptr;
  IoWatch* next = nullptr;
};

}  // namespace internal

// Handle to a watch (Hub::watch_io). Copyable; an empty handle is inert; a
// handle does not keep the watch registered (dropping every handle leaves
// it pending). Use on the hub's OS thread only.
class IoWatchHandle {
 public:
  IoWatchHandle() = default;

  // Unregisters the watch and destroys its callback unrun, now. No-op once
  // the callback has started, after a cancel(), or once the hub is gone.
  // Never parks.
  void cancel();
  // True until the callback starts, the watch is cancelled or dropped.
  bool pending() const { return watch_ && watch_->hub != nullptr; }

 private:
  friend class Hub;
  explicit IoWatchHandle(internal::RefPtr<internal::IoWatch> w)
      : watch_(std::move(w)) {}
  internal::RefPtr<internal::IoWatch> watch_;
};

}  // namespace eventlet

#endif  // EVENTLET_HUB_IO_WATCH_H_
