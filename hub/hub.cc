// Copyright 2026 The eventlet-cpp Authors.
#include "hub/hub.h"

#include <malloc.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <mutex>
#include <stdexcept>
#include <utility>

#include "hub/epoll_backend.h"
#include "hub/internal/block_cache.h"
#include "hub/internal/hub_access.h"
#include "hub/internal/sanitizers.h"
#include "hub/internal/stack_overflow.h"

namespace eventlet {

// Ends the thread's hub when the thread exits (see Hub::destroy_current).
struct HubReaper {
  ~HubReaper() {
    Hub* hub = Hub::tls_hub_;
    if (hub == nullptr) return;
    if (hub->live_count_ == 0 && hub->current_ == hub->main_) {
      Hub::destroy_current();
    } else {
      hub->abandon();
    }
  }
};

using internal::TimerNode;
using State = GreenletState;

constinit thread_local Hub* Hub::tls_hub_ = nullptr;

namespace {

// Keeps a hub abandoned at thread exit reachable, on purpose (see
// Hub::destroy_current). Threads may exit at once: the list is locked. Both
// are made on first use and never destroyed (a thread may exit after main).
void keep_abandoned(Hub* hub) {
  static std::mutex* mu = new std::mutex;
  static std::vector<Hub*>* hubs = new std::vector<Hub*>;
  std::lock_guard<std::mutex> lock(*mu);
  hubs->push_back(hub);
}

// Frees kept by a stack-based guard: cancels a timer node however a wait ends.
struct CancelOnExit {
  Hub* hub;
  TimerNode* node;
  ~CancelOnExit() { internal::HubAccess::cancel_timer(*hub, node); }
};

void default_exception_hook(const HubException& e) {
  std::fprintf(stderr, "eventlet: unhandled exception in %s: %s\n",
               e.where.c_str(), describe_exception(e.error).c_str());
  std::fflush(stderr);
}

}  // namespace

// ---- Greenlet
// ------------------------------------------------------------------

Greenlet::Greenlet(Hub* hub, std::int64_t id, internal::Stack stack)
    : hub_(hub),
      id_(id),
      stack_(stack),
      start_timer_(TimerNode::Action::kResume, this) {}

std::string Greenlet::describe() const {
  std::string out = id_ == 0  ? "main"
                    : id_ < 0 ? "hub"
                              : "greenthread " + std::to_string(id_);
  if (!name_.empty()) out += " (" + name_ + ")";
  return out;
}

// ---- Identity and lifetime
// -----------------------------------------------------

namespace {
std::atomic<std::uint32_t> last_hub_id{0};
}  // namespace

Hub::Hub(std::unique_ptr<Backend> backend)
    : backend_(std::move(backend)),
      main_storage_(this),
      exception_hook_(default_exception_hook),
      id_(last_hub_id.fetch_add(1, std::memory_order_relaxed) + 1) {
  mailbox_ = std::make_shared<Mailbox>(backend_.get());
  mail_ = mailbox_.get();
  stack_pools_.push_back(std::make_unique<internal::StackPool>(kHubStackSize));
  stack_pools_.push_back(
      std::make_unique<internal::StackPool>(kDefaultStackSize));
  stacks_ = stack_pools_.back().get();
  main_ = &main_storage_;
  main_->state_ = State::kRunning;
  internal::init_thread_context(&main_->ctx_);
  current_ = main_;
  last_live_ = main_;
  now_ = backend_->now();
  hub_greenlet_ = construct_greenlet(stack_pools_[0]->allocate(), -1,
                                     [this] { run_loop(); });
  internal::set_guard_lookup(&Hub::lookup_guard);
  internal::install_stack_overflow_handler();
  add_fatal_exception_type<SystemExit>();
}

bool Hub::lookup_guard(const void* addr, char* who, std::size_t who_size,
                       std::size_t* stack_size) {
  Hub* hub = tls_hub_;
  if (hub == nullptr) return false;
  const Greenlet* g = hub->current_;
  if (!g->stack_.guarded) return false;
  const char* a = static_cast<const char*>(addr);
  const char* guard = g->stack_.low - internal::StackPool::page_size();
  if (a < guard || a >= g->stack_.low + internal::StackPool::kCanaryBytes)
    return false;
  std::snprintf(who, who_size, "%s", g->describe().c_str());
  *stack_size = g->stack_.size;
  return true;
}

Hub& Hub::install(std::unique_ptr<Backend> backend) {
  if (tls_hub_ != nullptr)
    throw std::logic_error("this thread already has a hub");
  static thread_local HubReaper reaper;
  (void)reaper;
  tls_hub_ = new Hub(std::move(backend));
  return *tls_hub_;
}

Hub& Hub::create_default() {
  Hub& hub = install(std::make_unique<EpollBackend>());
  hub.set_handoff_spin(kDefaultHandoffSpin);
  return hub;
}

void Hub::destroy_current() {
  Hub* hub = tls_hub_;
  if (hub == nullptr) return;
  if (hub->current_ != hub->main_) {
    // Only the main greenlet can drive the teardown; leave everything be.
    std::fprintf(
        stderr, "eventlet: hub teardown requested from %s, not main; skipped\n",
        hub->current_->describe().c_str());
    return;
  }
  hub->shutdown();
  tls_hub_ = nullptr;
  delete hub;
}

Hub::~Hub() { mailbox_->close(); }

void Hub::shutdown() {
  unwind_greenthreads();
  drop_watches();
  // Queued timers: callback timers lose the queue's reference.
  std::vector<internal::CallbackTimer*> callbacks;
  timers_.for_each_timer([&](TimerNode& n) {
    if (n.action == TimerNode::Action::kCallback) {
      callbacks.push_back(static_cast<internal::CallbackTimer*>(&n));
    }
  });
  std::vector<Greenlet*> deferred;
  timers_.for_each_ready([&](const internal::TimerQueue::ReadyEntry& e) {
    if (--e.greenlet->ready_refs_ == 0 && e.greenlet->dead())
      deferred.push_back(e.greenlet);
  });
  timers_.clear();
  for (internal::CallbackTimer* t : callbacks) {
    t->hub = nullptr;
    if (t->owner_life) std::erase(t->owner_life->timers, t);
    t->release_ref();
  }
  for (Greenlet* g : deferred) release_greenlet(g);
  // The hub greenlet is parked inside run_loop(), whose frames own nothing.
  internal::destroy_context(&hub_greenlet_->ctx_);
  internal::Stack hub_stack = hub_greenlet_->stack_;
  hub_greenlet_->~Greenlet();
  stack_pools_[0]->release(hub_stack);
  end_life(main_);
}

void Hub::end_life(Greenlet* g) {
  internal::LifeToken* life = std::exchange(g->life_, nullptr);
  if (life == nullptr) return;
  life->alive = false;
  // Its schedule_call_local timers can never run now: drop them (and what
  // their callbacks hold) at once.
  while (!life->timers.empty()) {
    internal::CallbackTimer* timer = life->timers.back();
    if (timer->active()) {
      cancel_timer(timer);  // erases it from life->timers
    } else {
      life->timers.pop_back();
    }
  }
  life->release_ref();
}

void Hub::unwind_greenthreads() {
  if (current_ != main_) {
    throw HubUsageError(
        "unwind_greenthreads() must be called from the main greenlet");
  }
  Greenlet* const outer = std::exchange(unwinder_, main_);
  // Unwind every greenlet but main, oldest first. Meanwhile a greenlet that
  // tries to block gets GreenletExit instead, and a dying one switches back
  // here.
  while (main_->next_live_ != nullptr) {
    Greenlet* g = main_->next_live_;
    if (g->state_ == State::kNotStarted) {
      discard_unstarted(*g);
      continue;
    }
    g->pending_exception_ = std::make_exception_ptr(GreenletExit{});
    ++g->wait_id_;
    switch_to(g);
    if (main_->next_live_ == g) {
      // It caught GreenletExit and switched back without dying; give up on it.
      std::fprintf(stderr, "eventlet: %s refused to exit at hub teardown\n",
                   g->describe().c_str());
      unlink_live(g);
    }
  }
  unwinder_ = outer;
}

bool Hub::run_unwinding(Greenlet* g, std::exception_ptr error) noexcept {
  Greenlet* self = current_;
  Greenlet* const outer_unwinder = std::exchange(unwinder_, self);
  Greenlet* const outer_target = std::exchange(unwind_target_, g);
  g->pending_exception_ = std::move(error);
  ++g->wait_id_;
  self->state_ = State::kSuspended;
  self->waiting_on_ = kUnwinding;
  switch_to(g);  // back when g has died (or switched back without dying)
  self->waiting_on_ = "";
  const bool died = unwind_target_ == nullptr;
  unwind_target_ = outer_target;
  unwinder_ = outer_unwinder;
  return died;
}

bool Hub::unwind(Greenlet& g) noexcept {
  if (g.dead()) return true;
  if (&g == current_ || &g == main_ || &g == hub_greenlet_) return false;
  if (g.state_ == State::kNotStarted) {
    discard_unstarted(g);
    return true;
  }
  return run_unwinding(&g, std::make_exception_ptr(GreenletExit{}));
}

void Hub::unwind_group(const void* group) {
  // Life tokens, not pointers, say who is still alive: unwinding one member
  // may end others (and release their memory).
  std::vector<std::pair<Greenlet*, internal::RefPtr<internal::LifeToken>>>
      members;
  for_each_greenlet([&](Greenlet& g) {
    if (g.group() == group && !g.dead() && &g != current_)
      members.emplace_back(&g, life_token(g));
  });
  for (auto& [g, life] : members) {
    if (life->alive) unwind(*g);
  }
}

void Hub::unwind_waiters(internal::WaitQueue& queue) noexcept {
  while (internal::Waiter* w = queue.front()) {
    Greenlet* g = w->greenlet;
    if (g == main_ || g == current_) {
      queue.remove(w);
      if (g == main_ && g != current_) {
        main_->pending_exception_ = std::make_exception_ptr(GreenletExit{});
        ++main_->wait_id_;
        schedule_resume(*main_);
      }
      continue;
    }
    // The waiter lives on g's stack: once g died it is gone (and its wait
    // removed it from the queue on the way out).
    if (!unwind(*g)) queue.remove(w);
  }
}

void Hub::abandon() {
  for (Greenlet* g = main_->next_live_; g != nullptr; g = g->next_live_) {
    internal::register_leak_root(g->stack_.low, g->stack_.size);
  }
  internal::register_leak_root(hub_greenlet_->stack_.low,
                               hub_greenlet_->stack_.size);
  keep_abandoned(this);
  tls_hub_ = nullptr;
}

void Hub::link_live(Greenlet* g) {
  g->prev_live_ = last_live_;
  last_live_->next_live_ = g;
  last_live_ = g;
  ++live_count_;
}

void Hub::unlink_live(Greenlet* g) {
  g->prev_live_->next_live_ = g->next_live_;
  if (g->next_live_) {
    g->next_live_->prev_live_ = g->prev_live_;
  } else {
    last_live_ = g->prev_live_;
  }
  g->prev_live_ = g->next_live_ = nullptr;
  --live_count_;
}

internal::RefPtr<internal::LifeToken> Hub::life_token(Greenlet& g) {
  if (g.life_ == nullptr) {
    g.life_ = new internal::LifeToken;
    g.life_->add_ref();
  }
  return internal::RefPtr<internal::LifeToken>(g.life_);
}

// ---- Switching
// -----------------------------------------------------------------

inline void Hub::switch_to(Greenlet* next) {
  Greenlet* self = current_;
  if (next == self) return;
  if (observer_ != nullptr) [[unlikely]]
    observer_->on_switch(*self, *next);
  current_ = next;
  next->state_ = State::kRunning;
  coop_left_ = coop_refill_;
  internal::switch_context(&self->ctx_, &next->ctx_);
  if (dying_ != nullptr) reap_dead();
}

inline void Hub::resume(Greenlet* g) {
  if (g->state_ != State::kSuspended && g->state_ != State::kNotStarted) return;
  ++g->wait_id_;
  switch_to(g);
}

// take_ready, next_to_run and cross_pass_boundary are on every parking
// path: inline, with their rare branches out of line.
inline Greenlet* Hub::take_ready(const internal::TimerQueue::ReadyEntry& e) {
  Greenlet* g = e.greenlet;
  --g->ready_refs_;
  if (g->wait_id_ == e.wait_id &&
      (g->state_ == State::kSuspended || g->state_ == State::kNotStarted))
      [[likely]] {
    ++g->wait_id_;
    return g;
  }
  if (g->state_ == State::kDead && g->ready_refs_ == 0) release_stale(g);
  return nullptr;
}

bool Hub::prepare_timers_inline() {
  if (timers_.earliest_timer() <= fresh_now()) return false;
  prepare_timers();
  return true;
}

bool TimerInfo::local() const {
  return action() == Action::kCallback &&
         static_cast<bool>(
             static_cast<const internal::CallbackTimer*>(node_)->owner_life);
}

void internal::note_object_created(internal::WaitObject& object) {
  Hub* hub = Hub::current_if_exists();
  if (hub != nullptr && hub->observer_ != nullptr) {
    object.creation_recorded =
        hub->observer_->on_object_create(ObjectInfo(object));
  }
}

void internal::note_object_destroyed(internal::WaitObject& object) {
  Hub* hub = Hub::current_if_exists();
  if (hub != nullptr && hub->observer_ != nullptr) {
    hub->observer_->on_object_destroy(ObjectInfo(object));
  }
}

void Hub::note_wake(internal::WaitQueue& queue, internal::WaitObject& object,
                    const char* op, std::size_t n) {
  object_id(object);
  std::vector<const Greenlet*> woken;
  woken.reserve(n);
  for (const internal::Waiter* w = queue.front(); w != nullptr && n != 0;
       w = w->next, --n) {
    woken.push_back(w->greenlet);
  }
  observer_->on_wake(op, ObjectInfo(object), woken);
}

void Hub::release_stale(Greenlet* g) {
  if (g != current_ && g != dying_) release_greenlet(g);
}

[[gnu::always_inline]] inline Greenlet* Hub::next_to_run() {
  if (unwinder_ != nullptr) [[unlikely]]
    return unwinder_;
  if (!in_timer_phase_) return hub_greenlet_;
  // Still inside a timer pass: hand the CPU straight to the next ready
  // greenlet instead of bouncing through the hub greenlet. When the pass is
  // over and the hub would only start the next one, start it here too.
  for (;;) {
    internal::TimerQueue::ReadyEntry e;
    while (timers_.pop_due_ready(&e)) {
      if (Greenlet* g = take_ready(e)) return g;
    }
    if (timers_.pass_has_due_timer() ||
        !cross_pass_boundary<Boundary::kInlineHandoff>())
      return hub_greenlet_;
  }
}

template <Hub::Boundary kFrom>
[[gnu::always_inline]] inline bool Hub::cross_pass_boundary() {
  // Between two passes: next_timers join the heap, I/O is polled (eventlet
  // skips the syscall when no fd is watched and work is due), a new loop
  // iteration runs what other threads posted, next_timers join again, and the
  // next pass begins at fresh hub time if timers are queued.
  //
  // From a parking greenlet (kInlineHandoff) only when none of that needs the
  // hub greenlet: no fd watched, nothing posted, no poll requested, work
  // ready (so poll_io() would return at once) and no timer due (fire_node()
  // runs in the hub greenlet). Decide before touching the queues: on a
  // bail-out the hub greenlet finishes the current pass itself, and
  // next_timers must not have joined it. The time read to decide that no
  // timer is due is the pass's time.
  constexpr bool kInline = kFrom == Boundary::kInlineHandoff;
  if constexpr (kInline) {
    if (listener_count_ != 0 || mail_->has_mail() || !timers_.has_ready() ||
        poll_requested_) [[unlikely]]
      return false;
    if (!timers_.no_timers()) [[unlikely]] {
      if (!prepare_timers_inline()) return false;
    }
  } else if constexpr (kFrom == Boundary::kAfterPass) {
    prepare_timers();
    poll_io();
  }
  ++iterations_;
  if constexpr (!kInline) {
    run_posted_callbacks();
    prepare_timers();
    if (timers_.timer_count() != 0) fresh_now();
  }
  timers_.begin_pass(now_, tie_breaker_);
  if (observer_ != nullptr) [[unlikely]]
    observer_->on_pass(now_);
  return true;
}

void Hub::reap_dead() {
  Greenlet* g = std::exchange(dying_, nullptr);
  internal::destroy_context(&g->ctx_);
  if (g->ready_refs_ == 0) release_greenlet(g);
}

void Hub::release_greenlet(Greenlet* g) {
  internal::Stack stack = g->stack_;
  // Guarded stacks fault on overflow; reading an untouched canary page would
  // cost a page fault, so only unguarded ones are checked here.
  if (!stack.guarded && !internal::StackPool::canary_intact(stack)) {
    internal::report_stack_overflow(g->describe().c_str(), stack.size);
  }
  g->~Greenlet();
  pool_for(stack.size).release(stack);
}

internal::StackPool& Hub::pool_for(std::size_t stack_size) {
  for (std::size_t i = 1; i < stack_pools_.size(); ++i) {
    if (stack_pools_[i]->stack_size() == stack_size) return *stack_pools_[i];
  }
  return *stack_pools_[0];
}

void Hub::greenlet_entry(void* arg) {
  Greenlet* self = static_cast<Greenlet*>(arg);
  Hub* hub = self->hub_;
  if (hub->dying_ != nullptr) hub->reap_dead();
  try {
    self->run_body();
  } catch (...) {
    hub->report_exception(std::current_exception(), self->describe());
  }
  hub->finish_current();
}

void Hub::finish_current() {
  Greenlet* self = current_;
  if (!self->body_destroyed_) {
    self->body_destroyed_ = true;
    self->destroy_body();
  }
  self->state_ = State::kDead;
  if (self == unwind_target_) [[unlikely]]
    unwind_target_ = nullptr;
  end_life(self);
  unlink_live(self);
  if (observer_ != nullptr) [[unlikely]]
    observer_->on_exit(*self);
  self->pending_exception_ = nullptr;
  Greenlet* next = next_to_run();
  if (observer_ != nullptr) [[unlikely]]
    observer_->on_switch(*self, *next);
  dying_ = self;
  current_ = next;
  next->state_ = State::kRunning;
  coop_left_ = coop_refill_;
  internal::exit_context(&self->ctx_, &next->ctx_);
}

void Hub::throw_pending(Greenlet* self) {
  std::exception_ptr error = std::exchange(self->pending_exception_, nullptr);
  std::rethrow_exception(error);
}

void Hub::throw_usage(const char* message) { throw HubUsageError(message); }

void Hub::report_overflow(Greenlet* g) {
  internal::report_stack_overflow(g->describe().c_str(), g->stack_.size);
}

// What every park does before the switch, once the caller has checked that
// it is not the hub greenlet.
[[gnu::always_inline]] inline Greenlet* Hub::park_common(
    Greenlet* self, const char* waiting_on) {
  if (unwinder_ != nullptr && self != unwinder_) [[unlikely]]
    throw GreenletExit{};
  check_stack(self);
  self->state_ = State::kSuspended;
  self->waiting_on_ = waiting_on;
  Greenlet* next = next_to_run();
  if (observer_ != nullptr) [[unlikely]] {
    observer_->on_block(*self, waiting_on);
    if (next != self) observer_->on_switch(*self, *next);
  }
  current_ = next;
  next->state_ = State::kRunning;
  coop_left_ = coop_refill_;
  return next;
}

void Hub::coop_yield() {
  coop_left_ = coop_refill_;
  // Off, or a place where switching is not allowed or not safe: a destructor
  // or catch-less unwinding must not receive a kill at a switch point.
  if (coop_budget_ == 0 || current_ == hub_greenlet_ || unwinder_ != nullptr ||
      std::uncaught_exceptions() > 0) {
    return;
  }
  ++coop_yields_;
  Greenlet* self = current_;
  schedule_resume(*self);
  park_finish(self, park_common(self, "coop budget"));
}

Greenlet* Hub::park_begin(Greenlet* self, const char* hub_error,
                          const char* waiting_on) {
  require_not_hub(hub_error);
  return park_common(self, waiting_on);
}

Greenlet* Hub::yield_begin(Greenlet* self) {
  // sleep(0) in the hub greenlet (a callback) blocks nothing: as in
  // eventlet, it returns at once (park_finish(self, self) does not switch).
  if (self == hub_greenlet_) [[unlikely]]
    return self;
  schedule_resume(*self);
  return park_common(self, "sleep");
}

Greenlet* Hub::park_in(Greenlet* self, internal::WaitQueue& queue,
                       internal::Waiter& waiter, const char* waiting_on) {
  require_not_hub(kSwitchFromHub);
  queue.push_back(&waiter);
  return park_common(self, waiting_on);
}

bool Hub::switch_out_for(std::optional<absl::Duration> timeout,
                         const char* waiting_on) {
  if (!timeout) {
    switch_out(waiting_on);
    return true;
  }
  Greenlet* self = current_;
  TimerNode node(TimerNode::Action::kResume, self);
  schedule_node(&node, deadline_after(*timeout));
  CancelOnExit cancel{this, &node};
  park_finish(self, park_begin(self, kSwitchFromHub, waiting_on));
  return node.state != TimerNode::State::kFired;
}

void Hub::sleep_for(absl::Duration delay) {
  require_not_hub(kBlockingInHub);
  Greenlet* self = current_;
  TimerNode node(TimerNode::Action::kResume, self);
  schedule_node(&node, deadline_after(delay));
  CancelOnExit cancel{this, &node};
  park_finish(self, park_begin(self, kSwitchFromHub, "sleep"));
}

bool Hub::wait_in_for(internal::WaitQueue& queue, absl::Duration timeout,
                      const char* waiting_on, void* payload) {
  require_not_hub(kSwitchFromHub);
  internal::Waiter waiter;
  waiter.greenlet = current_;
  waiter.payload = payload;
  queue.push_back(&waiter);
  Unqueue unqueue{queue, waiter};
  switch_out_for(timeout, waiting_on);
  return waiter.woken;
}

void Hub::throw_into(Greenlet& g, std::exception_ptr error) {
  if (g.dead()) return;
  if (&g == current_) std::rethrow_exception(error);
  if (g.state_ == State::kNotStarted) {
    throw std::logic_error(
        "throw_into: greenlet has not started; use discard_unstarted");
  }
  Greenlet* self = current_;
  g.pending_exception_ = std::move(error);
  ++g.wait_id_;
  if (self == hub_greenlet_) {
    // From a callback: as in eventlet, where the hub is every greenlet's
    // parent, the CPU comes back here as soon as g parks or dies — not to
    // the pass's other ready greenlets, which next_to_run() would hand it to
    // inside a timer phase, leaving this callback's frame suspended (and
    // what it holds unreleased) until the hub next needed its greenlet.
    const bool in_timer_phase = std::exchange(in_timer_phase_, false);
    switch_to(&g);
    in_timer_phase_ = in_timer_phase;
    return;
  }
  if (unwinder_ != nullptr) [[unlikely]] {
    // Greenthreads are being unwound: nobody may park, the caller included.
    if (&g == unwinder_ || g.waiting_on_ == kUnwinding) {
      // Driving an unwind itself: it gets the error at its next switch point.
    } else if (&g == main_) {
      schedule_resume(g);  // main takes it at the next pass
    } else {
      run_unwinding(&g, std::exchange(g.pending_exception_, nullptr));
    }
    return;
  }
  // The thrower yields: it runs again at the next pass.
  schedule_resume(*self);
  self->state_ = State::kSuspended;
  self->waiting_on_ = "kill";
  switch_to(&g);
  self->waiting_on_ = "";
  if (self->pending_exception_) throw_pending(self);
}

void Hub::start_after(Greenlet& g, absl::Duration delay) {
  schedule_node(&g.start_timer_, deadline_after(delay));
}

void Hub::discard_unstarted(Greenlet& g) {
  if (g.state_ != State::kNotStarted) return;
  cancel_timer(&g.start_timer_);
  g.state_ = State::kDead;
  unlink_live(&g);
  end_life(&g);
  if (observer_ != nullptr) [[unlikely]]
    observer_->on_exit(g);
  g.body_destroyed_ = true;
  g.destroy_body();
  internal::destroy_context(&g.ctx_);
  if (g.ready_refs_ == 0) release_greenlet(&g);
}

void Hub::set_stack_size(std::size_t bytes) {
  for (std::size_t i = 1; i < stack_pools_.size(); ++i) {
    internal::StackPool probe(bytes);
    if (stack_pools_[i]->stack_size() == probe.stack_size()) {
      stacks_ = stack_pools_[i].get();
      return;
    }
  }
  stack_pools_.push_back(std::make_unique<internal::StackPool>(bytes));
  stacks_ = stack_pools_.back().get();
}

// ---- The loop
// ------------------------------------------------------------------

void Hub::run_loop() {
  cross_pass_boundary<Boundary::kLoopStart>();
  for (;;) {
    fire_timers();
    cross_pass_boundary<Boundary::kAfterPass>();
  }
}

void Hub::run_posted_callbacks() {
  if (!mail_->has_mail()) return;
  mail_since_sleep_ = true;
  std::vector<absl::AnyInvocable<void()>> batch;
  batch.swap(posted_);
  mailbox_->drain(&batch);
  for (auto& callback : batch) {
    try {
      callback();
    } catch (...) {
      report_exception(std::current_exception(), "posted callback");
    }
  }
  batch.clear();
  posted_.swap(batch);
}

void Hub::fire_timers() {
  in_timer_phase_ = true;
  internal::TimerQueue::Due due;
  while (timers_.pop_due(&due)) {
    if (due.node == nullptr) {
      if (Greenlet* g = take_ready(due.ready)) switch_to(g);
    } else {
      fire_node(due.node);
    }
  }
  in_timer_phase_ = false;
}

inline void Hub::fire_node(TimerNode* node) {
  if (observer_ != nullptr) [[unlikely]]
    observer_->on_timer_fire(TimerInfo(*node));
  switch (node->action) {
    case TimerNode::Action::kResume:
      resume(node->target);
      break;
    case TimerNode::Action::kThrow:
      if (node->target->state_ == State::kSuspended) {
        node->target->pending_exception_ = node->make_exception(node);
        resume(node->target);
      }
      break;
    case TimerNode::Action::kCallback:
      run_callback_timer(static_cast<internal::CallbackTimer*>(node));
      break;
  }
}

void Hub::run_callback_timer(internal::CallbackTimer* timer) {
  // Take over the queue's reference.
  auto hold = internal::RefPtr<internal::CallbackTimer>::adopt(timer);
  if (timer->owner_life) {
    std::erase(timer->owner_life->timers, timer);
    if (!timer->owner_life->alive) return;
  }
  timer->called = true;
  try {
    timer->callback();
  } catch (...) {
    report_exception(std::current_exception(), "timer callback");
  }
}

void Hub::poll_io() {
  std::int64_t deadline = timers_.earliest_deadline(now_);
  if (mail_->has_mail()) deadline = now_;
  // eventlet's rule: with no fds to watch and work already due, no syscall
  // (unless someone asked for a poll: request_poll()).
  if (listener_count_ == 0 && deadline <= now_ && !poll_requested_) return;
  poll_requested_ = false;
  const bool idle = deadline == Backend::kNoDeadline;
  // Nothing due for a while (only far timers, such as parked connections'
  // idle timeouts): trim as when idle.
  trim_stacks(idle, idle || deadline - now_ >= kStackTrimInterval);
  if (idle && default_sleep_ns_ > 0) {
    deadline = default_sleep_ns_ >= Backend::kNoDeadline - 1 - now_
                   ? Backend::kNoDeadline - 1
                   : now_ + default_sleep_ns_;
  }
  io_ready_.clear();
  const bool asleep = deadline > now_ && prepare_to_block(deadline);
  if (!asleep) deadline = std::min(deadline, now_);
  if (observer_ != nullptr) [[unlikely]]
    observer_->on_poll(deadline);
  backend_->wait(deadline, &io_ready_);
  if (asleep) mail_->end_sleep();
  now_ = backend_->now();
  if (observer_ != nullptr) [[unlikely]]
    observer_->on_poll_done(io_ready_.size());
  for (std::size_t i = 0; i < io_ready_.size(); ++i) {
    io_dispatching_ = i;
    dispatch_io(i);
  }
  io_dispatching_ = static_cast<std::size_t>(-1);
}

namespace {

// A spin-wait hint to the CPU (and to its SMT sibling).
inline void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  asm volatile("yield");
#endif
}

}  // namespace

