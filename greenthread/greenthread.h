// Copyright 2026 The eventlet-cpp Authors.
//
// greenthread.h: spawn, sleep, GreenThread — eventlet's greenthread module.
//
//   auto gt = eventlet::spawn([](int x) { eventlet::sleep(); return 2 * x; }, 21);
//   int r = gt.wait();   // 42
//
// Scheduling (eventlet's rules, docs/guide.md):
//  * spawn() queues the new greenthread's start as a 0-second timer and
//    returns; it runs only once the caller blocks or yields. Greenthreads start
//    FIFO, interleaved with every other 0-second timer.
//  * sleep() yields (0) or sleeps; everything runnable runs round-robin.
//  * Greenthread ids count up from 1 in creation order (main is 0).
//
// Exceptions: an exception escaping a greenthread is stored; wait() rethrows
// it on every call, and it is also reported to the hub's exception hook
// (eventlet prints it), except GreenletExit. spawn_n()'s exceptions go to the
// hook only.
//
// kill(g, ...) is eventlet's greenthread.kill: the same as g.kill(...).
//
// Threading: greenthreads belong to the calling OS thread's hub. GreenThread
// handles are cheap to copy but must stay on that thread.
#ifndef EVENTLET_GREENTHREAD_GREENTHREAD_H_
#define EVENTLET_GREENTHREAD_GREENTHREAD_H_

#include <cstdint>
#include <exception>
#include <functional>
#include <new>
#include <stdexcept>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "absl/functional/any_invocable.h"
#include "absl/time/time.h"
#include "greenthread/event.h"
#include "hub/hub.h"
#include "hub/internal/block_cache.h"
#include "hub/internal/hub_access.h"

namespace eventlet {

template <typename R>
class GreenThread;

namespace internal {

// Shared by a greenthread's handles and its body: the greenlet while it
// lives, the exit event, and link callbacks.
class GreenThreadCore : public RefCounted {
 public:
  // One of these is made per spawn: recycled per thread, not malloc'ed.
  static void* operator new(std::size_t size) {
    return BlockCache::allocate(size);
  }
  static void operator delete(void* p, std::size_t size) {
    BlockCache::deallocate(p, size);
  }
  static void* operator new(std::size_t size, std::align_val_t align) {
    return ::operator new(size, align);
  }
  static void operator delete(void* p, std::size_t size,
                              std::align_val_t align) {
    ::operator delete(p, size, align);
  }

  // The running (or not yet started) greenlet; null once it is gone.
  Greenlet* greenlet = nullptr;
  std::int64_t id = 0;
  // Set by kill() before start: what wait() raises instead of a result.
  std::exception_ptr kill_error;
  struct Link {
    std::uint64_t id;
    absl::AnyInvocable<void()> callback;
  };
  std::vector<Link> links;
  std::uint64_t next_link_id = 1;
  bool exited = false;  // the exit event is sent and links resolved
  // Called once, after the links (e.g. GreenPool frees its slot here).
  void (*on_exit)(void* arg) = nullptr;
  void* on_exit_arg = nullptr;

  // After the exit event is sent: marks the greenthread exited, runs every
  // link callback (FIFO, in the calling greenlet; one that throws is reported
  // to the hub's hook and the others still run), then on_exit.
  void complete() {
    exited = true;
    if (!links.empty() || on_exit != nullptr) run_links();
  }
  // Kills the greenthread (see GreenThread::kill).
  void kill(std::exception_ptr error);
  // See GreenThread::kill_now.
  void kill_now();

 private:
  void run_links();
};

template <typename R>
class GreenThreadState final : public GreenThreadCore {
 public:
  Event<R> exit;
};

// What a spawned greenlet runs: calls the function, stores the outcome,
// resolves links. If destroyed without having run (killed before start, or
// the spawner of spawn_after_local died), it completes the greenthread with
// the kill exception instead, in whoever destroys it.
template <typename R, typename Call>
class SpawnBody {
 public:
  SpawnBody(RefPtr<GreenThreadState<R>> state, Call call,
            RefPtr<LifeToken> spawner)
      : state_(std::move(state)),
        call_(std::move(call)),
        spawner_(std::move(spawner)) {}
  SpawnBody(SpawnBody&&) = default;
  ~SpawnBody() {
    if (!state_) return;
    if (!ran_)
      finish(state_->kill_error ? state_->kill_error
                                : std::make_exception_ptr(GreenletExit{}));
    state_->greenlet = nullptr;
  }

