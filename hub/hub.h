// Copyright 2026 The eventlet-cpp Authors.
//
// hub.h: the event loop. One Hub per OS thread, created on first use, running
// in its own greenlet. Everything that waits (sleep, Event, sockets) parks the
// current greenlet and lets the hub pick what runs next.
//
// The loop (docs/architecture.md draws it):
//
//   for (;;) {
//     run_posted_callbacks();   // work handed over by other OS threads
//     prepare_timers();         // next_timers -> heap
//     fire_timers();            // everything due when the pass began, in
//                               // (deadline, sequence) order; what these
//                               // schedule waits for the next pass
//     prepare_timers();
//     poll_io();                // backend.wait(until the next deadline, or
//                               // just a poll if work is ready); then resume
//                               // the greenlets whose fds are ready
//   }
//
// Scheduling follows eventlet (docs/guide.md, "Scheduling rules"): spawn and
// every wake-up are 0-second timers; a new greenthread runs only when its
// creator blocks; ties break by scheduling order, never by address.
//
// Thread-safety: a Hub and everything scheduled on it belong to the OS thread
// that created it. The only thread-safe entry point is post().
#ifndef EVENTLET_HUB_HUB_H_
#define EVENTLET_HUB_HUB_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/functional/any_invocable.h"
#include "absl/time/time.h"
#include "hub/backend.h"
#include "hub/errors.h"
#include "hub/greenlet.h"
#include "hub/internal/observer_list.h"
#include "hub/internal/sanitizers.h"
#include "hub/internal/stack_overflow.h"
#include "hub/internal/stack_pool.h"
#include "hub/internal/timer_queue.h"
#include "hub/internal/wait_queue.h"
#include "hub/io_watch.h"
#include "hub/mailbox.h"
#include "hub/observer.h"
#include "hub/timer.h"

namespace eventlet {
namespace internal {
class HubAccess;  // hub/internal/hub_access.h
}  // namespace internal

// What the exception hook receives: an exception nobody else will see (it
// escaped a spawn_n greenthread, a spawn()ed one, a timer or a listener).
struct HubException {
  std::exception_ptr error;
  std::string where;  // "greenthread 3 (name)", "timer callback", ...
};
using ExceptionHook = std::function<void(const HubException&)>;

class Hub {
 public:
  static constexpr std::size_t kDefaultStackSize = 128 * 1024;
  static constexpr std::size_t kHubStackSize = 256 * 1024;

  // ---- Identity and lifetime ------------------------------------------------

  // This OS thread's hub; created with an EpollBackend on first use.
  static Hub& current() {
    Hub* hub = tls_hub_;
    return hub ? *hub : create_default();
  }
  // This OS thread's hub, or null if none was created yet.
  static Hub* current_if_exists() { return tls_hub_; }
  // Creates this thread's hub on `backend`. Throws std::logic_error if the
  // thread already has one.
  static Hub& install(std::unique_ptr<Backend> backend);
  // Tears down this thread's hub, if any: greenthreads that never started are
  // dropped without running; suspended ones are unwound with GreenletExit so
  // their destructors run — call it while the objects they use are alive.
  // Must be called from the main greenlet.
  //
  // At thread (and process) exit this happens by itself only if no
  // greenthread is pending. Otherwise the hub is abandoned as eventlet does:
  // pending greenthreads never run again, nothing of theirs is destroyed (the
  // objects they refer to may already be gone), and their stacks stay mapped
  // and registered with LeakSanitizer, so a leak check sees no leak.
  static void destroy_current();

  Backend& backend() { return *backend_; }
  // This hub's number: 1 for the process's first hub, then counting up in
  // creation order (a hub destroyed and made again gets a new one). Names
  // the hub in messages (hub/hub_affinity.h). Any thread may read it.
  std::uint32_t id() const { return id_; }

  // ---- Time -----------------------------------------------------------------

  // Hub time (nanoseconds on the backend's clock) as of the last loop
  // iteration. Cheap; fresh() asks the backend.
  std::int64_t cached_now() const { return now_; }
  std::int64_t fresh_now() { return now_ = backend_->now(); }
  // Fresh hub time as a duration since the backend's epoch.
  absl::Duration now() { return absl::Nanoseconds(fresh_now()); }

  // ---- Timers ---------------------------------------------------------------

  // Runs `callback` in the hub greenlet after `delay` (eventlet's
  // schedule_call_global). A zero delay means the next pass.
  TimerHandle schedule_call_global(absl::Duration delay,
                                   absl::AnyInvocable<void()> callback);
  // As schedule_call_global, but skipped if the calling greenthread has died
  // by then (the timer is cancelled when it dies).
  TimerHandle schedule_call_local(absl::Duration delay,
                                  absl::AnyInvocable<void()> callback);

  // ---- Greenlets ------------------------------------------------------------

  Greenlet& current_greenlet() const { return *current_; }
  Greenlet& main_greenlet() const { return *main_; }
  bool in_hub_greenlet() const { return current_ == hub_greenlet_; }