void Hub::set_handoff_spin(absl::Duration spin) {
  spin_ns_ =
      spin <= absl::ZeroDuration()
          ? 0
          : std::min<std::int64_t>(absl::ToInt64Nanoseconds(spin),
                                   absl::ToInt64Nanoseconds(absl::Seconds(1)));
}

bool Hub::prepare_to_block(std::int64_t deadline) {
  if (spin_ns_ == 0 || !std::exchange(mail_since_sleep_, false))
    return mail_->begin_sleep();
  // After k spins in a row that found nothing, skip the next 2^k - 1
  // chances (k <= kMaxSpinBackoff): on a machine whose cores are busy the
  // replier cannot run while this hub spins, and spinning only delays it.
  if (spin_skips_ > 0) {
    --spin_skips_;
    return mail_->begin_sleep();
  }
  const std::int64_t end = std::min(deadline, backend_->now() + spin_ns_);
  // Read the clock every 16 pauses (a pause is tens of ns).
  for (unsigned i = 1; !mail_->has_mail(); ++i) {
    cpu_relax();
    if (i % 16 == 0 && backend_->now() >= end) {
      spin_failures_ = std::min(spin_failures_ + 1, kMaxSpinBackoff);
      spin_skips_ = (1u << spin_failures_) - 1;
      return mail_->begin_sleep();
    }
  }
  spin_failures_ = 0;
  return false;
}

