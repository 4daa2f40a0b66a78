// Copyright 2026 The eventlet-cpp Authors.
//
// invariant_registry.h: the per-run registry behind sim::Invariant and
// sim::StateHash (sim/invariant.h); sim::run owns one. Not for users.
//
// The registry watches the hub only once something is registered: it then
// installs itself as the hub's observer, forwarding every event to the
// observer installed before it (the trace recorder, if any), and checks at
// each on_pass. close() (or destruction) restores that observer for good:
// the run closes the registry when it ends (before its teardown, which
// checks nothing, and before uninstalling the recorder); later
// registrations do nothing.
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

  // HubObserver: forwarded; on_pass also checks.
  void on_spawn(const Greenlet& g, const Greenlet& creator) override;
  void on_switch(const Greenlet& from, const Greenlet& to) override;
  void on_block(const Greenlet& g, const char* waiting_on) override;
  void on_ready(const Greenlet& g, const Greenlet& waker,
                std::uint64_t timer) override;
  void on_wake(const char* op, const internal::WaitObject& object,
               std::span<const Greenlet* const> woken) override;
  void on_exit(const Greenlet& g) override;
  void on_exception(std::exception_ptr error, std::string_view where) override;
  void on_timer_add(const internal::TimerNode& t) override;
  void on_timer_fire(const internal::TimerNode& t) override;
  void on_timer_cancel(const internal::TimerNode& t) override;
  void on_listen_add(int fd, IoEvents event, const Greenlet& g) override;
  void on_listen_fire(int fd, IoEvents event, const Greenlet& g) override;
  void on_listen_remove(int fd, IoEvents event, const Greenlet& g) override;
  void on_object_create(internal::WaitObject& object) override;
  void on_object_destroy(const internal::WaitObject& object) override;
  std::string object_creation_site(const internal::WaitObject& object) override;
  void on_prepare_timers(std::span<internal::TimerNode* const> timers) override;
  void on_pass(std::int64_t when) override;
  void on_poll(std::int64_t deadline) override;
  void on_poll_done(std::size_t ready) override;

 private:
  struct Check {
    std::string name;
    std::function<bool()> holds;
  };
  void install();

  Hub& hub_;
  Failed failed_;
  bool installed_ = false;
  bool closed_ = false;
  HubObserver* next_ = nullptr;
  bool failed_once_ = false;
  std::uint64_t next_id_ = 1;
  std::map<std::uint64_t, Check> invariants_;  // by id: registration order
  std::map<std::uint64_t, std::function<std::uint64_t()>> hashes_;
  std::set<std::uint64_t> states_;
};

}  // namespace eventlet::sim

#endif  // EVENTLET_SIM_INVARIANT_REGISTRY_H_
