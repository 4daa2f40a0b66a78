// Copyright 2026 The eventlet-cpp Authors.
//
// hub_access.h: what eventlet's own primitives (greenthread/, pool/, tpool/)
// use of the hub to park and wake greenlets, number objects and schedule
// intrusive timers. Not public API: the Hub keeps these members private and
// befriends HubAccess, whose static functions forward to them (inlined, so a
// wait costs what it did). The contracts are those of the Hub members, in
// hub/hub.h's private section.
#ifndef EVENTLET_HUB_INTERNAL_HUB_ACCESS_H_
#define EVENTLET_HUB_INTERNAL_HUB_ACCESS_H_

#include <cstddef>
#include <cstdint>
#include <optional>

#include "absl/time/time.h"
#include "hub/hub.h"
#include "hub/internal/ref_counted.h"
#include "hub/internal/timer_node.h"
#include "hub/internal/wait_queue.h"

namespace eventlet::internal {

class HubAccess {
 public:
  [[gnu::always_inline]] static bool wait_in(
      Hub& hub, WaitQueue& queue, std::optional<absl::Duration> timeout,
      const char* waiting_on, void* payload = nullptr,
      const WaitObject* object = nullptr) {
    return hub.wait_in(queue, timeout, waiting_on, payload, object);
  }
  [[gnu::always_inline]] static Waiter* wake_one(Hub& hub, WaitQueue& queue) {
    return hub.wake_one(queue);
  }
  [[gnu::always_inline]] static void wake_all(Hub& hub, WaitQueue& queue) {
    hub.wake_all(queue);
  }
  [[gnu::always_inline]] static Waiter* wake_one(Hub& hub, WaitQueue& queue,
                                                 WaitObject& object,
                                                 const char* op) {
    return hub.wake_one(queue, object, op);
  }
  [[gnu::always_inline]] static void wake_all(Hub& hub, WaitQueue& queue,
                                              WaitObject& object,
                                              const char* op) {
    hub.wake_all(queue, object, op);
  }
  [[gnu::always_inline]] static void touch(WaitObject& object) {
    Hub::touch(object);
  }
  static std::uint64_t object_id(Hub& hub, const WaitObject& object) {
    return hub.object_id(object);
  }
  static void unwind_waiters(Hub& hub, WaitQueue& queue) noexcept {
    hub.unwind_waiters(queue);
  }
  static void schedule_timer(Hub& hub, TimerNode* node, absl::Duration delay) {
    hub.schedule_timer(node, delay);
  }
  static void cancel_timer(Hub& hub, TimerNode* node) {
    hub.cancel_timer(node);
  }
  static RefPtr<LifeToken> life_token(Hub& hub, Greenlet& g) {
    return hub.life_token(g);
  }
};

}  // namespace eventlet::internal

#endif  // EVENTLET_HUB_INTERNAL_HUB_ACCESS_H_