  // Creates a greenlet that will run `body()` once started. The body is
  // stored on the new greenlet's stack. Exceptions escaping it go to the
  // exception hook. Throws std::bad_alloc if no stack can be had.
  template <typename F>
  Greenlet& create_greenlet(F&& body);
  // Starts a created greenlet at the next pass (eventlet's spawn: a 0-second
  // timer), or after `delay` (spawn_after).
  void start(Greenlet& g) { schedule_resume(g); }
  void start_after(Greenlet& g, absl::Duration delay);
  // Drops a greenlet that has not started: it will never run; its body is
  // destroyed now, in the caller.
  void discard_unstarted(Greenlet& g);

  // Yields: the current greenlet runs again at the next pass (sleep(0)), or
  // after `delay`. In the hub greenlet (a callback) sleep(0) returns at once
  // and a real sleep throws HubUsageError (eventlet's rules).
  void sleep(absl::Duration delay) {
    if (delay <= absl::ZeroDuration()) {
      yield();
    } else {
      sleep_for(delay);
    }
  }

  // Parks the current greenlet until something resumes it (eventlet's
  // hub.switch()). `waiting_on` describes the wait for dumps. Rethrows an
  // exception thrown into it (kill, Timeout). Throws HubUsageError in the hub
  // greenlet.
  void switch_out(const char* waiting_on) {
    Greenlet* self = current_;
    park_finish(self, park_begin(self, kSwitchFromHub, waiting_on));
  }
  // Like switch_out, but also resumes by itself once `timeout` elapses (none:
  // no limit). Returns false if it was the timeout that resumed it.
  bool switch_out_for(std::optional<absl::Duration> timeout,
                      const char* waiting_on);
  // Resumes a suspended greenlet at the next pass (a 0-second timer).
  void schedule_resume(Greenlet& g) {
    const std::uint64_t timer = timers_.push_ready(&g, g.wait_id_);
    ++g.ready_refs_;
    if (observer_ != nullptr) [[unlikely]]
      observer_->on_ready(g, *current_, timer);
  }
  // Raises `error` in `g` at its switch point, now: the caller is suspended
  // and `g` runs (the caller is resumed at the next pass, unless the caller is
  // the hub greenlet). If g is the caller, throws directly.
  void throw_into(Greenlet& g, std::exception_ptr error);

  // ---- Cooperative budget ---------------------------------------------------
  //
  // A greenthread that keeps completing operations without ever blocking
  // (socket reads that never hit EAGAIN, queue gets that never wait...)
  // would keep the hub from running anything else: no timer fires, no other
  // connection is served, and the hub's cached time stands still. So each
  // such operation charges one unit of a budget (tokio's coop budget is the
  // model): `coop_budget()` operations complete in a row, and the next one
  // first yields to the hub (like sleep(0)), then completes. The budget
  // refills whenever the running greenthread switches out (blocks, sleeps,
  // yields, or the hub switches to another one), so code that blocks now
  // and then never notices it.
  //
  // Operations that charge: net::Socket's reads, writes and accepts (before
  // the system call), and the blocking forms of Queue::put/get,
  // Semaphore::acquire and Event::wait / GreenThread::wait. Non-blocking
  // forms (get_nowait, try_lock, poll...), send/release/spawn never charge.
  // A charged operation may therefore switch (and receive a kill or a
  // Timeout at that point) even when it would not have blocked; it has not
  // happened yet then. No yield happens in the hub greenlet, while the hub
  // unwinds greenthreads, or while an exception unwinds the caller's stack
  // (the budget is just refilled).

  static constexpr std::uint32_t kDefaultCoopBudget = 128;
  // Operations a greenthread may complete in a row without switching; 0
  // turns the budget off (eventlet's behaviour: never yield). The running
  // greenthread starts afresh with the new budget.
  void set_coop_budget(std::uint32_t operations) {
    coop_budget_ = operations;
    coop_refill_ = operations == 0 ? UINT32_MAX : operations;
    coop_left_ = coop_refill_;
  }
  std::uint32_t coop_budget() const { return coop_budget_; }

