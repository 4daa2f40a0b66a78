// Copyright 2026 The eventlet-cpp Authors.
#include "hub/internal/observer_list.h"

#include <algorithm>
#include <utility>

namespace eventlet {

// TimerInfo::Action reads TimerNode::Action as is.
static_assert(static_cast<int>(TimerInfo::Action::kResume) ==
              static_cast<int>(internal::TimerNode::Action::kResume));
static_assert(static_cast<int>(TimerInfo::Action::kThrow) ==
              static_cast<int>(internal::TimerNode::Action::kThrow));
static_assert(static_cast<int>(TimerInfo::Action::kCallback) ==
              static_cast<int>(internal::TimerNode::Action::kCallback));

ObserverRegistration::ObserverRegistration(internal::ObserverList* list,
                                           HubObserver* observer)
    : list_(list), observer_(observer) {
  list_->add(observer_, this);
}

ObserverRegistration::ObserverRegistration(
    ObserverRegistration&& other) noexcept
    : list_(std::exchange(other.list_, nullptr)),
      observer_(std::exchange(other.observer_, nullptr)) {
  if (list_ != nullptr) list_->moved(&other, this);
}

ObserverRegistration& ObserverRegistration::operator=(
    ObserverRegistration&& other) noexcept {
  if (this != &other) {
    reset();
    list_ = std::exchange(other.list_, nullptr);
    observer_ = std::exchange(other.observer_, nullptr);
    if (list_ != nullptr) list_->moved(&other, this);
  }
  return *this;
}

void ObserverRegistration::reset() noexcept {
  if (list_ != nullptr) list_->remove(*this);
}

namespace internal {

ObserverList::~ObserverList() {
  for (Entry& e : entries_) {
    e.registration->list_ = nullptr;
    e.registration->observer_ = nullptr;
  }
  entries_.clear();
  update_slot();
}

void ObserverList::add(HubObserver* observer, ObserverRegistration* r) {
  entries_.push_back({observer, r});
  update_slot();
}

void ObserverList::remove(ObserverRegistration& r) {
  std::erase_if(entries_, [&](const Entry& e) { return e.registration == &r; });
  r.list_ = nullptr;
  r.observer_ = nullptr;
  update_slot();
}

void ObserverList::moved(ObserverRegistration* from, ObserverRegistration* to) {
  for (Entry& e : entries_) {
    if (e.registration == from) e.registration = to;
  }
}

void ObserverList::update_slot() {
  if (entries_.empty()) {
    slot_ = nullptr;
  } else if (entries_.size() == 1) {
    slot_ = entries_.front().observer;
  } else {
    slot_ = this;
  }
}

void ObserverList::on_spawn(const Greenlet& g, const Greenlet& creator) {
  each([&](HubObserver& o) { o.on_spawn(g, creator); });
}
void ObserverList::on_switch(const Greenlet& from, const Greenlet& to) {
  each([&](HubObserver& o) { o.on_switch(from, to); });
}
void ObserverList::on_block(const Greenlet& g, const char* waiting_on) {
  each([&](HubObserver& o) { o.on_block(g, waiting_on); });
}
void ObserverList::on_ready(const Greenlet& g, const Greenlet& waker,
                            std::uint64_t timer) {
  each([&](HubObserver& o) { o.on_ready(g, waker, timer); });
}
void ObserverList::on_wake(const char* op, const ObjectInfo& object,
                           std::span<const Greenlet* const> woken) {
  each([&](HubObserver& o) { o.on_wake(op, object, woken); });
}
void ObserverList::on_exit(const Greenlet& g) {
  each([&](HubObserver& o) { o.on_exit(g); });
}
void ObserverList::on_exception(std::exception_ptr error,
                                std::string_view where) {
  each([&](HubObserver& o) { o.on_exception(error, where); });
}
void ObserverList::on_timer_add(const TimerInfo& t) {
  each([&](HubObserver& o) { o.on_timer_add(t); });
}
void ObserverList::on_timer_fire(const TimerInfo& t) {
  each([&](HubObserver& o) { o.on_timer_fire(t); });
}
void ObserverList::on_timer_cancel(const TimerInfo& t) {
  each([&](HubObserver& o) { o.on_timer_cancel(t); });
}
void ObserverList::on_listen_add(int fd, IoEvents event, const Greenlet& g) {
  each([&](HubObserver& o) { o.on_listen_add(fd, event, g); });
}
void ObserverList::on_listen_fire(int fd, IoEvents event, const Greenlet& g) {
  each([&](HubObserver& o) { o.on_listen_fire(fd, event, g); });
}
void ObserverList::on_listen_remove(int fd, IoEvents event, const Greenlet& g) {
  each([&](HubObserver& o) { o.on_listen_remove(fd, event, g); });
}
bool ObserverList::on_object_create(const ObjectInfo& object) {
  bool keep = false;
  each([&](HubObserver& o) { keep = o.on_object_create(object) || keep; });
  return keep;
}
void ObserverList::on_object_destroy(const ObjectInfo& object) {
  each([&](HubObserver& o) { o.on_object_destroy(object); });
}
std::string ObserverList::object_creation_site(const ObjectInfo& object) {
  for (std::size_t i = entries_.size(); i-- != 0;) {
    std::string site = entries_[i].observer->object_creation_site(object);
    if (!site.empty()) return site;
  }
  return "";
}
void ObserverList::on_prepare_timers(const TimerList& timers) {
  each([&](HubObserver& o) { o.on_prepare_timers(timers); });
}
void ObserverList::on_pass(std::int64_t when) {
  each([&](HubObserver& o) { o.on_pass(when); });
}
void ObserverList::on_poll(std::int64_t deadline) {
  each([&](HubObserver& o) { o.on_poll(deadline); });
}
void ObserverList::on_poll_done(std::size_t ready) {
  each([&](HubObserver& o) { o.on_poll_done(ready); });
}

}  // namespace internal
}  // namespace eventlet
