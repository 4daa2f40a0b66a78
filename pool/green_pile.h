// Copyright 2026 The eventlet-cpp Authors.
//
// green_pile.h: eventlet's GreenPile — spawn jobs, then collect their results
// in spawn order.
//
//   eventlet::GreenPile<std::string> pile(pool);
//   for (const auto& url : urls) pile.spawn(fetch, url);
//   for (const std::string& body : pile) { ... }     // spawn order
//
// Results come back in the order the jobs were spawned, whatever order they
// finish in; a job's exception is rethrown at its position. A result is
// dropped once it has been read. A pile that is never iterated keeps only the
// results of its finished jobs (their stacks are freed as each job ends), not
// the greenthreads themselves (eventlet issue #748).
//
// Lifetime: a pile that owns its pool (constructed with a size) waits for its
// jobs when destroyed. Use on one hub's OS thread.
#ifndef EVENTLET_POOL_GREEN_PILE_H_
#define EVENTLET_POOL_GREEN_PILE_H_

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <stdexcept>
#include <utility>

#include "greenthread/greenthread.h"
#include "pool/green_pool.h"
#include "pool/internal/lazy_input_iterator.h"

namespace eventlet {

template <typename R>
class GreenPile {
  static_assert(!std::is_void_v<R>, "a GreenPile collects values");

 public:
  // A pile with its own pool of `size` greenthreads.
  explicit GreenPile(std::int64_t size = 1000)
      : owned_pool_(std::make_unique<GreenPool>(size)),
        pool_(owned_pool_.get()) {}
  // A pile whose jobs run in `pool`, which must outlive the pile's jobs.
  explicit GreenPile(GreenPool& pool) : pool_(&pool) {}
  GreenPile(const GreenPile&) = delete;
  GreenPile& operator=(const GreenPile&) = delete;

  // Runs f(args...) in the pool (parking while it is full); its result,
  // converted to R, comes out of next() in spawn order.
  template <typename F, typename... Args>
  void spawn(F&& f, Args&&... args) {
    jobs_.push_back(pool_->spawn(
        [call = internal::bind_call(
             std::forward<F>(f), std::forward<Args>(args)...)]() mutable -> R {
          return std::move(call)();
        }));
  }

  // Parks until the oldest unread job finishes; returns its result or
  // rethrows its exception. std::nullopt once every job has been read.
  std::optional<R> next() {
    if (jobs_.empty()) return std::nullopt;
    GreenThread<R> job = std::move(jobs_.front());
    jobs_.pop_front();
    return job.wait();
  }
  // Jobs spawned and not read yet.
  std::size_t size() const { return jobs_.size(); }
  GreenPool& pool() { return *pool_; }

  using value_type = R;
  // One pass over the results in spawn order; `*it` parks until the job
  // finishes and rethrows its exception (pool/internal/lazy_input_iterator.h).
  using iterator = internal::LazyInputIterator<GreenPile>;
  iterator begin() { return iterator(this); }
  iterator end() { return iterator(); }

 private:
  friend iterator;
  // The iterator's view: head_ holds the front job's result once fetched.
  bool done() const { return !fetched_ ? jobs_.empty() : !head_.has_value(); }
  const R& current() {
    fetch();
    if (!head_) throw std::out_of_range("GreenPile: iterated past the end");
    return *head_;
  }
  void advance() {
    fetch();
    head_.reset();
    fetched_ = false;
  }
  void fetch() {
    if (fetched_) return;
    fetched_ = true;  // first: a job that throws ends the iteration
    head_ = next();
  }

  std::unique_ptr<GreenPool> owned_pool_;
  GreenPool* pool_;
  std::deque<GreenThread<R>> jobs_;
  std::optional<R> head_;
  bool fetched_ = false;
};

}  // namespace eventlet

#endif  // EVENTLET_POOL_GREEN_PILE_H_
