// Copyright 2026 The eventlet-cpp Authors.
//
// green_pool.h: eventlet's GreenPool — a bounded set of greenthreads — and
// imap/starmap over it.
//
//   eventlet::GreenPool pool(200);
//   for (const std::string& body : pool.imap(fetch, urls)) { ... }  // input order
//
// spawn() parks the caller while the pool is full (FIFO among blocked
// spawners). Called from one of the pool's own greenthreads while the pool is
// full, it runs the function inline instead (eventlet's rule, which avoids a
// self-deadlock). waitall() parks until every greenthread of the pool has
// finished and nobody is blocked in spawn() — unlike eventlet 0.33, it cannot
// miss the moment the pool empties (oracle S06's hang).
//
// Exceptions: spawn()'s greenthreads keep theirs for wait() (and report them
// to the hub's hook, as every greenthread does); spawn_n()'s go to the hook.
//
// Lifetime: the pool outlives its greenthreads: its destructor waits for
// them, or unwinds them during teardown (see ~GreenPool). Use on one hub's OS
// thread.
#ifndef EVENTLET_POOL_GREEN_POOL_H_
#define EVENTLET_POOL_GREEN_POOL_H_

#include <cstdint>
#include <iterator>
#include <memory>
#include <optional>
#include <ranges>
#include <stdexcept>
#include <tuple>
#include <type_traits>
#include <utility>

#include "greenthread/greenthread.h"
#include "greenthread/queue.h"
#include "greenthread/semaphore.h"
#include "hub/hub.h"
#include "hub/hub_affinity.h"
#include "pool/internal/lazy_input_iterator.h"

namespace eventlet {

template <typename R>
class GreenMap;

class GreenPool {
 public:
  // Throws std::invalid_argument if size < 0 (eventlet's message).
  explicit GreenPool(std::int64_t size = 1000);
  // Waits for the pool's greenthreads to finish (they refer to the pool).
  // Must not run inside one of them. Where a destructor must not wait
  // (Hub::may_wait_in_destructor(): hub teardown, or the owner is being
  // unwound by a kill or a Timeout) it unwinds them instead, and whoever is
  // blocked in spawn() or waitall() on it, without parking.
  ~GreenPool();
  GreenPool(const GreenPool&) = delete;
  GreenPool& operator=(const GreenPool&) = delete;

  // Runs f(args...) in a pool greenthread, parking while the pool is full.
  template <typename F, typename... Args>
  GreenThread<internal::SpawnResult<F, Args...>> spawn(F&& f, Args&&... args);
  // Same, without a handle. Exceptions go to the hub's exception hook.
  template <typename F, typename... Args>
  void spawn_n(F&& f, Args&&... args);

  // Parks until the pool is empty. Throws std::logic_error when called from
  // one of the pool's own greenthreads (it would never return).
  void waitall();

  // Greenthreads of this pool alive now.
  std::size_t running() const { return running_; }
  // Slots free now (may be negative right after a shrinking resize()).
  std::int64_t free() const { return slots_.counter(); }
  // Greenthreads parked in spawn() waiting for a slot.
  std::size_t waiting() const { return slots_.waiting(); }
  std::int64_t size() const { return size_; }
  // Changes the size; a bigger pool lets blocked spawners in at once.
  void resize(std::int64_t new_size);

  // Calls f on the items of the ranges taken in step (stopping at the
  // shortest), each call in a pool greenthread, and yields the results lazily
  // in input order; an exception surfaces at its item's position. The ranges
  // are kept (rvalues moved in) until the map is done. See GreenMap.
  template <typename F, typename... Ranges>
  auto imap(F f, Ranges&&... ranges);
  // imap over a range of argument tuples: f(std::get<0>(t), ...).
  template <typename F, typename Range>
  auto starmap(F f, Range&& tuples);

 private:
  bool in_pool() const {
    return Hub::current().current_greenlet().group() == this;
  }
  // Spawning is not an operation of the cooperative budget (hub.h): the
  // non-blocking attempt does not charge, so a pool with room never yields.
  void before_spawn() {
    if constexpr (kHubAffinityChecks) affinity_.check("GreenPool");
    if (!slots_.acquire(false)) slots_.acquire();
    ++running_;
  }
  static void on_exit(void* pool);
  void finished();

  std::int64_t size_;
  std::size_t running_ = 0;
  Semaphore slots_;
  internal::WaitQueue waitall_waiters_;
  // Its hub, checked in debug builds (hub/hub_affinity.h).
  [[no_unique_address]] HubAffinity affinity_;
};

// The lazy result sequence of GreenPool::imap/starmap. Iterate it once
// (range-for, or begin()/end() with standard algorithms that take input
// iterators). Destroying it early stops feeding new items to the pool; items
// already spawned finish on their own.
template <typename R>
class GreenMap {
 public:
  using value_type = R;
  // `*it` parks until the item's result is ready; rethrows its exception.
  using iterator = internal::LazyInputIterator<GreenMap>;

  GreenMap(GreenMap&&) = default;
  // Stops the feeder at once (GreenThread::kill_now: never parks).
  ~GreenMap() {
    if (feeder_) feeder_.kill_now();
  }