  // eventlet's hub.default_sleep(): the longest the loop's poll sleeps when
  // no timer is scheduled. Default: absl::InfiniteDuration() (the poll sleeps
  // until an fd, a posted callback or a timer needs the hub; eventlet wakes
  // every 60 s to find nothing to do). A finite value makes an idle loop turn
  // at least that often. Throws std::invalid_argument unless > 0. Under the
  // simulator keep the default: an idle simulated hub is how a deadlock is
  // recognised, and a finite value makes it advance the clock instead.
  void set_default_sleep(absl::Duration longest_poll);
  absl::Duration default_sleep() const;
  // Cross-hub hand-off spin: when the hub has nothing to run, its mailbox is
  // empty and it had mail since it last slept, it spins for up to `spin`
  // (checking the mailbox between pause instructions) before it blocks in
  // the backend, so that a reply from another hub costs no system call and
  // no thread wake-up on either side. An idle hub never spins: no mail since
  // the last sleep, no spin, so the CPU a hub burns spinning is at most
  // `spin` per batch of mail received. Spins that find nothing back off
  // (after k failures in a row the next 2^k - 1 chances are skipped, k <= 6),
  // so on a machine with no core to spare the spin costs little. A fd that becomes ready during the
  // spin is seen when it ends (up to `spin` late); a timer due sooner ends
  // it. Default: kDefaultHandoffSpin for hubs made by Hub::current() (the
  // epoll backend), zero (off) for Hub::install()ed backends such as the
  // simulator's. Zero or less turns it off.
  static constexpr absl::Duration kDefaultHandoffSpin = absl::Microseconds(20);
  void set_handoff_spin(absl::Duration spin);
  absl::Duration handoff_spin() const { return absl::Nanoseconds(spin_ns_); }
  // Charges one operation to the running greenthread (see above): yields
  // first if its budget is spent. Throws what a switch point throws.
  [[gnu::always_inline]] void coop_charge() {
    if (coop_left_ == 0) [[unlikely]]
      coop_yield();
    --coop_left_;
  }
  // coop_charge() on this thread's hub, if it has one.
  [[gnu::always_inline]] static void coop_charge_current() {
    if (Hub* hub = tls_hub_) [[likely]]
      hub->coop_charge();
  }
  // Yields made because a budget ran out, since the hub was created.
  std::uint64_t coop_yields() const { return coop_yields_; }

  // ---- File descriptors -----------------------------------------------------

  // Parks the current greenlet until `fd` is ready for `event` (kRead or
  // kWrite), `timeout` elapses, or the fd is closed with notify_close().
  // Throws: TimeoutError, IOClosed, HubUsageError (hub greenlet), and
  // std::runtime_error for a second waiter on the same fd and event while
  // multiple readers are prevented (eventlet's message).
  void trampoline(int fd, IoEvents event,
                  std::optional<absl::Duration> timeout = std::nullopt);
  // As trampoline, but reports timeout and close as a result.
  IoWaitResult wait_for_io(int fd, IoEvents event,
                           std::optional<absl::Duration> timeout);
  // Call before closing `fd`: greenthreads waiting on it are woken (at the
  // next pass) with IOClosed / kClosed, and the backend forgets the fd.
  void notify_close(int fd);
  // Calls `callback(why)` once, in the hub greenlet, when `fd` is ready for
  // `event` (kReady), `timeout` elapses first (kTimedOut; none: no limit), or
  // the fd is closed with notify_close() (kClosed, at the next pass) — with
  // no greenlet parked meanwhile. The callback must not block; exceptions go
  // to the exception hook. Cancel it with the handle; hub teardown drops it
  // unrun. hub/io_watch.h has the whole contract. Throws what trampoline
  // throws for a second reader, and std::invalid_argument for a negative fd
  // or an event other than kRead or kWrite.
  IoWatchHandle watch_io(int fd, IoEvents event,
                         std::optional<absl::Duration> timeout,
                         IoCallback callback);
  // eventlet's g_prevent_multiple_readers (default true).
  void set_prevent_multiple_readers(bool prevent) {
    prevent_multiple_readers_ = prevent;
  }

  // ---- Configuration, hooks, counts -----------------------------------------

  // Stack size for greenlets created from now on (rounded up to pages).
  void set_stack_size(std::size_t bytes);
  std::size_t stack_size() const { return stacks_->stack_size(); }

  // Receives exceptions nobody else will see. The default prints
  // "eventlet: unhandled exception in <where>: <type>: <what>" to stderr.
  // GreenletExit is never reported.
  void set_exception_hook(ExceptionHook hook);
  // Reports `error` to the hook, except GreenletExit (ignored) and fatal
  // exceptions (below), which are raised in the main greenlet instead.
  void report_exception(std::exception_ptr error, std::string_view where);

  // Fatal exceptions (eventlet's SYSTEM_EXCEPTIONS): one that escapes a
  // greenthread, a timer, posted or listener callback, or a connection
  // handler is not reported: the hub raises it in the main greenlet, whose
  // current (or next) switch point throws it — sleep(), wait(), a socket
  // read... — so it ends the program unless main catches it. Raised while
  // main itself runs (an inline pool spawn), it propagates from there. The
  // first one wins until main has taken it. The greenthread's own waiters
  // still see it through wait(). Default set: eventlet::SystemExit.
  template <typename E>
  void add_fatal_exception_type() {
    fatal_types_.push_back([](const std::exception_ptr& error) {
      try {
        std::rethrow_exception(error);
      } catch (const E&) {
        return true;
      } catch (...) {
        return false;
      }
    });
  }
  // Empties the set: every exception is then reported to the hook.
  void clear_fatal_exception_types() { fatal_types_.clear(); }
  bool is_fatal(const std::exception_ptr& error) const;

  // Greenlets alive (not dead), excluding main and the hub's own.
  std::size_t greenlet_count() const { return live_count_; }
  // Timers queued (heap and next_timers), not counting ready wake-ups.
  std::size_t timer_count() const { return timers_.timer_count(); }
  std::size_t ready_count() const { return timers_.ready_count(); }
  std::size_t listener_count() const { return listener_count_; }
  // Loop iterations so far.
  std::uint64_t iterations() const { return iterations_; }