void Hub::trim_stacks(bool idle, bool quiet) {
  std::uint64_t allocations = 0;
  for (std::size_t i = 1; i < stack_pools_.size(); ++i)
    allocations += stack_pools_[i]->allocations();
  // Stacks taken since the previous poll: what a hub that spawns at every
  // pass needs to keep (trimming below it would only churn pages).
  const std::uint64_t recent = allocations - allocations_at_poll_;
  allocations_at_poll_ = allocations;
  if (!quiet && now_ - last_stack_trim_ < kStackTrimInterval) return;
  last_stack_trim_ = now_;
  for (std::size_t i = 1; i < stack_pools_.size(); ++i)
    stack_pools_[i]->trim(quiet, idle ? 0 : recent);
#ifdef __GLIBC__
  // Going idle after greenthreads ran: glibc keeps the heap they freed (its
  // free chunks stay resident); give the whole pages back, once per burst.
  if (quiet && allocations != allocations_at_idle_trim_ &&
      (idle || now_ - last_malloc_trim_ >= kStackTrimInterval)) {
    allocations_at_idle_trim_ = allocations;
    last_malloc_trim_ = now_;
    malloc_trim(0);
  }
#endif
}

inline void Hub::dispatch_io(std::size_t index) {
  // Look the event and the fd up afresh each time: a resumed greenlet may
  // have changed the listener table, or closed the fd (notify_close then
  // clears the event, so a new file reusing the number is not woken by it).
  for (IoEvents event : {kRead, kWrite}) {
    const IoReady ready = io_ready_[index];
    if ((ready.events & event) == 0) continue;
    if (static_cast<std::size_t>(ready.fd) >= fd_listeners_.size()) return;
    FdListeners& fl = fd_listeners_[ready.fd];
    Listener* l = event == kRead ? fl.readers : fl.writers;
    if (l != nullptr && l->outcome == IoWaitResult::kTimedOut) {
      if (l->greenlet == nullptr) [[unlikely]] {
        fire_watch(static_cast<internal::IoWatch*>(l), IoWaitResult::kReady);
        continue;
      }
      l->outcome = IoWaitResult::kReady;
      if (observer_ != nullptr) [[unlikely]]
        observer_->on_listen_fire(ready.fd, event, *l->greenlet);
      resume(l->greenlet);
    }
  }
}