  void operator()() {
    ran_ = true;
    if (spawner_ && !spawner_->alive) {
      finish(std::make_exception_ptr(GreenletExit{}));
      return;
    }
    std::exception_ptr error;
    try {
      if constexpr (std::is_void_v<R>) {
        std::move(call_)();
        state_->exit.send();
      } else {
        state_->exit.send(std::move(call_)());
      }
    } catch (...) {
      error = std::current_exception();
    }
    if (error) {
      finish(error);
      state_->greenlet->hub().report_exception(error,
                                               state_->greenlet->describe());
    } else {
      state_->complete();
    }
  }

 private:
  void finish(std::exception_ptr error) {
    if (!state_->exit.ready()) state_->exit.send_exception(error);
    state_->complete();
  }

  RefPtr<GreenThreadState<R>> state_;
  Call call_;
  RefPtr<LifeToken> spawner_;
  bool ran_ = false;
};

// Binds decayed copies of a function and its arguments into a callable that
// invokes them once, by rvalue.
template <typename F, typename... Args>
auto bind_call(F&& f, Args&&... args) {
  return [f = std::forward<F>(f), tup = std::make_tuple(std::forward<Args>(
                                      args)...)]() mutable -> decltype(auto) {
    return std::apply(std::move(f), std::move(tup));
  };
}

template <typename F, typename... Args>
using SpawnResult = std::remove_cvref_t<
    std::invoke_result_t<std::decay_t<F>, std::decay_t<Args>...>>;

// How spawn_impl starts a greenthread.
struct SpawnOptions {
  std::optional<absl::Duration> delay;  // none: at the next pass
  bool local = false;                   // spawn_after_local
  const void* group = nullptr;          // Greenlet::group()
  void (*on_exit)(void*) = nullptr;     // GreenThreadCore::on_exit
  void* on_exit_arg = nullptr;
};

template <typename R, typename F, typename... Args>
GreenThread<R> spawn_impl(const SpawnOptions& options, F&& f, Args&&... args);

// A GreenThread that already finished: runs f(args...) right here, in the
// caller (GreenPool's inline spawn). Its exception is stored and rethrown.
template <typename R, typename F, typename... Args>
GreenThread<R> run_inline(F&& f, Args&&... args);

}  // namespace internal

// Handle to a spawned greenthread. Copyable (shared); an empty
// (default-constructed) handle must not be used.
template <typename R>
class GreenThread {
 public:
  using Result = R;
  GreenThread() = default;