  // Visits live greenlets in creation order (main first).
  template <typename F>
  void for_each_greenlet(F&& f) const {
    for (Greenlet* g = main_; g; g = g->next_live_) f(*g);
  }
  // Visits every fd listener: f(int fd, IoEvents event, const Greenlet&
  // waiter, bool primary), by fd, readers before writers, each in wait order
  // (the primary first; others wait behind it when multiple readers are
  // allowed). A watch (watch_io) is visited with the hub greenlet as waiter.
  template <typename F>
  void for_each_listener(F&& f) const;
  // Visits queued timers (the heap's runs, then next_timers; not in firing
  // order: see TimerQueue::for_each_timer): f(TimerInfo).
  template <typename F>
  void for_each_timer(F&& f) const {
    timers_.for_each_timer(
        [&](const internal::TimerNode& node) { f(TimerInfo(node)); });
  }

  // Registers `observer` for every scheduling event (hub/observer.h) until
  // the returned registration ends. Any number may be registered at once,
  // each unregistered on its own; events go to the newest first. The
  // observer must outlive its registration. Not from an observer callback.
  ObserverRegistration add_observer(HubObserver& observer) {
    return ObserverRegistration(&observers_, &observer);
  }
  std::size_t observer_count() const { return observers_.size(); }
  // Where `object` was created, from the newest observer that recorded it
  // (HubObserver::object_creation_site; debug::hub_object_stacks), or "".
  std::string object_creation_site(const ObjectInfo& object) {
    return observer_ != nullptr ? observer_->object_creation_site(object) : "";
  }
  // The primitive `g` is parked in (Event::wait, Queue::get...), numbered;
  // none if g is not parked in one.
  std::optional<ObjectInfo> waiting_object(const Greenlet& g) const {
    if (g.waiting_object_ == nullptr) return std::nullopt;
    return ObjectInfo(*g.waiting_object_);
  }
  // Makes the end of the current pass go through the backend's wait() even if
  // no fd is watched and work is ready (a zero-time poll), so a backend gets
  // control during a loop of sleep(0)s (e.g. a simulation's event budget).
  void request_poll() { poll_requested_ = true; }
  // From the main greenlet: unwinds every other greenthread now (GreenletExit
  // at its switch point; never-started ones are dropped), as teardown does,
  // but keeps the hub. For ending a run while main's objects still live.
  // Throws HubUsageError elsewhere.
  void unwind_greenthreads();
  // True while the hub unwinds greenthreads: unwind_greenthreads(),
  // destroy_current(), or an unwind() in progress. Meanwhile a greenthread
  // that tries to wait gets GreenletExit instead.
  bool unwinding() const { return unwinder_ != nullptr; }
  // What a destructor that would wait (GreenPool's waitall...) asks first:
  // false while the hub unwinds greenthreads, while an exception unwinds the
  // caller's own stack (a kill, a Timeout), and in the hub greenlet. A
  // destructor then kills or abandons instead of waiting (unwind(),
  // unwind_waiters()), so teardown never parks.
  bool may_wait_in_destructor() const {
    return unwinder_ == nullptr && current_ != hub_greenlet_ &&
           std::uncaught_exceptions() == 0;
  }
  // Unwinds `g` now without parking the caller: GreenletExit is raised at
  // g's switch point (one that never started is dropped instead) and g runs
  // until it has died; then the caller goes on. Meanwhile nothing else runs,
  // and a wait g attempts raises GreenletExit again, as in teardown. Returns
  // true if g is dead afterwards; false for the caller itself, main and the
  // hub greenlet (which cannot be unwound) or if g refused to die. For
  // destructors that must not wait. Never throws.
  bool unwind(Greenlet& g) noexcept;
  // unwind() on every live greenlet whose group() is `group`, oldest first.
  void unwind_group(const void* group);
  // Orders each pass's zero-delay wake-ups (null: FIFO, the default). For
  // schedule exploration; see hub/observer.h.
  void set_tie_breaker(TieBreaker* tie_breaker) { tie_breaker_ = tie_breaker; }

  // ---- Cross-thread ---------------------------------------------------------

  // Runs `callback` in this hub's greenlet at the start of its next loop
  // iteration and wakes the hub. Thread-safe; the hub must outlive the call
  // (or hold mailbox() instead, which outlives the hub).
  void post(absl::AnyInvocable<void()> callback) {
    mailbox_->post(std::move(callback));
  }
  // The hub's mailbox, for threads that may outlive the hub.
  std::shared_ptr<Mailbox> mailbox() const { return mailbox_; }

  ~Hub();
  Hub(const Hub&) = delete;
  Hub& operator=(const Hub&) = delete;

 private:
  // ---- For eventlet's own primitives, through internal::HubAccess
  // (hub/internal/hub_access.h): parking in and waking from wait queues,
  // numbering objects, intrusive timers.
  friend class internal::HubAccess;
  friend void internal::note_object_created(internal::WaitObject& object);
  friend void internal::note_object_destroyed(internal::WaitObject& object);