// ---- Timers
// --------------------------------------------------------------------

void Hub::set_default_sleep(absl::Duration longest_poll) {
  if (longest_poll <= absl::ZeroDuration()) {
    throw std::invalid_argument("Hub::set_default_sleep: must be > 0");
  }
  default_sleep_ns_ =
      longest_poll == absl::InfiniteDuration()
          ? 0
          : std::max<std::int64_t>(1, absl::ToInt64Nanoseconds(longest_poll));
}

absl::Duration Hub::default_sleep() const {
  return default_sleep_ns_ == 0 ? absl::InfiniteDuration()
                                : absl::Nanoseconds(default_sleep_ns_);
}

std::int64_t Hub::deadline_after(absl::Duration delay) {
  // Zero delay: the current pass's time, so that such a timer keeps its
  // scheduling order with zero-delay wake-ups (TimerQueue::heap_due_first).
  if (delay <= absl::ZeroDuration()) return timers_.pass_when();
  if (delay == absl::InfiniteDuration()) return Backend::kNoDeadline - 1;
  const std::int64_t base = fresh_now();
  const std::int64_t ns = absl::ToInt64Nanoseconds(delay);
  return ns >= Backend::kNoDeadline - 1 - base ? Backend::kNoDeadline - 1
                                               : base + ns;
}

