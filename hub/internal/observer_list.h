// Copyright 2026 The eventlet-cpp Authors.
//
// observer_list.h: the hub's registered observers (Hub::add_observer), and
// the fan-out that hands every event to each of them.
//
// The hub keeps one HubObserver pointer for its hot paths (`slot`): null with
// no observer (one predictable branch per event), the observer itself when
// there is one (one virtual call), and this list when there are several,
// which forwards each event to every observer, the most recently registered
// first. Registration is RAII (ObserverRegistration); the list keeps a
// pointer to each registration so that a move updates it and the hub's
// destruction ends them all. Single-threaded: the hub's thread.
#ifndef EVENTLET_HUB_INTERNAL_OBSERVER_LIST_H_
#define EVENTLET_HUB_INTERNAL_OBSERVER_LIST_H_

#include <cstddef>
#include <cstdint>
#include <exception>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "hub/observer.h"

namespace eventlet::internal {

class ObserverList final : public HubObserver {
 public:
  // `slot`: the hub's pointer, kept pointing at what should receive events.
  explicit ObserverList(HubObserver*& slot) : slot_(slot) {}
  // Ends every registration still active (they become inert).
  ~ObserverList() override;
  ObserverList(const ObserverList&) = delete;
  ObserverList& operator=(const ObserverList&) = delete;

  // For ObserverRegistration: registers `observer` for `r`; unregisters
  // `r`'s observer; `r` was moved from `from` to `to`.
  void add(HubObserver* observer, ObserverRegistration* r);
  void remove(ObserverRegistration& r);
  void moved(ObserverRegistration* from, ObserverRegistration* to);
  std::size_t size() const { return entries_.size(); }

  // Fan-out, newest first.
  void on_spawn(const Greenlet& g, const Greenlet& creator) override;
  void on_switch(const Greenlet& from, const Greenlet& to) override;
  void on_block(const Greenlet& g, const char* waiting_on) override;
  void on_ready(const Greenlet& g, const Greenlet& waker,
                std::uint64_t timer) override;
  void on_wake(const char* op, const ObjectInfo& object,
               std::span<const Greenlet* const> woken) override;
  void on_exit(const Greenlet& g) override;
  void on_exception(std::exception_ptr error, std::string_view where) override;
  void on_timer_add(const TimerInfo& t) override;
  void on_timer_fire(const TimerInfo& t) override;
  void on_timer_cancel(const TimerInfo& t) override;
  void on_listen_add(int fd, IoEvents event, const Greenlet& g) override;
  void on_listen_fire(int fd, IoEvents event, const Greenlet& g) override;
  void on_listen_remove(int fd, IoEvents event, const Greenlet& g) override;
  // True if any observer asked to hear of the destruction.
  bool on_object_create(const ObjectInfo& object) override;
  void on_object_destroy(const ObjectInfo& object) override;
  // The first non-empty answer.
  std::string object_creation_site(const ObjectInfo& object) override;
  void on_prepare_timers(const TimerList& timers) override;
  void on_pass(std::int64_t when) override;
  void on_poll(std::int64_t deadline) override;
  void on_poll_done(std::size_t ready) override;

 private:
  struct Entry {
    HubObserver* observer;
    ObserverRegistration* registration;
  };
  // Calls f(observer) for each observer, newest first.
  template <typename F>
  void each(F&& f) {
    for (std::size_t i = entries_.size(); i-- != 0;) f(*entries_[i].observer);
  }
  // Points the hub's slot at null, the only observer, or this list.
  void update_slot();

  HubObserver*& slot_;
  std::vector<Entry> entries_;  // in registration order
};

}  // namespace eventlet::internal

#endif  // EVENTLET_HUB_INTERNAL_OBSERVER_LIST_H_