  // Parks the current greenlet in `queue` until a wake() picks it (FIFO) or
  // `timeout` elapses. Returns true if woken, false on timeout. The waiter is
  // removed from the queue however the wait ends (also by exception).
  // `object`, if given, is the primitive the queue belongs to: the greenlet
  // records it as what it waits in (Hub::waiting_object(), for traces
  // and deadlock reports), and the object gets its number (object_id()) at
  // its first wait, traced or not. Waiting does not touch it (WaitObject).
  bool wait_in(internal::WaitQueue& queue,
               std::optional<absl::Duration> timeout, const char* waiting_on,
               void* payload = nullptr,
               const internal::WaitObject* object = nullptr) {
    Greenlet* self = current_;
    self->waiting_object_ = object;
    if (object != nullptr && object->id == 0) [[unlikely]]
      object->id = ++next_object_id_;
    if (timeout) return wait_in_for(queue, *timeout, waiting_on, payload);
    internal::Waiter waiter;
    waiter.greenlet = self;
    waiter.payload = payload;
    Unqueue unqueue{queue, waiter};
    park_finish(self, park_in(self, queue, waiter, waiting_on));
    return waiter.woken;
  }
  // Wakes the first waiter of `queue` (at the next pass; never yields).
  // Returns it, or null if the queue was empty.
  internal::Waiter* wake_one(internal::WaitQueue& queue) {
    internal::Waiter* w = queue.pop_front();
    if (w != nullptr) {
      w->woken = true;
      schedule_resume(*w->greenlet);
    }
    return w;
  }
  // Wakes every waiter of `queue`, FIFO.
  void wake_all(internal::WaitQueue& queue) {
    while (wake_one(queue) != nullptr) {
    }
  }
  // As wake_one / wake_all, for the primitive `object` doing operation `op`
  // ("event_send", "queue_put", "sem_release"...: a string with static
  // storage): the caller becomes the object's last toucher, and an observer
  // sees the operation (HubObserver::on_wake) before the wake-ups it causes.
  internal::Waiter* wake_one(internal::WaitQueue& queue,
                             internal::WaitObject& object, const char* op) {
    object.last_touch = current_->id_;
    if (observer_ != nullptr && !queue.empty()) [[unlikely]]
      note_wake(queue, object, op, 1);
    return wake_one(queue);
  }
  void wake_all(internal::WaitQueue& queue, internal::WaitObject& object,
                const char* op) {
    object.last_touch = current_->id_;
    if (observer_ != nullptr && !queue.empty()) [[unlikely]]
      note_wake(queue, object, op, queue.size());
    wake_all(queue);
  }
  // Records the running greenthread as `object`'s last toucher (an operation
  // that changes it but wakes nobody). No-op on a thread without a hub.
  static void touch(internal::WaitObject& object) {
    if (Hub* hub = tls_hub_) object.last_touch = hub->current_->id_;
  }
  // `object`'s number on this hub: objects are numbered in the order they
  // are first waited on (wait_in), so the same simulated run numbers them
  // the same way whether it is traced or not; given now if it has none.
  std::uint64_t object_id(const internal::WaitObject& object) {
    if (object.id == 0) object.id = ++next_object_id_;
    return object.id;
  }

  // For the destructor of a primitive that owns `queue`: its waiters could
  // never be woken again, so each is unwound (unwind()); main, which cannot
  // be, is removed and gets GreenletExit at its switch point at the next
  // pass. Leaves the queue empty. Never parks the caller.
  void unwind_waiters(internal::WaitQueue& queue) noexcept;
  // Schedules / cancels an intrusive timer node (internal::TimerNode).
  void schedule_timer(internal::TimerNode* node, absl::Duration delay);
  void cancel_timer(internal::TimerNode* node);
  // A token that turns false when `g` dies.
  internal::RefPtr<internal::LifeToken> life_token(Greenlet& g);

  // An fd waiter: on the waiting greenlet's stack for the wait's duration,
  // or an IoWatch's (watch_io; its greenlet is null).
  using Listener = internal::FdListener;
  struct FdListeners {
    Listener* readers = nullptr;  // primary first, then secondaries (FIFO)
    Listener* writers = nullptr;
  };

  explicit Hub(std::unique_ptr<Backend> backend);
  static Hub& create_default();
  [[noreturn]] static void greenlet_entry(void* arg);
  static bool lookup_guard(const void* addr, char* who, std::size_t who_size,
                           std::size_t* stack_size);

