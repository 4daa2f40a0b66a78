// Copyright 2026 The eventlet-cpp Authors.
//
// ref_counted.h: a small intrusive, non-atomic reference count.
//
// Objects shared between a hub's greenlets (timers, greenthread results) live
// on one OS thread, so their counts need no atomics. RefPtr<T> works for any T
// with `add_ref()` and `release_ref()` (the latter deletes at zero).
#ifndef EVENTLET_HUB_INTERNAL_REF_COUNTED_H_
#define EVENTLET_HUB_INTERNAL_REF_COUNTED_H_

#include <cstdint>
#include <utility>

namespace eventlet::internal {

class RefCounted {
 public:
  void add_ref() { ++refs_; }
  void release_ref() {
    if (--refs_ == 0) delete this;
  }

 protected:
  RefCounted() = default;
  virtual ~RefCounted() = default;
  RefCounted(const RefCounted&) = delete;
  RefCounted& operator=(const RefCounted&) = delete;

 private:
  std::uint32_t refs_ = 0;
};

template <typename T>
class RefPtr {
 public:
  RefPtr() = default;
  explicit RefPtr(T* p) : p_(p) {
    if (p_) p_->add_ref();
  }
  RefPtr(const RefPtr& o) : RefPtr(o.p_) {}
  RefPtr(RefPtr&& o) noexcept : p_(std::exchange(o.p_, nullptr)) {}
  RefPtr& operator=(RefPtr o) noexcept {
    std::swap(p_, o.p_);
    return *this;
  }
  ~RefPtr() {
    if (p_) p_->release_ref();
  }
  T* get() const { return p_; }
  T* operator->() const { return p_; }
  T& operator*() const { return *p_; }
  explicit operator bool() const { return p_ != nullptr; }
  // Gives up ownership without releasing.
  T* leak() { return std::exchange(p_, nullptr); }
  // Takes over a reference previously leak()ed.
  static RefPtr adopt(T* p) {
    RefPtr r;
    r.p_ = p;
    return r;
  }

 private:
  T* p_ = nullptr;
};

}  // namespace eventlet::internal

#endif  // EVENTLET_HUB_INTERNAL_REF_COUNTED_H_