void Hub::schedule_timer(TimerNode* node, absl::Duration delay) {
  schedule_node(node, deadline_after(delay));
}

void Hub::schedule_node(TimerNode* node, std::int64_t deadline) {
  timers_.schedule(node, deadline);
  if (observer_ != nullptr) [[unlikely]]
    observer_->on_timer_add(TimerInfo(*node));
}

void Hub::cancel_timer(TimerNode* node) {
  const bool was_queued = node->active();
  if (!was_queued) return;
  timers_.cancel(node);
  if (observer_ != nullptr) [[unlikely]]
    observer_->on_timer_cancel(TimerInfo(*node));
  if (node->action == TimerNode::Action::kCallback) {
    auto* timer = static_cast<internal::CallbackTimer*>(node);
    if (timer->owner_life) std::erase(timer->owner_life->timers, timer);
    timer->release_ref();
  }
}

void* internal::CallbackTimer::operator new(std::size_t size) {
  return BlockCache::allocate(size);
}

void internal::CallbackTimer::operator delete(void* p, std::size_t size) {
  BlockCache::deallocate(p, size);
}

TimerHandle Hub::schedule_callback(absl::Duration delay,
                                   absl::AnyInvocable<void()>&& callback,
                                   Greenlet* owner) {
  internal::RefPtr<internal::LifeToken> life;
  if (owner != nullptr && owner != hub_greenlet_) life = life_token(*owner);
  auto* timer =
      new internal::CallbackTimer(this, std::move(callback), std::move(life));
  internal::RefPtr<internal::CallbackTimer> handle(timer);
  timer->add_ref();  // the queue's reference
  if (timer->owner_life) timer->owner_life->timers.push_back(timer);
  schedule_node(timer, deadline_after(delay));
  return TimerHandle(std::move(handle));
}

