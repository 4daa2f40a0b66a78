// Copyright 2026 The eventlet-cpp Authors.
//
// when_readable.h: wait for readable, then spawn — a greenthread only once
// there is something to read.
//
//   IoWatchHandle watch = spawn_when_readable(
//       fd, absl::Seconds(60), [](IoWaitResult why) {
//         if (why == IoWaitResult::kReady) { ... }   // read, then serve
//       });
//
// A greenthread that parks in a read keeps its stack (the pages it touched,
// a few KiB) for as long as it waits. spawn_when_readable keeps only a small
// heap record (Hub::watch_io, hub/io_watch.h) and the callable: what a
// server needs to hold many idle connections cheaply (http::Server parks
// its idle keep-alive connections this way).
//
// Contract:
//  * Hub: the calling thread's (Hub::current()); the fd must be one that
//    hub's backend watches (a net::Socket's fd() on that hub).
//  * fn(IoWaitResult why) runs once, in a new greenthread (from the hub's
//    pooled stacks, as spawn_n's; exceptions go to the exception hook),
//    spawned in the hub greenlet at the pass where `fd` became readable
//    (kReady), `timeout` elapsed first (kTimedOut; nullopt: no limit), or the
//    fd was closed through the hub (net::Socket::close; kClosed). It starts
//    at the next pass, like any spawn. Readable means what epoll says: bytes,
//    end of file or an error are waiting; nothing has been read.
//  * fn is moved into the registration, then into the greenthread; it is
//    destroyed after it ran, or unrun on cancel() (at once, in the caller) and
//    at hub teardown (after the greenthreads were unwound: its destructor
//    must not block or spawn).
//  * `group`, if given, is the greenthread's Greenlet::group() from its
//    creation on, so Hub::unwind_group(group) finds it even before it has
//    started (an owner that must end its greenthreads, as GreenPool does).
//  * The handle cancels (IoWatchHandle::cancel; no-op once fn was spawned)
//    and tells whether it is still pending; dropping it does not cancel.
//  * While pending, the registration is the fd's reader: a greenthread that
//    reads the fd meanwhile gets the hub's "Second simultaneous read" error
//    (unless multiple readers are allowed). It counts as pending I/O for the
//    hub's loop, as a parked reader does.
//  * Throws what Hub::watch_io throws (a second reader, a negative fd).
#ifndef EVENTLET_GREENTHREAD_WHEN_READABLE_H_
#define EVENTLET_GREENTHREAD_WHEN_READABLE_H_

#include <optional>
#include <type_traits>
#include <utility>

#include "absl/time/time.h"
#include "greenthread/greenthread.h"
#include "hub/hub.h"

namespace eventlet {

template <typename F>
IoWatchHandle spawn_when_readable(int fd, std::optional<absl::Duration> timeout,
                                  F&& fn, const void* group = nullptr) {
  static_assert(std::is_invocable_v<std::decay_t<F>&&, IoWaitResult>,
                "spawn_when_readable: fn must be callable as fn(IoWaitResult)");
  return Hub::current().watch_io(
      fd, kRead, timeout,
      [fn = std::forward<F>(fn), group](IoWaitResult why) mutable {
        Hub& hub = Hub::current();
        Greenlet& g =
            hub.create_greenlet(internal::bind_call(std::move(fn), why));
        g.set_group(group);
        hub.start(g);
      });
}

}  // namespace eventlet

#endif  // EVENTLET_GREENTHREAD_WHEN_READABLE_H_
