// Copyright 2026 The eventlet-cpp Authors.
//
// invariant_registry.h: the per-run registry behind sim::Invariant and
// sim::StateHash (sim/invariant.h); sim::run owns one. Not for users.
//
// The registry watches the hub only once something is registered: it then
// registers as one of the hub's observers (Hub::add_observer; being newer
// than the trace recorder, it hears each pass boundary first) and checks at
// each on_pass. close() (or destruction) unregisters it for good: the run
// closes the registry when it ends (before its teardown, which checks
// nothing); later registrations do nothing.
#ifndef EVENTLET_SIM_INVARIANT_REGISTRY_H_
#define EVENTLET_SIM_INVARIANT_REGISTRY_H_

#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <string>

#include "hub/hub.h"
#include "hub/observer.h"

namespace eventlet::sim {

class InvariantRegistry final : public HubObserver {
 public:
  // `failed(name, message)` is called once, for the first invariant that
  // does not hold.
  using Failed =
      std::function<void(const std::string& name, const std::string& message)>;
  InvariantRegistry(Hub& hub, Failed failed);
  ~InvariantRegistry() override;

  std::uint64_t add_invariant(std::string name, std::function<bool()> holds);
  std::uint64_t add_state_hash(std::function<std::uint64_t()> hash);
  void remove(std::uint64_t id);
  // Runs every invariant; false if one does not hold (now or before).
  bool check();
  void close();
  // The distinct state hashes seen so far.
  const std::set<std::uint64_t>& states() const { return states_; }

  // The registry of the running simulation (null outside one).
  static InvariantRegistry* current();
  static void set_current(InvariantRegistry* registry);

  // HubObserver: at each pass boundary, notes the state hashes and checks.
  void on_pass(std::int64_t when) override;

 private:
  struct Check {
    std::string name;
    std::function<bool()> holds;
  };
  void install();

  Hub& hub_;
  Failed failed_;
  bool closed_ = false;
  ObserverRegistration registration_;  // active once something is registered
  bool failed_once_ = false;
  std::uint64_t next_id_ = 1;
  std::map<std::uint64_t, Check> invariants_;  // by id: registration order
  std::map<std::uint64_t, std::function<std::uint64_t()>> hashes_;
  std::set<std::uint64_t> states_;
};

}  // namespace eventlet::sim

#endif  // EVENTLET_SIM_INVARIANT_REGISTRY_H_