TimerHandle Hub::schedule_call_global(absl::Duration delay,
                                      absl::AnyInvocable<void()> callback) {
  return schedule_callback(delay, std::move(callback), nullptr);
}

TimerHandle Hub::schedule_call_local(absl::Duration delay,
                                     absl::AnyInvocable<void()> callback) {
  return schedule_callback(delay, std::move(callback), current_);
}

void TimerHandle::cancel() {
  if (timer_ && timer_->hub != nullptr)
    internal::HubAccess::cancel_timer(*timer_->hub, timer_.get());
}

// ---- Listeners
// -----------------------------------------------------------------

Hub::FdListeners& Hub::fd_listeners(int fd) {
  if (static_cast<std::size_t>(fd) >= fd_listeners_.size())
    fd_listeners_.resize(fd + 64);
  return fd_listeners_[fd];
}

void Hub::add_listener(Listener* l) {
  if (l->fd < 0) throw std::invalid_argument("trampoline: negative fd");
  FdListeners& fl = fd_listeners(l->fd);
  Listener*& head = l->event == kRead ? fl.readers : fl.writers;
  if (head != nullptr && prevent_multiple_readers_) {
    const char* kind = l->event == kRead ? "read" : "write";
    throw std::runtime_error(
        std::string("Second simultaneous ") + kind + " on fileno " +
        std::to_string(l->fd) +
        " detected.  Unless you really know what you're doing, make sure that "
        "only one "
        "greenthread can " +
        kind +
        " any particular socket.  Consider using a pools.Pool. "
        "If you do know what you're doing and want to disable this error, call "
        "eventlet::Hub::current().set_prevent_multiple_readers(false) - MY "
        "THREAD=" +
        listener_owner(l).describe() +
        "; THAT THREAD=" + listener_owner(head).describe());
  }
  Listener** tail = &head;
  while (*tail != nullptr) tail = &(*tail)->next;
  *tail = l;
  l->linked = true;
  ++listener_count_;
  if (observer_ != nullptr) [[unlikely]]
    observer_->on_listen_add(l->fd, l->event, listener_owner(l));
  if (head == l) {
    try {
      update_watch(l->fd);
    } catch (...) {
      remove_listener(l);
      throw;
    }
  }
}