  void link_live(Greenlet* g);
  void unlink_live(Greenlet* g);
  // Switch machinery.
  //
  // Parking is split in two so that the switch itself happens in the frame
  // of whoever parks (inlined into sleep(), Event::wait()...): a switch
  // resumes a greenlet inside frames the CPU's return-address predictor did
  // not see being entered, so every return between the switch and the
  // parking caller mispredicts. The out-of-line first half (checks, marking
  // the greenlet suspended, picking the next one) returns before the switch
  // and costs no misprediction.
  //
  // park_begin: throws HubUsageError(`hub_error`) in the hub greenlet and
  // GreenletExit while shutting down; marks `self` suspended on `waiting_on`,
  // picks the next greenlet and makes it current (and running). Returns it.
  [[gnu::noinline]] Greenlet* park_begin(Greenlet* self, const char* hub_error,
                                         const char* waiting_on);
  // sleep(0): schedules self at the next pass, then park_begin.
  [[gnu::noinline]] Greenlet* yield_begin(Greenlet* self);
  // wait_in without a timeout: queues `waiter`, then park_begin.
  [[gnu::noinline]] Greenlet* park_in(Greenlet* self,
                                      internal::WaitQueue& queue,
                                      internal::Waiter& waiter,
                                      const char* waiting_on);
  // Switches from `self` to `next` (unless they are the same), then, once
  // `self` runs again: reaps a greenlet that died meanwhile, clears the wait
  // description and rethrows an exception thrown into `self`.
  [[gnu::always_inline]] void park_finish(Greenlet* self, Greenlet* next) {
    if (next != self) [[likely]] {
      internal::switch_context(&self->ctx_, &next->ctx_);
      if (dying_ != nullptr) [[unlikely]]
        reap_dead();
    }
    self->waiting_on_ = "";
    self->waiting_object_ = nullptr;
    if (self->pending_exception_) [[unlikely]]
      throw_pending(self);
  }
  [[gnu::always_inline]] void yield() {
    Greenlet* self = current_;
    park_finish(self, yield_begin(self));
  }
  void sleep_for(absl::Duration delay);
  bool wait_in_for(internal::WaitQueue& queue, absl::Duration timeout,
                   const char* waiting_on, void* payload);
  // Removes a waiter from its queue however its wait ends.
  struct Unqueue {
    internal::WaitQueue& q;
    internal::Waiter& w;
    ~Unqueue() { q.remove(&w); }
  };
  // The hub greenlet's switch (and throw_into's): inline, so that the hub
  // resumes inside fire_timers() or poll_io() rather than returning into frames
  // entered before the switch.
  [[gnu::always_inline]] inline void switch_to(Greenlet* next);
  [[gnu::always_inline]] inline void resume(Greenlet* g);
  Greenlet* next_to_run();
  // What happens between two timer passes, decided here for both ways a
  // pass ends (hub.cc): the hub greenlet's loop, and the inline hand-off of a
  // parking greenlet that starts the next pass itself when nothing of the
  // boundary needs the hub greenlet (then returns false if it cannot).
  enum class Boundary {
    kLoopStart,      // the loop's first pass: no pass ended before it
    kAfterPass,      // the hub greenlet, after fire_timers()
    kInlineHandoff,  // a parking greenlet, from next_to_run()
  };
  template <Boundary kFrom>
  bool cross_pass_boundary();
  Greenlet* park_common(Greenlet* self, const char* waiting_on);
  void reap_dead();
  [[gnu::noinline]] void release_stale(Greenlet* g);
  // cross_pass_boundary<kInlineHandoff>'s timer step, out of line: false if
  // a timer is due at fresh hub time (the hub greenlet must fire it); else
  // prepare_timers().
  [[gnu::noinline]] bool prepare_timers_inline();
  // Moves next_timers into the heap (eventlet's prepare_timers), telling the
  // observer which timers move when there are any.
  void prepare_timers() {
    if (observer_ != nullptr && timers_.has_pending()) [[unlikely]]
      observer_->on_prepare_timers(TimerList(timers_.pending()));
    timers_.prepare();
  }
  [[gnu::noinline, gnu::cold]] void note_wake(internal::WaitQueue& queue,
                                              internal::WaitObject& object,
                                              const char* op, std::size_t n);
  void release_greenlet(Greenlet* g);
  // Reports an overflow if the current stack pointer is too close to the
  // bottom of g's stack (catches overflows of unguarded stacks).
  void check_stack(Greenlet* g) {
    if (g->stack_.low == nullptr) return;  // main: the thread's own stack
    const char* sp = static_cast<const char*>(__builtin_frame_address(0));
    if (sp < g->stack_.low + internal::StackPool::kCanaryBytes + 256)
        [[unlikely]] {
      report_overflow(g);
    }
  }
  [[noreturn, gnu::noinline, gnu::cold]] static void report_overflow(
      Greenlet* g);
  [[noreturn]] void finish_current();
  // coop_charge()'s slow path: refills, and yields unless it must not.
  [[gnu::noinline, gnu::cold]] void coop_yield();
  // report_exception()'s path for a fatal exception (see is_fatal()).
  void raise_in_main(std::exception_ptr error);
  [[noreturn, gnu::noinline, gnu::cold]] static void throw_pending(
      Greenlet* self);
  [[noreturn, gnu::noinline, gnu::cold]] static void throw_usage(
      const char* message);
  void require_not_hub(const char* message) const {
    if (current_ == hub_greenlet_) [[unlikely]]
      throw_usage(message);
  }
  static constexpr const char* kSwitchFromHub =
      "Cannot switch to MAINLOOP from MAINLOOP";
  static constexpr const char* kBlockingInHub =
      "do not call blocking functions from the mainloop";
  // Loop phases: run_loop() alternates fire_timers() (one timer pass) and
  // cross_pass_boundary<kAfterPass>().
  void run_loop();
  void run_posted_callbacks();
  void fire_timers();
  [[gnu::always_inline]] inline void fire_node(internal::TimerNode* node);
  void run_callback_timer(internal::CallbackTimer* timer);
  void poll_io();
  // Before a backend wait that may block until `deadline`: the hand-off spin
  // (set_handoff_spin), then Mailbox::begin_sleep(). False if mail is there:
  // poll instead of blocking (the hub is not asleep).
  bool prepare_to_block(std::int64_t deadline);
  [[gnu::always_inline]] inline void dispatch_io(std::size_t index);
  // Timers and listeners.
  std::int64_t deadline_after(absl::Duration delay);
  TimerHandle schedule_callback(absl::Duration delay,
                                absl::AnyInvocable<void()>&& callback,
                                Greenlet* owner);
  Greenlet* take_ready(const internal::TimerQueue::ReadyEntry& entry);
  template <typename F>
  Greenlet* construct_greenlet(internal::Stack stack, std::int64_t id,
                               F&& body);
  internal::StackPool& pool_for(std::size_t stack_size);
  // Before a poll: gives back the pages of free stacks that recent demand
  // does not need (StackPool::trim: demand since the previous trim), at most
  // every kStackTrimInterval of hub time; at every poll when `quiet` (no
  // timer due within kStackTrimInterval: none, or only far ones such as
  // parked connections' idle timeouts), keeping only what the last pass
  // took (none when `idle`, no timer pending): a burst's stacks go before
  // the hub sleeps long, while a hub that spawns at every pass keeps what
  // it uses (no madvise/fault churn). Then also the heap's free pages
  // (malloc_trim), if greenthreads ran since the last such trim: at once
  // when `idle`, at most every kStackTrimInterval otherwise. Never
  // switches.
  void trim_stacks(bool idle, bool quiet);
  static constexpr std::int64_t kStackTrimInterval = 1'000'000'000;  // 1 s
  std::int64_t last_stack_trim_ = 0;
  std::uint64_t allocations_at_idle_trim_ = 0;
  std::uint64_t allocations_at_poll_ = 0;  // trim_stacks()
  void add_listener(Listener* l);
  void remove_listener(Listener* l);
  // Who waits, for observers, dumps and messages: the hub greenlet for a
  // watch.
  Greenlet& listener_owner(const Listener* l) const {
    return l->greenlet != nullptr ? *l->greenlet : *hub_greenlet_;
  }
  // Watches (io_watch.cc). fire_watch runs the callback (`why`: kReady, or
  // the watch's outcome when its timer fires); close_watch defers it to the
  // next pass after notify_close unlinked it; end_watch unregisters a watch
  // and returns its callback (the hub's reference goes with the caller's
  // `hold`); drop_watches, at teardown, ends every one unrun.
  [[gnu::noinline]] void fire_watch(internal::IoWatch* w, IoWaitResult why);
  [[gnu::noinline]] void close_watch(internal::IoWatch* w);
  IoCallback end_watch(internal::IoWatch* w);
  void drop_watches();
  friend class IoWatchHandle;
  void update_watch(int fd);
  FdListeners& fd_listeners(int fd);
  void shutdown();
  void abandon();
  static constexpr const char* kUnwinding = "unwind";
  // Raises `error` in the started greenlet `g` and runs it, with the caller
  // as unwinder_, until it dies or switches back. Returns true if it died.
  bool run_unwinding(Greenlet* g, std::exception_ptr error) noexcept;
  // Marks `g` dead for schedule_call_local / spawn_after_local and cancels
  // its local timers.
  void end_life(Greenlet* g);
  void schedule_node(internal::TimerNode* node, std::int64_t deadline);
  friend struct HubReaper;