  // Parks until the greenthread has finished; returns its result (R = void:
  // nothing) or rethrows its exception — every time it is called. A
  // greenthread killed before it started raises GreenletExit (or the kill's
  // exception). Throws HubUsageError from the hub greenlet.
  [[gnu::always_inline]] decltype(auto) wait() const {
    if constexpr (std::is_void_v<R>) {
      state_->exit.wait();
    } else {
      return static_cast<const R&>(state_->exit.wait());
    }
  }
  // A finished greenthread's outcome without waiting: its result (R = void:
  // nothing), or its exception rethrown. Unlike wait(), never charges the
  // cooperative budget (hub.h). Throws std::logic_error if it has not
  // finished (!ready()).
  decltype(auto) result() const {
    const auto& exit = state_->exit;
    if (!exit.ready())
      throw std::logic_error("GreenThread::result: not finished");
    exit.rethrow_if_exception();
    if constexpr (!std::is_void_v<R>)
      return static_cast<const R&>(*exit.poll());
  }
  // How it ended, without raising or waiting (gevent's successful() and
  // exception): succeeded() is true once it has returned normally;
  // exception() is what wait() would rethrow (GreenletExit for a kill), or
  // null while it runs and after it returned.
  bool succeeded() const {
    return state_->exit.ready() && !state_->exit.has_exception();
  }
  std::exception_ptr exception() const { return state_->exit.exception(); }
  // Raises GreenletExit in the greenthread at its current switch point; its
  // stack unwinds (destructors run). Not started yet: it will never run, and
  // waiters get GreenletExit. Dead: no-op and no yield. Otherwise the caller
  // yields (eventlet: kill schedules the caller's return and switches to the
  // target).
  void kill() const { state_->kill(std::make_exception_ptr(GreenletExit{})); }
  void kill(std::exception_ptr error) const { state_->kill(std::move(error)); }
  template <typename E>
  void kill(E error) const {
    kill(std::make_exception_ptr(std::move(error)));
  }
  // Kills with GreenletExit without yielding: the greenthread's stack has
  // unwound when this returns (Hub::unwind; nothing else runs meanwhile).
  // Not started: it never runs. Dead: no-op. For destructors, which must
  // not park. Must not be called from the greenthread itself.
  void kill_now() const { state_->kill_now(); }
  // kill(), but only if the greenthread has not started yet.
  void cancel() const {
    if (!started()) kill();
  }

  using LinkId = std::uint64_t;
  // Calls `callback(*this)` when the greenthread exits: inside the dying
  // greenthread, after its result is stored, FIFO with other links. Already
  // exited: runs now, in the caller. Returns an id for unlink().
  template <typename F>
  LinkId link(F callback) const {
    if (state_->exited) {
      GreenThread self = *this;
      callback(self);
      return 0;
    }
    LinkId id = state_->next_link_id++;
    state_->links.push_back({id, [callback = std::move(callback),
                                  self = *this]() mutable { callback(self); }});
    return id;
  }
  // Removes a link. Returns false if it was not linked (or already ran).
  bool unlink(LinkId id) const {
    auto& links = state_->links;
    for (auto it = links.begin(); it != links.end(); ++it) {
      if (it->id == id) {
        links.erase(it);
        return true;
      }
    }
    return false;
  }

  // The function has returned (or raised), or the greenthread was killed.
  bool dead() const {
    return state_->greenlet == nullptr || state_->greenlet->dead();
  }
  bool started() const {
    return state_->greenlet == nullptr ? state_->exited
                                       : state_->greenlet->started();
  }
  // The exit event is ready (wait() will not block).
  bool ready() const { return state_->exit.ready(); }
  std::int64_t id() const { return state_->id; }
  // Names the greenthread (for dumps and exception reports). No-op once dead.
  void set_name(std::string name) const {
    if (state_->greenlet) state_->greenlet->set_name(std::move(name));
  }
  explicit operator bool() const { return static_cast<bool>(state_); }

