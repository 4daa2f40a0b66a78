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
  if (registration_.active() || closed_) return;
  registration_ = hub_.add_observer(*this);
}

void InvariantRegistry::close() {
  closed_ = true;
  registration_.reset();
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

void InvariantRegistry::on_pass(std::int64_t /*when*/) {
  for (const auto& [id, hash] : hashes_) states_.insert(hash());
  check();
}

}  // namespace eventlet::sim