void Hub::remove_listener(Listener* l) {
  if (!l->linked) return;
  FdListeners& fl = fd_listeners_[l->fd];
  Listener** link = l->event == kRead ? &fl.readers : &fl.writers;
  const bool was_primary = *link == l;
  while (*link != l) link = &(*link)->next;
  *link = l->next;
  l->linked = false;
  --listener_count_;
  if (observer_ != nullptr) [[unlikely]]
    observer_->on_listen_remove(l->fd, l->event, listener_owner(l));
  if (was_primary) update_watch(l->fd);
}

void Hub::update_watch(int fd) {
  const FdListeners& fl = fd_listeners_[fd];
  std::uint32_t events = (fl.readers ? std::uint32_t{kRead} : 0u) |
                         (fl.writers ? std::uint32_t{kWrite} : 0u);
  backend_->watch(fd, events);
}

IoWaitResult Hub::wait_for_io(int fd, IoEvents event,
                              std::optional<absl::Duration> timeout) {
  require_not_hub(kBlockingInHub);
  if (event != kRead && event != kWrite) {
    throw std::invalid_argument(
        "trampoline: wait for kRead or kWrite, not both");
  }
  Listener listener{fd, event, current_};
  add_listener(&listener);
  struct Remove {
    Hub* hub;
    Listener* l;
    ~Remove() { hub->remove_listener(l); }
  } remove{this, &listener};
  const bool woken =
      switch_out_for(timeout, event == kRead ? "read fd" : "write fd");
  if (listener.outcome == IoWaitResult::kTimedOut && woken)
    return IoWaitResult::kReady;
  return listener.outcome;
}

