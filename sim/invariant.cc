// Copyright 2026 The eventlet-cpp Authors.
#include "sim/invariant.h"

#include <exception>
#include <utility>

#include "sim/invariant_registry.h"

namespace eventlet::sim {
namespace {
thread_local InvariantRegistry* tls_registry = nullptr;
}  // namespace

// ---- The public side
// ----------------------------------------------------------

Invariant::Invariant(std::string name, std::function<bool()> holds) {
  if (InvariantRegistry* r = InvariantRegistry::current()) {
    id_ = r->add_invariant(std::move(name), std::move(holds));
  }
}

Invariant::~Invariant() {
  if (InvariantRegistry* r = InvariantRegistry::current(); r && id_ != 0) {
    r->remove(id_);
  }
}

StateHash::StateHash(std::function<std::uint64_t()> hash) {
  if (InvariantRegistry* r = InvariantRegistry::current()) {
    id_ = r->add_state_hash(std::move(hash));
  }
}

StateHash::~StateHash() {
  if (InvariantRegistry* r = InvariantRegistry::current(); r && id_ != 0) {
    r->remove(id_);
  }
}

bool check_invariants() {
  InvariantRegistry* r = InvariantRegistry::current();
  return r == nullptr || r->check();
}

// ---- The registry
// -------------------------------------------------------------

InvariantRegistry* InvariantRegistry::current() { return tls_registry; }

void InvariantRegistry::set_current(InvariantRegistry* registry) {
  tls_registry = registry;
}

InvariantRegistry::InvariantRegistry(Hub& hub, Failed failed)
    : hub_(hub), failed_(std::move(failed)) {}

InvariantRegistry::~InvariantRegistry() { close(); }

void InvariantRegistry::install() {
  if (installed_ || closed_) return;
  next_ = hub_.observer();
  hub_.set_observer(this);
  installed_ = true;
}

void InvariantRegistry::close() {
  closed_ = true;
  if (!installed_) return;
  hub_.set_observer(next_);
  installed_ = false;
}

std::uint64_t InvariantRegistry::add_invariant(std::string name,
                                               std::function<bool()> holds) {
  if (closed_) return 0;
  install();
  invariants_[next_id_] = Check{std::move(name), std::move(holds)};
  return next_id_++;
}

std::uint64_t InvariantRegistry::add_state_hash(
    std::function<std::uint64_t()> hash) {
  if (closed_) return 0;
  install();
  hashes_[next_id_] = std::move(hash);
  return next_id_++;
}

void InvariantRegistry::remove(std::uint64_t id) {
  invariants_.erase(id);
  hashes_.erase(id);
}

bool InvariantRegistry::check() {
  if (failed_once_) return false;
  if (closed_) return true;
  for (const auto& [id, c] : invariants_) {
    std::string message;
    try {
      if (c.holds()) continue;
      message = "returned false";
    } catch (const std::exception& e) {
      message = e.what();
    } catch (...) {
      message = "threw an unknown exception";
    }
    failed_once_ = true;
    if (failed_) failed_(c.name, message);
    return false;
  }
  return true;
}

void InvariantRegistry::on_pass(std::int64_t when) {
  if (next_) next_->on_pass(when);
  for (const auto& [id, hash] : hashes_) states_.insert(hash());
  check();
}

// Forwarding, in observer.h's order.
void InvariantRegistry::on_spawn(const Greenlet& g, const Greenlet& creator) {
  if (next_) next_->on_spawn(g, creator);
}
void InvariantRegistry::on_switch(const Greenlet& from, const Greenlet& to) {
  if (next_) next_->on_switch(from, to);
}
void InvariantRegistry::on_block(const Greenlet& g, const char* waiting_on) {
  if (next_) next_->on_block(g, waiting_on);
}
void InvariantRegistry::on_ready(const Greenlet& g, const Greenlet& waker,
                                 std::uint64_t timer) {
  if (next_) next_->on_ready(g, waker, timer);
}
void InvariantRegistry::on_wake(const char* op,
                                const internal::WaitObject& object,
                                std::span<const Greenlet* const> woken) {
  if (next_) next_->on_wake(op, object, woken);
}
void InvariantRegistry::on_exit(const Greenlet& g) {
  if (next_) next_->on_exit(g);
}
void InvariantRegistry::on_exception(std::exception_ptr error,
                                     std::string_view where) {
  if (next_) next_->on_exception(error, where);
}
void InvariantRegistry::on_timer_add(const internal::TimerNode& t) {
  if (next_) next_->on_timer_add(t);
}
void InvariantRegistry::on_timer_fire(const internal::TimerNode& t) {
  if (next_) next_->on_timer_fire(t);
}
void InvariantRegistry::on_timer_cancel(const internal::TimerNode& t) {
  if (next_) next_->on_timer_cancel(t);
}
void InvariantRegistry::on_listen_add(int fd, IoEvents event,
                                      const Greenlet& g) {
  if (next_) next_->on_listen_add(fd, event, g);
}
void InvariantRegistry::on_listen_fire(int fd, IoEvents event,
                                       const Greenlet& g) {
  if (next_) next_->on_listen_fire(fd, event, g);
}
void InvariantRegistry::on_listen_remove(int fd, IoEvents event,
                                         const Greenlet& g) {
  if (next_) next_->on_listen_remove(fd, event, g);
}
void InvariantRegistry::on_object_create(internal::WaitObject& object) {
  if (next_) next_->on_object_create(object);
}
void InvariantRegistry::on_object_destroy(const internal::WaitObject& object) {
  if (next_) next_->on_object_destroy(object);
}
std::string InvariantRegistry::object_creation_site(
    const internal::WaitObject& object) {
  return next_ ? next_->object_creation_site(object) : "";
}
void InvariantRegistry::on_prepare_timers(
    std::span<internal::TimerNode* const> timers) {
  if (next_) next_->on_prepare_timers(timers);
}
void InvariantRegistry::on_poll(std::int64_t deadline) {
  if (next_) next_->on_poll(deadline);
}
void InvariantRegistry::on_poll_done(std::size_t ready) {
  if (next_) next_->on_poll_done(ready);
}

}  // namespace eventlet::sim
