// Copyright 2026 The eventlet-cpp Authors.
//
// The hub's readiness callbacks (Hub::watch_io; hub/io_watch.h). Kept out of
// hub.cc: the loop only branches to fire_watch / close_watch when a listener
// has no greenlet.
#include <stdexcept>
#include <utility>

#include "hub/hub.h"
#include "hub/internal/block_cache.h"

namespace eventlet {

using internal::IoWatch;
using internal::RefPtr;

void* IoWatch::operator new(std::size_t size) {
  return internal::BlockCache::allocate(size);
}

void IoWatch::operator delete(void* p, std::size_t size) {
  internal::BlockCache::deallocate(p, size);
}

IoWatchHandle Hub::watch_io(int fd, IoEvents event,
                            std::optional<absl::Duration> timeout,
                            IoCallback callback) {
  if (event != kRead && event != kWrite) {
    throw std::invalid_argument("watch_io: watch kRead or kWrite, not both");
  }
  RefPtr<IoWatch> w(new IoWatch(this, fd, event, std::move(callback)));
  add_listener(w.get());  // throws for a negative fd or a second reader
  if (timeout) {
    w->due = schedule_call_global(*timeout, [this, raw = w.get()] {
      fire_watch(raw, IoWaitResult::kTimedOut);
    });
  }
  w->add_ref();  // the hub's reference, until the watch ends
  w->next = watches_;
  if (watches_ != nullptr) watches_->prev = w.get();
  watches_ = w.get();
  return IoWatchHandle(std::move(w));
}

IoCallback Hub::end_watch(IoWatch* w) {
  if (w->linked) remove_listener(w);
  w->due.cancel();
  w->due = TimerHandle();
  w->hub = nullptr;
  if (w->prev != nullptr) {
    w->prev->next = w->next;
  } else {
    watches_ = w->next;
  }
  if (w->next != nullptr) w->next->prev = w->prev;
  w->prev = w->next = nullptr;
  return std::move(w->callback);
}

void Hub::fire_watch(IoWatch* w, IoWaitResult why) {
  if (w->hub == nullptr) return;
  const RefPtr<IoWatch> hold = RefPtr<IoWatch>::adopt(w);  // the hub's
  if (why == IoWaitResult::kReady && observer_ != nullptr) [[unlikely]]
    observer_->on_listen_fire(w->fd, w->event, *hub_greenlet_);
  IoCallback callback = end_watch(w);
  try {
    callback(why);
  } catch (...) {
    report_exception(std::current_exception(), "io watch callback");
  }
}

void Hub::close_watch(IoWatch* w) {
  // notify_close() unlinked it; the callback runs at the next pass, in the
  // hub greenlet, rather than inside close().
  w->due.cancel();
  w->due = schedule_call_global(absl::ZeroDuration(), [this, w] {
    fire_watch(w, IoWaitResult::kClosed);
  });
}

void Hub::drop_watches() {
  while (watches_ != nullptr) {
    IoWatch* w = watches_;
    const RefPtr<IoWatch> hold = RefPtr<IoWatch>::adopt(w);
    IoCallback callback = end_watch(w);
  }
}

void IoWatchHandle::cancel() {
  IoWatch* w = watch_.get();
  if (w == nullptr || w->hub == nullptr) return;
  const RefPtr<IoWatch> hold = RefPtr<IoWatch>::adopt(w);  // the hub's
  IoCallback callback = w->hub->end_watch(w);
}

}  // namespace eventlet
