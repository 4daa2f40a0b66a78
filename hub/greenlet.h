// Copyright 2026 The eventlet-cpp Authors.
//
// greenlet.h: one cooperative thread of execution with its own stack.
//
// A Greenlet belongs to one Hub (one OS thread). It runs until it blocks; the
// hub then switches to whatever is ready next. Users meet greenlets through
// greenthread/ (spawn, GreenThread) and getcurrent(); this header gives the
// read-only view plus naming.
//
// Lifetime: a greenlet's control block lives at the top of its own stack and
// is released by the hub shortly after the greenlet dies. Do not keep a
// Greenlet& past the greenlet's death; GreenThread handles stay valid.
// The thread's main greenlet (the OS thread's own stack) lives as long as the
// hub.
#ifndef EVENTLET_HUB_GREENLET_H_
#define EVENTLET_HUB_GREENLET_H_

#include <cstddef>
#include <cstdint>
#include <exception>
#include <new>
#include <string>
#include <utility>
#include <vector>

#include "hub/internal/fiber_context.h"
#include "hub/internal/ref_counted.h"
#include "hub/internal/stack_pool.h"
#include "hub/internal/timer_node.h"

namespace eventlet {

class Hub;
namespace internal {
class CallbackTimer;
struct WaitObject;
// Outlives its greenlet; says whether it is still alive (for "local" timers
// and spawn_after_local, which are skipped once their greenlet has died).
struct LifeToken : RefCounted {
  bool alive = true;
  // Its schedule_call_local timers still queued; cancelled when it dies.
  std::vector<CallbackTimer*> timers;
};
}  // namespace internal

enum class GreenletState : std::uint8_t {
  kNotStarted,
  kRunning,
  kSuspended,
  kDead,
};

// "not started", "running", "suspended", "dead" (for dumps and traces).
constexpr const char* state_name(GreenletState s) {
  switch (s) {
    case GreenletState::kNotStarted:
      return "not started";
    case GreenletState::kRunning:
      return "running";
    case GreenletState::kSuspended:
      return "suspended";
    case GreenletState::kDead:
      return "dead";
  }
  return "?";
}

class Greenlet {
 public:
  Greenlet(const Greenlet&) = delete;
  Greenlet& operator=(const Greenlet&) = delete;

  // Creation-order id within its hub: the main greenlet is 0, spawned ones
  // count up from 1. The hub's own greenlet is -1.
  std::int64_t id() const { return id_; }
  // Optional human-readable name ("" if unset).
  const std::string& name() const { return name_; }
  void set_name(std::string name) { name_ = std::move(name); }
  GreenletState state() const { return state_; }
  bool started() const { return state_ != GreenletState::kNotStarted; }
  bool dead() const { return state_ == GreenletState::kDead; }
  Hub& hub() const { return *hub_; }
  // Usable stack bytes (0 for the main greenlet, whose stack is the thread's).
  std::size_t stack_size() const { return stack_.size; }
  // What a suspended greenlet waits on ("sleep", "Event::wait", "read fd
  // 7"...), for dumps. Empty while running.
  const char* waiting_on() const { return waiting_on_; }
  // "greenthread 12" or "greenthread 12 (name)", "main", "hub".
  std::string describe() const;
  // The group (e.g. the GreenPool) this greenlet works for, or null. Set by
  // whoever spawns it; the hub does not look at it.
  const void* group() const { return group_; }
  void set_group(const void* group) { group_ = group; }
  // An opaque tag (0: none) that a greenlet inherits from the greenlet that
  // creates it (the hub greenlet's is 0, so greenlets made by callbacks get
  // 0). The hub only copies it; the simulator's hosts (sim/host.h) use it to
  // know which greenthreads run on which host.
  std::uint32_t domain() const { return domain_; }
  void set_domain(std::uint32_t domain) { domain_ = domain; }

 protected:
  Greenlet(Hub* hub, std::int64_t id, internal::Stack stack);
  virtual ~Greenlet() = default;

 private:
  friend class Hub;
  // Runs the body on this greenlet's stack; exceptions propagate.
  virtual void run_body() = 0;
  // Destroys the body (what spawn() captured). Called exactly once for a
  // greenlet with a body, after run_body() or instead of it.
  virtual void destroy_body() = 0;

  internal::FiberContext ctx_;
  Hub* hub_;
  std::int64_t id_;
  GreenletState state_ = GreenletState::kNotStarted;
  // Bumped on every resume; a queued wake-up for an older wait is stale.
  std::uint32_t wait_id_ = 0;
  // Ready-queue entries that still point at this greenlet. Its memory is
  // released only when it is dead and this is zero.
  std::uint32_t ready_refs_ = 0;
  bool body_destroyed_ = false;
  std::uint32_t domain_ = 0;  // in body_destroyed_'s padding
  const char* waiting_on_ = "";
  // The primitive (Event, Queue, Semaphore...) a suspended greenlet waits in,
  // if its wait named one; null otherwise and while running. Read it with
  // Hub::waiting_object().
  const internal::WaitObject* waiting_object_ = nullptr;
  internal::Stack stack_;
  std::exception_ptr pending_exception_;  // thrown at its switch point
  internal::TimerNode start_timer_;       // spawn_after's delayed start
  internal::LifeToken* life_ = nullptr;   // created on demand
  const void* group_ = nullptr;
  // The hub's list of live greenlets, in creation order.
  Greenlet* prev_live_ = nullptr;
  Greenlet* next_live_ = nullptr;
  std::string name_;
};

namespace internal {

// A greenlet that runs `F` (a callable taking no arguments).
template <typename F>
class BodyGreenlet final : public Greenlet {
 public:
  BodyGreenlet(Hub* hub, std::int64_t id, Stack stack, F&& body)
      : Greenlet(hub, id, stack) {
    new (&body_) F(std::move(body));
  }
  ~BodyGreenlet() override {}

 private:
  void run_body() override { body_(); }
  void destroy_body() override { body_.~F(); }
  union {
    F body_;
  };
};

// The OS thread's own context.
class MainGreenlet final : public Greenlet {
 public:
  explicit MainGreenlet(Hub* hub) : Greenlet(hub, 0, Stack{}) {}

 private:
  void run_body() override {}
  void destroy_body() override {}
};

}  // namespace internal
}  // namespace eventlet

#endif  // EVENTLET_HUB_GREENLET_H_
