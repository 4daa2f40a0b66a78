// Copyright 2026 The eventlet-cpp Authors.
//
// hub_affinity.h: the check that a hub-bound primitive (Event, the Queue
// and Semaphore families, GreenPool, GreenPile, Timeout, net::Socket) is
// used on one hub only, in debug and sanitizer builds.
//
//   class MyPrimitive {
//     void op() {   // at every operation:
//       if constexpr (kHubAffinityChecks) affinity_.check(object_);
//       ...
//     }
//     internal::WaitObject object_{"MyPrimitive"};
//     [[no_unique_address]] HubAffinity affinity_;
//   };
//
// A primitive belongs to the thread (and so the hub) of its first checked
// operation — not of its construction, so one may be made on one thread
// and handed, unused, to a hub on another (run_on_hubs' callers do that).
// From then on, an operation from any other OS thread (another hub's
// greenthread, or a thread without a hub) prints
//
//   eventlet: Event 3 belongs to hub 1 (thread 4711) but was used from
//   hub 2 (thread 4712); use CrossHubEvent/CrossHubQueue
//   (greenthread/cross_hub.h) to hand off between hubs
//
// and aborts: the primitives are not thread-safe, so the use is a data race
// whose damage would show up later, elsewhere. Hubs are named by Hub::id()
// ("no hub" for a thread without one), threads by their kernel thread id.
// Binding is by thread, not hub: a thread's hub destroyed and made again
// (Hub::destroy_current) keeps its primitives.
//
// Cost: in builds with NDEBUG and no sanitizer (`-c opt`, --config=opt),
// HubAffinity is an empty class and the `if constexpr` drops the call before
// code generation: a primitive's size and machine code are what they were
// without it (an empty inline check() alone still perturbed gcc 12's
// register allocation in Semaphore::acquire). Otherwise one
// word per primitive and, per operation, a thread-local read, a relaxed
// load and a compare.
#ifndef EVENTLET_HUB_HUB_AFFINITY_H_
#define EVENTLET_HUB_HUB_AFFINITY_H_

#include <cstdint>

#include "hub/internal/wait_queue.h"

#if !defined(NDEBUG) || defined(__SANITIZE_ADDRESS__) || \
    defined(__SANITIZE_THREAD__)
#define EVENTLET_HUB_AFFINITY_CHECKS 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) || \
    __has_feature(undefined_behavior_sanitizer)
#define EVENTLET_HUB_AFFINITY_CHECKS 1
#endif
#endif
#ifndef EVENTLET_HUB_AFFINITY_CHECKS
#define EVENTLET_HUB_AFFINITY_CHECKS 0
#endif

#if EVENTLET_HUB_AFFINITY_CHECKS
#include <atomic>
#endif

namespace eventlet {

// Whether this build checks (see above).
inline constexpr bool kHubAffinityChecks = EVENTLET_HUB_AFFINITY_CHECKS;

class HubAffinity {
 public:
  HubAffinity() = default;
  HubAffinity(const HubAffinity&) = delete;
  HubAffinity& operator=(const HubAffinity&) = delete;

#if EVENTLET_HUB_AFFINITY_CHECKS
  // Binds to the calling thread on first use; aborts (see above) when called
  // from another thread afterwards. `object` names the primitive.
  void check(const internal::WaitObject& object) {
    check(object.kind, object.id);
  }
  // Moves `from`'s binding here (a moved-from object is unbound): for a
  // movable primitive (net::Socket), whose hub moves with it.
  void take(HubAffinity& from) {
    owner_.store(from.owner_.exchange(0, std::memory_order_relaxed),
                 std::memory_order_relaxed);
  }
  // The same for a primitive without a WaitObject; `id` 0: not numbered.
  void check(const char* kind, std::uint64_t id = 0) {
    const std::uint64_t me = here();
    std::uint64_t owner = owner_.load(std::memory_order_relaxed);
    if (owner == 0 &&
        owner_.compare_exchange_strong(owner, me, std::memory_order_relaxed))
      return;
    if (thread_of(owner) != thread_of(me)) [[unlikely]]
      fail(kind, id, owner, me);
  }

 private:
  // (kernel thread id << 32) | Hub::id() of the calling thread's hub (0:
  // none); never 0.
  static std::uint64_t here();
  static std::uint32_t thread_of(std::uint64_t key) {
    return static_cast<std::uint32_t>(key >> 32);
  }
  [[noreturn, gnu::cold, gnu::noinline]] static void fail(const char* kind,
                                                          std::uint64_t id,
                                                          std::uint64_t owner,
                                                          std::uint64_t me);

  std::atomic<std::uint64_t> owner_{0};
#else
  void check(const internal::WaitObject&) {}
  void check(const char*, std::uint64_t = 0) {}
  void take(HubAffinity&) {}
#endif
};

}  // namespace eventlet

#endif  // EVENTLET_HUB_HUB_AFFINITY_H_