 private:
  template <typename R2, typename F, typename... Args>
  friend GreenThread<R2> internal::spawn_impl(const internal::SpawnOptions&,
                                              F&&, Args&&...);
  template <typename R2, typename F, typename... Args>
  friend GreenThread<R2> internal::run_inline(F&&, Args&&...);
  explicit GreenThread(internal::RefPtr<internal::GreenThreadState<R>> s)
      : state_(std::move(s)) {}
  internal::RefPtr<internal::GreenThreadState<R>> state_;
};

namespace internal {

template <typename R, typename F, typename... Args>
GreenThread<R> spawn_impl(const SpawnOptions& options, F&& f, Args&&... args) {
  Hub& hub = Hub::current();
  RefPtr<GreenThreadState<R>> state(new GreenThreadState<R>);
  state->on_exit = options.on_exit;
  state->on_exit_arg = options.on_exit_arg;
  RefPtr<LifeToken> spawner;
  if (options.local && !hub.in_hub_greenlet()) {
    spawner = internal::HubAccess::life_token(hub, hub.current_greenlet());
  }
  auto call = bind_call(std::forward<F>(f), std::forward<Args>(args)...);
  Greenlet& g = hub.create_greenlet(
      SpawnBody<R, decltype(call)>(state, std::move(call), std::move(spawner)));
  g.set_group(options.group);
  state->greenlet = &g;
  state->id = g.id();
  if (options.delay) {
    hub.start_after(g, *options.delay);
  } else {
    hub.start(g);
  }
  return GreenThread<R>(std::move(state));
}

template <typename R, typename F, typename... Args>
GreenThread<R> run_inline(F&& f, Args&&... args) {
  RefPtr<GreenThreadState<R>> state(new GreenThreadState<R>);
  state->id = Hub::current().current_greenlet().id();
  std::exception_ptr error;
  try {
    if constexpr (std::is_void_v<R>) {
      std::invoke(std::forward<F>(f), std::forward<Args>(args)...);
      state->exit.send();
    } else {
      state->exit.send(
          std::invoke(std::forward<F>(f), std::forward<Args>(args)...));
    }
  } catch (...) {
    error = std::current_exception();
    state->exit.send_exception(error);
  }
  state->exited = true;
  if (error) std::rethrow_exception(error);
  return GreenThread<R>(std::move(state));
}

}  // namespace internal

// Runs f(args...) in a new greenthread, started at the hub's next pass.
// Arguments are copied (or moved) into the greenthread.
template <typename F, typename... Args>
GreenThread<internal::SpawnResult<F, Args...>> spawn(F&& f, Args&&... args) {
  return internal::spawn_impl<internal::SpawnResult<F, Args...>>(
      {}, std::forward<F>(f), std::forward<Args>(args)...);
}

// Like spawn(), but starts f after `delay` (eventlet: even if the caller has
// exited by then). cancel() before then prevents it.
template <typename F, typename... Args>
GreenThread<internal::SpawnResult<F, Args...>> spawn_after(absl::Duration delay,
                                                           F&& f,
                                                           Args&&... args) {
  return internal::spawn_impl<internal::SpawnResult<F, Args...>>(
      {.delay = delay}, std::forward<F>(f), std::forward<Args>(args)...);
}

// Like spawn_after(), but f does not run if the calling greenthread has died
// by then; the GreenThread then finishes with GreenletExit (eventlet's
// LocalTimer would leave it pending forever).
template <typename F, typename... Args>
GreenThread<internal::SpawnResult<F, Args...>> spawn_after_local(
    absl::Duration delay, F&& f, Args&&... args) {
  return internal::spawn_impl<internal::SpawnResult<F, Args...>>(
      {.delay = delay, .local = true}, std::forward<F>(f),
      std::forward<Args>(args)...);
}

// Like spawn(), without a handle: cheaper. Exceptions go to the hub's hook.
template <typename F, typename... Args>
void spawn_n(F&& f, Args&&... args) {
  Hub& hub = Hub::current();
  hub.start(hub.create_greenlet(
      internal::bind_call(std::forward<F>(f), std::forward<Args>(args)...)));
}

// eventlet's greenthread.kill(g, ...): the free-function form of g.kill(),
// with the same arguments (none: GreenletExit) and the same behaviour.
template <typename R, typename... Error>
void kill(const GreenThread<R>& g, Error&&... error) {
  g.kill(std::forward<Error>(error)...);
}

// Yields to the hub: with no delay, everything else runnable runs first and
// the caller continues at the next pass; otherwise the caller sleeps at least
// `delay`. From the hub greenlet (a callback) sleep(0) returns at once and a
// real sleep throws HubUsageError ("do not call blocking functions from the
// mainloop"), as in eventlet.
inline void sleep(absl::Duration delay = absl::ZeroDuration()) {
  Hub::current().sleep(delay);
}

// The running greenlet (main, or a greenthread).
inline Greenlet& getcurrent() { return Hub::current().current_greenlet(); }

}  // namespace eventlet

#endif  // EVENTLET_GREENTHREAD_GREENTHREAD_H_
