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
// finish in; a job's exception is rethrown at its position, and the
// iteration goes on past it (`++it`; range-for leaves the loop). A result is
// dropped once it has been read. A pile that is never iterated keeps only the
// results of its finished jobs (their stacks are freed as each job ends), not
// the greenthreads themselves (eventlet issue #748).
//
// A job's place in that order is taken when spawn() is called, before it
// parks on a full pool: a reader (next(), iteration) waits for such a spawn
// instead of ending early, so spawners and readers may run concurrently —
// several spawners into one pile, or piles sharing one pool.
//
// Lifetime: a pile that owns its pool (constructed with a size) waits for its
// jobs when destroyed. Use on one hub's OS thread.
#ifndef EVENTLET_POOL_GREEN_PILE_H_
#define EVENTLET_POOL_GREEN_PILE_H_

#include <cstdint>
#include <deque>
#include <exception>
#include <memory>
#include <optional>
#include <stdexcept>
#include <utility>

#include "greenthread/greenthread.h"
#include "hub/hub.h"
#include "hub/internal/hub_access.h"
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

  // Unwinds a greenthread still parked in next() (Hub::unwind_waiters);
  // never parks.
  ~GreenPile() {
    if (!readers_.empty())
      internal::HubAccess::unwind_waiters(Hub::current(), readers_);
  }

  // Runs f(args...) in the pool (parking while it is full); its result,
  // converted to R, comes out of next() in spawn order. The job's place in
  // that order is taken before the spawn parks, so a reader waits for it
  // rather than ending early (eventlet counts it as pending too). If the
  // spawn itself throws (a Timeout while parked, or an inline job's
  // exception), the place is given up and the exception propagates.
  template <typename F, typename... Args>
  void spawn(F&& f, Args&&... args) {
    const std::uint64_t seq = first_seq_ + jobs_.size();
    jobs_.emplace_back();
    ++pending_;
    try {
      GreenThread<R> thread =
          pool_->spawn([call = internal::bind_call(
                            std::forward<F>(f),
                            std::forward<Args>(args)...)]() mutable -> R {
            return std::move(call)();
          });
      jobs_[seq - first_seq_].thread = std::move(thread);
    } catch (...) {
      jobs_[seq - first_seq_].abandoned = true;
      --pending_;
      wake_readers();
      throw;
    }
    wake_readers();
  }

  // Parks until the oldest unread job finishes; returns its result or
  // rethrows its exception. std::nullopt once every job has been read (it
  // first waits for spawns still parked on a full pool).
  std::optional<R> next() {
    if (!settle_front()) return std::nullopt;
    GreenThread<R> job = std::move(jobs_.front().thread);
    pop_front();
    return job.wait();
  }
  // Jobs spawned (or being spawned) and not read yet.
  std::size_t size() const { return pending_; }
  GreenPool& pool() { return *pool_; }

  using value_type = R;
  // One pass over the results in spawn order; `*it` parks until the job
  // finishes and rethrows its exception (pool/internal/lazy_input_iterator.h).
  using iterator = internal::LazyInputIterator<GreenPile>;
  iterator begin() { return iterator(this); }
  iterator end() { return iterator(); }

 private:
  friend iterator;
  // A place in spawn order: the job once spawned; abandoned if its spawn
  // threw.
  struct Job {
    GreenThread<R> thread;
    bool abandoned = false;
  };

  // The iterator's view: once fetched, head_ holds the front job's result or
  // head_error_ its exception; `*it` returns or rethrows it (every time) and
  // `++it` moves past it, so the iteration goes on after a failed job, as
  // eventlet's and GreenMap's do. done() waits for parked spawns (not for
  // results) to know whether a job is left.
  bool done() { return !fetched_ ? !settle_front() : !head_ && !head_error_; }
  const R& current() {
    fetch();
    if (head_error_) std::rethrow_exception(head_error_);
    if (!head_) throw std::out_of_range("GreenPile: iterated past the end");
    return *head_;
  }
  void advance() {
    fetch();
    head_.reset();
    head_error_ = nullptr;
    fetched_ = false;
  }
  void fetch() {
    if (fetched_) return;
    fetched_ = true;
    try {
      head_ = next();
    } catch (...) {
      head_error_ = std::current_exception();
    }
  }
  // Drops abandoned places at the front and parks while the front job's
  // spawn is still parked. False if no job is left.
  bool settle_front() {
    while (!jobs_.empty()) {
      Job& front = jobs_.front();
      if (front.abandoned) {
        jobs_.pop_front();
        ++first_seq_;
      } else if (!front.thread) {
        internal::HubAccess::wait_in(Hub::current(), readers_, std::nullopt,
                                     "GreenPile::next");
      } else {
        return true;
      }
    }
    return false;
  }
  void pop_front() {
    jobs_.pop_front();
    ++first_seq_;
    --pending_;
  }
  void wake_readers() {
    if (!readers_.empty())
      internal::HubAccess::wake_all(Hub::current(), readers_);
  }

  std::unique_ptr<GreenPool> owned_pool_;
  GreenPool* pool_;
  std::deque<Job> jobs_;
  std::uint64_t first_seq_ = 0;  // spawn-order number of jobs_.front()
  std::size_t pending_ = 0;      // places not abandoned nor read
  internal::WaitQueue readers_;  // parked in next() on a parked spawn
  std::optional<R> head_;
  std::exception_ptr head_error_;
  bool fetched_ = false;
};

}  // namespace eventlet

#endif  // EVENTLET_POOL_GREEN_PILE_H_
