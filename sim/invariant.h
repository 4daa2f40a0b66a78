// Copyright 2026 The eventlet-cpp Authors.
//
// invariant.h: properties a simulated run checks at every pass boundary, and
// the state hashes exploration counts.
//
//   int balance_a = 50, balance_b = 50;
//   sim::Invariant conserved("money is conserved",
//                            [&] { return balance_a + balance_b == 100; });
//   sim::StateHash state([&] {
//     return static_cast<std::uint64_t>(balance_a) * 1000 + balance_b;
//   });
//
// Invariant. While it lives inside sim::run, `holds` is called at the start
// of every timer pass of the hub (the pass boundary, HubObserver::on_pass)
// and whenever check_invariants() is called, in registration order. The
// first one that returns false (or throws: its what() is the message) ends
// the run: the trace records an `invariant` event naming it at once, the
// pass under way finishes (nothing else is checked), then the run stops as on
// a deadlock (the other greenthreads are unwound, sim::InvariantViolation is
// thrown into the main greenlet) with Outcome::kInvariant,
// Result::invariant = its name, and the outcome message
// `"<name>" does not hold: <message>`. `holds` runs in whatever greenlet is
// current at the boundary: it must not block, switch or spawn, only read.
// Outside sim::run an Invariant does nothing.
//
// StateHash. While it lives inside sim::run, `hash` is called at every pass
// boundary; the distinct values are collected (Result::states) and
// sim::explore counts the distinct states over all seeds. Same rules as
// `holds`.
//
// Cost: none until the first Invariant or StateHash of a run is made; from
// then on one forwarding call per hub event and the functions at each pass.
//
// Lifetime: destroy them (end of scope) before what they read dies; they
// must be made and destroyed on the simulation's thread.
#ifndef EVENTLET_SIM_INVARIANT_H_
#define EVENTLET_SIM_INVARIANT_H_

#include <cstdint>
#include <functional>
#include <stdexcept>
#include <string>

namespace eventlet::sim {

class Invariant {
 public:
  Invariant(std::string name, std::function<bool()> holds);
  ~Invariant();
  Invariant(const Invariant&) = delete;
  Invariant& operator=(const Invariant&) = delete;

 private:
  std::uint64_t id_ = 0;  // 0: not registered (outside a simulation)
};

class StateHash {
 public:
  explicit StateHash(std::function<std::uint64_t()> hash);
  ~StateHash();
  StateHash(const StateHash&) = delete;
  StateHash& operator=(const StateHash&) = delete;

 private:
  std::uint64_t id_ = 0;
};

// Checks every live Invariant now (on demand, e.g. after an operation that
// must preserve them). Returns false if one does not hold; the run then ends
// as above at the end of the current pass. True outside sim::run.
bool check_invariants();

// Thrown into the main greenlet when an invariant fails (fn must let it
// escape, as sim::Deadlock).
class InvariantViolation : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace eventlet::sim

#endif  // EVENTLET_SIM_INVARIANT_H_