void Hub::trampoline(int fd, IoEvents event,
                     std::optional<absl::Duration> timeout) {
  switch (wait_for_io(fd, event, timeout)) {
    case IoWaitResult::kReady:
      return;
    case IoWaitResult::kTimedOut:
      throw TimeoutError();
    case IoWaitResult::kClosed:
      throw IOClosed(fd);
  }
}

void Hub::notify_close(int fd) {
  if (fd >= 0 && static_cast<std::size_t>(fd) < fd_listeners_.size()) {
    FdListeners& fl = fd_listeners_[fd];
    for (Listener* head : {fl.readers, fl.writers}) {
      for (Listener* l = head; l != nullptr; l = l->next) {
        l->outcome = IoWaitResult::kClosed;
        l->linked = false;
        --listener_count_;
        if (observer_ != nullptr) [[unlikely]]
          observer_->on_listen_remove(fd, l->event, listener_owner(l));
        if (l->greenlet != nullptr) {
          schedule_resume(*l->greenlet);
        } else {
          close_watch(static_cast<internal::IoWatch*>(l));
        }
      }
    }
    fl = FdListeners{};
  }
  // Readiness reported for the old file but not dispatched yet must not
  // reach a new file that gets the same number.
  for (std::size_t i = io_dispatching_; i < io_ready_.size(); ++i) {
    if (io_ready_[i].fd == fd) io_ready_[i].events = 0;
  }
  backend_->unwatch(fd);
}

// ---- Hooks and cross-thread
// ------------------------------------------------------

void Hub::set_exception_hook(ExceptionHook hook) {
  exception_hook_ =
      hook ? std::move(hook) : ExceptionHook(default_exception_hook);
}

bool Hub::is_fatal(const std::exception_ptr& error) const {
  if (!error) return false;
  for (auto matches : fatal_types_) {
    if (matches(error)) return true;
  }
  return false;
}

void Hub::raise_in_main(std::exception_ptr error) {
  if (current_ == main_) std::rethrow_exception(error);
  if (main_->pending_exception_) return;  // the first one wins
  main_->pending_exception_ = std::move(error);
  if (main_->state_ == State::kSuspended) {
    ++main_->wait_id_;  // its wait is over, whatever else would wake it
    schedule_resume(*main_);
  }
}

void Hub::report_exception(std::exception_ptr error, std::string_view where) {
  if (is_greenlet_exit(error)) return;
  if (unwinder_ == nullptr && is_fatal(error)) {
    raise_in_main(std::move(error));
    return;
  }
  if (observer_ != nullptr) [[unlikely]]
    observer_->on_exception(error, where);
  HubException report{error, std::string(where)};
  try {
    exception_hook_(report);
  } catch (...) {
    default_exception_hook(report);
  }
}

}  // namespace eventlet