  iterator begin() { return iterator(this); }
  iterator end() { return iterator(); }

 private:
  friend class GreenPool;
  friend iterator;
  using Pending = std::optional<GreenThread<R>>;  // nullopt: end of input
  GreenMap() : pending_(std::make_unique<Queue<Pending>>()) {}

  bool done() {
    fetch();
    return !head_;
  }
  const R& current() {
    fetch();
    if (!head_) throw std::out_of_range("GreenMap: iterated past the end");
    if (!head_->ready()) head_->wait();
    return head_->result();
  }
  void advance() {
    fetch();
    head_.reset();
    fetched_ = false;
  }
  // Makes head_ the next item's greenthread (or empty at the end).
  void fetch() {
    if (fetched_) return;
    // Not operations of the cooperative budget (hub.h): the pool bounds how
    // many results can be ready before the iteration must wait, and the
    // pool's greenthreads switch anyway.
    head_ = pending_->empty() ? pending_->get() : pending_->get_nowait();
    fetched_ = true;
  }

  std::unique_ptr<Queue<Pending>> pending_;
  GreenThread<void> feeder_;
  Pending head_;
  bool fetched_ = false;
};

// ---- Template definitions -----------------------------------------------------

template <typename F, typename... Args>
GreenThread<internal::SpawnResult<F, Args...>> GreenPool::spawn(
    F&& f, Args&&... args) {
  using R = internal::SpawnResult<F, Args...>;
  if (slots_.locked() && in_pool()) {
    return internal::run_inline<R>(std::forward<F>(f),
                                   std::forward<Args>(args)...);
  }
  before_spawn();
  internal::SpawnOptions options;
  options.group = this;
  options.on_exit = &GreenPool::on_exit;
  options.on_exit_arg = this;
  try {
    return internal::spawn_impl<R>(options, std::forward<F>(f),
                                   std::forward<Args>(args)...);
  } catch (...) {
    finished();
    throw;
  }
}

template <typename F, typename... Args>
void GreenPool::spawn_n(F&& f, Args&&... args) {
  if (slots_.locked() && in_pool()) {
    // Runs inline, like spawn(); its exception still goes to the hook.
    try {
      std::invoke(std::forward<F>(f), std::forward<Args>(args)...);
    } catch (...) {
      Hub& hub = Hub::current();
      hub.report_exception(std::current_exception(),
                           hub.current_greenlet().describe());
    }
    return;
  }
  before_spawn();
  // Frees the slot when the greenlet's body is destroyed (it ran, or it was
  // dropped unstarted), or if creating the greenlet fails.
  struct Finished {
    GreenPool* pool;
    explicit Finished(GreenPool* p) : pool(p) {}
    Finished(Finished&& o) noexcept : pool(std::exchange(o.pool, nullptr)) {}
    ~Finished() {
      if (pool != nullptr) pool->finished();
    }
  };
  Hub& hub = Hub::current();
  Greenlet& g = hub.create_greenlet(
      [done = Finished(this),
       call = internal::bind_call(std::forward<F>(f),
                                  std::forward<Args>(args)...)]() mutable {
        std::move(call)();
      });
  g.set_group(this);
  hub.start(g);
}

template <typename F, typename... Ranges>
auto GreenPool::imap(F f, Ranges&&... ranges) {
  using R =
      internal::SpawnResult<F&, std::ranges::range_reference_t<Ranges>...>;
  static_assert(!std::is_void_v<R>,
                "imap/starmap need a function that returns a value");
  GreenMap<R> map;
  Queue<typename GreenMap<R>::Pending>* pending = map.pending_.get();
  map.feeder_ = eventlet::spawn(
      [this, pending, f = std::move(f)](auto... rs) mutable {
        struct EndMarker {
          Queue<typename GreenMap<R>::Pending>* q;
          ~EndMarker() { q->put_nowait(std::nullopt); }
        } end{pending};
        auto its = std::make_tuple(std::ranges::begin(rs)...);
        auto ends = std::make_tuple(std::ranges::end(rs)...);
        auto any_at_end = [&] {
          return [&]<std::size_t... I>(std::index_sequence<I...>) {
            return ((std::get<I>(its) == std::get<I>(ends)) || ...);
          }
          (std::index_sequence_for<decltype(rs)...>{});
        };
        // The queue is unbounded: put_nowait never fails, and (unlike put)
        // it does not charge the cooperative budget, so the feeder spawns
        // until the pool is full, as eventlet's does.
        while (!any_at_end()) {
          pending->put_nowait(
              std::apply([&](auto&... it) { return spawn(f, *it...); }, its));
          std::apply([](auto&... it) { (++it, ...); }, its);
        }
      },
      std::views::all(std::forward<Ranges>(ranges))...);
  return map;
}

template <typename F, typename Range>
auto GreenPool::starmap(F f, Range&& tuples) {
  return imap([f = std::move(f)](
                  const auto& args) mutable { return std::apply(f, args); },
              std::forward<Range>(tuples));
}

}  // namespace eventlet

#endif  // EVENTLET_POOL_GREEN_POOL_H_