  // constinit: other translation units then know it needs no dynamic
  // initialization and read it without calling a TLS init wrapper.
  static constinit thread_local Hub* tls_hub_
      __attribute__((tls_model("initial-exec")));

  std::unique_ptr<Backend> backend_;
  // stack_pools_[0] holds the hub greenlet's stack; stacks_ is the pool new
  // greenlets take from (one pool per stack size ever configured).
  std::vector<std::unique_ptr<internal::StackPool>> stack_pools_;
  internal::StackPool* stacks_ = nullptr;
  internal::TimerQueue timers_;
  std::int64_t now_ = 0;
  Greenlet* current_ = nullptr;
  internal::MainGreenlet main_storage_;
  Greenlet* main_ = nullptr;
  Greenlet* hub_greenlet_ = nullptr;
  Greenlet* last_live_ = nullptr;
  Greenlet* dying_ =
      nullptr;  // exited; its stack is released by the next context
  std::int64_t next_greenlet_id_ = 1;
  std::uint64_t next_object_id_ = 0;  // object_id()'s last number
  std::size_t live_count_ = 0;
  bool in_timer_phase_ = false;
  // While greenthreads are unwound: the greenlet driving it (main in
  // teardown, the caller of unwind()). Dying and parking greenlets switch
  // back to it; any other greenlet that tries to park gets GreenletExit.
  Greenlet* unwinder_ = nullptr;
  // The greenlet unwind() is running; cleared when it dies.
  Greenlet* unwind_target_ = nullptr;
  bool prevent_multiple_readers_ = true;
  std::uint64_t iterations_ = 0;
  std::vector<FdListeners> fd_listeners_;
  std::size_t listener_count_ = 0;
  std::vector<IoReady> io_ready_;
  ExceptionHook exception_hook_;
  std::shared_ptr<Mailbox> mailbox_;
  Mailbox* mail_ = nullptr;  // mailbox_.get(), one load less on hot paths
  // What the hot paths call: null (no observer), the only one, or
  // observers_ (which forwards to several). observers_ keeps it so.
  HubObserver* observer_ = nullptr;
  internal::ObserverList observers_{observer_};
  TieBreaker* tie_breaker_ = nullptr;
  bool poll_requested_ = false;
  // Cooperative budget: what is left to the running greenthread, what a
  // refill gives (UINT32_MAX when off), the setting, and the yields made.
  std::uint32_t coop_left_ = kDefaultCoopBudget;
  std::uint32_t coop_refill_ = kDefaultCoopBudget;
  std::uint32_t coop_budget_ = kDefaultCoopBudget;
  // add_fatal_exception_type(): one matcher per type.
  std::vector<bool (*)(const std::exception_ptr&)> fatal_types_;
  // set_default_sleep(), in ns; 0: no limit.
  std::int64_t default_sleep_ns_ = 0;
  std::uint64_t coop_yields_ = 0;
  // Index in io_ready_ of the event being dispatched (SIZE_MAX: none);
  // notify_close() drops not-yet-dispatched events of the fd it closes.
  std::size_t io_dispatching_ = static_cast<std::size_t>(-1);
  // set_handoff_spin(), in ns (0: off); whether mail came since the last
  // sleep; the callbacks being run (kept for its capacity).
  std::int64_t spin_ns_ = 0;
  bool mail_since_sleep_ = false;
  // The spin's back-off (prepare_to_block): failed spins in a row, and the
  // chances to spin still to skip.
  static constexpr std::uint32_t kMaxSpinBackoff = 6;
  std::uint32_t spin_failures_ = 0;
  std::uint32_t spin_skips_ = 0;
  std::vector<absl::AnyInvocable<void()>> posted_;
  // Last, so that adding it moved no other member (hub.cc: id order).
  const std::uint32_t id_;
  // Pending watches (watch_io), newest first; after id_ for the same reason.
  internal::IoWatch* watches_ = nullptr;
  std::int64_t last_malloc_trim_ = 0;  // trim_stacks()
};

// ---- Template and inline definitions
// ------------------------------------------

template <typename F>
Greenlet* Hub::construct_greenlet(internal::Stack stack, std::int64_t id,
                                  F&& body) {
  using Body = std::decay_t<F>;
  using Impl = internal::BodyGreenlet<Body>;
  static_assert(alignof(Impl) <= 64, "greenlet body over-aligned");
  // The control block sits at the top of the stack, 64-byte aligned; the
  // machine stack grows down from just below it.
  const std::uintptr_t low = reinterpret_cast<std::uintptr_t>(stack.low);
  const std::uintptr_t at =
      (low + stack.size - sizeof(Impl)) & ~std::uintptr_t{63};
  Impl* g = new (reinterpret_cast<void*>(at))
      Impl(this, id, stack, Body(std::forward<F>(body)));
  g->ctx_.entry = &Hub::greenlet_entry;
  g->ctx_.entry_arg = static_cast<Greenlet*>(g);
  internal::make_context(&g->ctx_, stack.low, at - low);
  return g;
}

template <typename F>
Greenlet& Hub::create_greenlet(F&& body) {
  internal::Stack stack = stacks_->allocate();
  Greenlet* g;
  try {
    g = construct_greenlet(stack, next_greenlet_id_, std::forward<F>(body));
  } catch (...) {
    stacks_->release(stack);
    throw;
  }
  ++next_greenlet_id_;
  g->domain_ = current_->domain_;
  link_live(g);
  if (observer_ != nullptr) [[unlikely]]
    observer_->on_spawn(*g, *current_);
  return *g;
}

template <typename F>
void Hub::for_each_listener(F&& f) const {
  for (std::size_t fd = 0; fd < fd_listeners_.size(); ++fd) {
    for (const Listener* head :
         {fd_listeners_[fd].readers, fd_listeners_[fd].writers}) {
      for (const Listener* l = head; l != nullptr; l = l->next) {
        f(static_cast<int>(fd), l->event, listener_owner(l), l == head);
      }
    }
  }
}

}  // namespace eventlet

#endif  // EVENTLET_HUB_HUB_H_
