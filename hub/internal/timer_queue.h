// Copyright 2026 The eventlet-cpp Authors.
//
// timer_queue.h: the hub's timers, eventlet's way.
//
// Two kinds of entries, one order:
//  * ready entries: "resume greenlet G" with no delay (spawn, sleep(0), a
//    primitive waking a waiter). They are eventlet's 0-second timers and go
//    into a FIFO, O(1).
//  * heap timers: TimerNodes with a deadline (sleep(d), timeouts, callbacks).
//    New ones wait in `next_timers` until prepare() moves them into a binary
//    min-heap ordered by (deadline, seq). prepare() links consecutive
//    next_timers in increasing (deadline, seq) order (a burst of sleep(d)
//    with one d: each deadline is the fresh clock plus d) into a *run*,
//    through the nodes' run_prev/run_next, and only the run's head takes a
//    heap entry. Popping or cancelling a head puts its successor in its
//    place (one sift-down); cancelling any other member unlinks it, O(1).
//    The order is the same as with one entry per timer, and a million
//    sleepers of one burst cost one 16-byte entry instead of 16 MiB.
//
// A pass (begin_pass(when) then pop_due() until empty) yields the entries that
// existed when the pass began and are due at `when`, merged in (deadline, seq)
// order. Entries added during a pass wait for the next one (eventlet's
// next_timers rule). Sequence numbers make every tie deterministic.
//
// Not thread-safe; owned by one Hub. Never allocates per entry (the FIFO and
// the heap grow geometrically; runs live in the nodes). After a burst they
// shrink again: a pass that begins with a buffer of 4096 entries or more at
// most 1/16 full cuts it to four times its contents. Buffers of 128 KiB or
// more are mapped directly, so shrinking gives the memory back to the OS.
#ifndef EVENTLET_HUB_INTERNAL_TIMER_QUEUE_H_
#define EVENTLET_HUB_INTERNAL_TIMER_QUEUE_H_

#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>
#include <vector>

#include "hub/internal/timer_node.h"
#include "hub/observer.h"

namespace eventlet::internal {

class TimerQueue {
 public:
  static constexpr std::int64_t kNever =
      std::numeric_limits<std::int64_t>::max();

  // A zero-delay wake-up. It carries no time: it runs in the pass after the
  // one it was queued in, ordered by seq against that pass's other
  // zero-delay work (see heap_due_first).
  struct ReadyEntry {
    std::uint64_t seq;
    Greenlet* greenlet;
    std::uint32_t wait_id;
  };
  // One due item: either a ready entry (node == nullptr) or a heap timer.
  struct Due {
    TimerNode* node = nullptr;
    ReadyEntry ready{};
  };

  // Buffers of at least this many entries shrink when mostly empty.
  static constexpr std::size_t kTrimAbove = 4096;

  TimerQueue();
  ~TimerQueue();
  TimerQueue(const TimerQueue&) = delete;
  TimerQueue& operator=(const TimerQueue&) = delete;

  // Appends "resume `g` if it is still in wait `wait_id`" to the FIFO.
  // Returns the entry's sequence number (shared with heap timers: the trace's
  // timer numbers).
  std::uint64_t push_ready(Greenlet* g, std::uint32_t wait_id) {
    if (ready_size_ > ready_mask_) [[unlikely]]
      grow_ready();
    const std::uint64_t seq = next_seq_++;
    ready_[(ready_head_ + ready_size_) & ready_mask_] =
        ReadyEntry{seq, g, wait_id};
    ++ready_size_;
    return seq;
  }

  // Schedules `node` at `deadline`; it joins the heap at the next prepare().
  void schedule(TimerNode* node, std::int64_t deadline);
  // Removes a pending or scheduled node. No-op for other states (inline:
  // every schedule() and most timer owners' destructors take that path).
  void cancel(TimerNode* node) {
    if (node->state == TimerNode::State::kPending ||
        node->state == TimerNode::State::kScheduled) {
      cancel_queued(node);
    }
  }
  // next_timers: timers scheduled since the last prepare().
  bool has_pending() const { return !pending_.empty(); }
  std::span<TimerNode* const> pending() const { return pending_; }
  // Moves next_timers into the heap.
  void prepare() {
    if (!pending_.empty()) prepare_pending();
  }

  // Starts a pass over what is due at `when`. With a `tie_breaker`, the
  // pass's ready entries are first put in the order it picks.
  void begin_pass(std::int64_t when, TieBreaker* tie_breaker = nullptr) {
    prev_pass_when_ = pass_when_;
    pass_when_ = when;
    pass_ready_left_ = ready_size_;
    if (tie_breaker != nullptr && ready_size_ > 1) [[unlikely]]
      reorder_ready(*tie_breaker);
    if (oversized_) [[unlikely]]
      trim();
  }
  // True if the next due item is a ready entry, which it then pops into `out`.
  // False if the pass is over or the next item is a heap timer.
  bool pop_due_ready(ReadyEntry* out) {
    if (pass_ready_left_ == 0) return false;
    const ReadyEntry& head = ready_[ready_head_];
    if (!heap_.empty() && heap_due_first(head)) return false;
    *out = head;
    pop_ready_head();
    return true;
  }
  // Pops the next due item. Returns false when the pass is over.
  bool pop_due(Due* out);
  // True if a heap timer is due in the current pass (it may come before the
  // next ready entry, or after the last one).
  bool pass_has_due_timer() const {
    return !heap_.empty() && heap_.front().deadline <= pass_when_;
  }
  // Earliest deadline among heap timers and next_timers (kNever if none).
  std::int64_t earliest_timer() const;
  // When the current pass began: the deadline zero-delay timers get, so that
  // they keep their scheduling order with ready entries.
  std::int64_t pass_when() const { return pass_when_; }

  bool has_ready() const { return ready_size_ != 0; }
  // No timer in the heap or in next_timers.
  bool no_timers() const { return heap_.empty() && pending_.empty(); }
  // Earliest deadline of anything queued (ready entries count as due now),
  // considering next_timers too. kNever if nothing is queued.
  std::int64_t earliest_deadline(std::int64_t now) const {
    return ready_size_ != 0 ? now : earliest_timer();
  }
  // Timers in the heap's runs and in next_timers (not ready entries).
  std::size_t timer_count() const { return scheduled_ + pending_.size(); }
  std::size_t ready_count() const { return ready_size_; }

  // Visits queued timers for dumps: the heap's runs (heads in heap array
  // order, each followed by the rest of its run in firing order), then
  // next_timers. f must not schedule or cancel timers.
  template <typename F>
  void for_each_timer(F&& f) const {
    for (const HeapEntry& e : heap_) {
      for (TimerNode* n = e.node; n != nullptr; n = n->run_next) f(*n);
    }
    for (TimerNode* n : pending_) f(*n);
  }
  template <typename F>
  void for_each_ready(F&& f) const {
    for (std::size_t i = 0; i < ready_size_; ++i) {
      f(ready_[(ready_head_ + i) & ready_mask_]);
    }
  }

  // Drops everything (hub teardown). Nodes are marked cancelled.
  void clear();

  // Entries the buffers can hold without growing (for tests and dumps).
  std::size_t ready_capacity() const { return ready_mask_ + 1; }
  std::size_t heap_capacity() const { return heap_.capacity(); }
  // Heap entries in use: one per run.
  std::size_t heap_size() const { return heap_.size(); }
  std::size_t pending_capacity() const { return pending_.capacity(); }

  // Allocates buffers: mapped directly from 128 KiB up.
  template <typename T>
  struct BufferAllocator {
    using value_type = T;
    BufferAllocator() = default;
    template <typename U>
    BufferAllocator(const BufferAllocator<U>&) {}
    T* allocate(std::size_t n) {
      return static_cast<T*>(allocate_buffer(n * sizeof(T)));
    }
    void deallocate(T* p, std::size_t n) { free_buffer(p, n * sizeof(T)); }
    friend bool operator==(const BufferAllocator&, const BufferAllocator&) {
      return true;
    }
  };

 private:
  // cancel() of a node in next_timers or in the heap.
  void cancel_queued(TimerNode* node);
  // One per run, naming its head. 16 bytes: the sequence number, needed
  // only on deadline ties, is read from the node.
  struct HeapEntry {
    std::int64_t deadline;
    TimerNode* node;
  };
  static bool before(const HeapEntry& a, const HeapEntry& b) {
    return a.deadline < b.deadline ||
           (a.deadline == b.deadline && a.node->seq < b.node->seq);
  }
  // Whether the heap's top runs before the ready entry `head` in this pass.
  // Ready entries were queued during the previous pass, at some moment the
  // hub did not read the clock for. A timer that came due after the previous
  // pass began (deadline > prev_pass_when_) expired while that work ran, so
  // it goes first (a Timeout is delivered at the next switch point after its
  // delay, however long the greenthread computed before yielding). A
  // zero-delay timer (deadline <= prev_pass_when_) is the same kind of work
  // as a ready entry: scheduling order decides, as in eventlet.
  bool heap_due_first(const ReadyEntry& head) const {
    const HeapEntry& top = heap_.front();
    return top.deadline <= pass_when_ &&
           (top.deadline > prev_pass_when_ || top.node->seq < head.seq);
  }
  static void* allocate_buffer(std::size_t bytes);
  static void free_buffer(void* p, std::size_t bytes);
  void pop_ready_head() {
    ready_head_ = (ready_head_ + 1) & ready_mask_;
    --ready_size_;
    --pass_ready_left_;
  }
  void grow_ready();
  void reorder_ready(TieBreaker& tie_breaker);
  void resize_ready(std::size_t capacity);
  void prepare_pending();
  void trim();
  void note_sizes();
  // Gives `node`, a run's head, a heap entry.
  void heap_push(TimerNode* node);
  // Takes the earliest timer out of its run and returns it.
  TimerNode* heap_pop();
  // Takes a run's head out: its successor, if any, takes its heap entry.
  void remove_head(TimerNode* head);
  void heap_remove(std::uint32_t index);
  void sift_up(std::uint32_t index);
  void sift_down(std::uint32_t index);
  void place(std::uint32_t index, const HeapEntry& e) {
    heap_[index] = e;
    e.node->index = index;
  }

  // Ring buffer of capacity ready_mask_ + 1, a power of two.
  ReadyEntry* ready_ = nullptr;
  std::size_t ready_mask_ = 0;
  std::size_t ready_head_ = 0;
  std::size_t ready_size_ = 0;
  std::size_t pass_ready_left_ = 0;
  std::int64_t pass_when_ = 0;
  std::int64_t prev_pass_when_ = 0;
  std::uint64_t next_seq_ = 1;
  std::vector<HeapEntry, BufferAllocator<HeapEntry>> heap_;
  // Timers in the heap's runs (kScheduled).
  std::size_t scheduled_ = 0;
  // eventlet's next_timers
  std::vector<TimerNode*, BufferAllocator<TimerNode*>> pending_;
  // Most timers next_timers held at a prepare() since the last trim().
  std::size_t pending_peak_ = 0;
  // No deadline in next_timers is earlier, so earliest_timer() need not
  // visit their nodes (a million new sleepers' nodes are a million pages).
  // Exact unless pending_min_stale_: a node with this deadline was cancelled.
  // (earliest_timer() recomputes it once when stale: mutable.)
  mutable std::int64_t pending_min_ = kNever;
  mutable bool pending_min_stale_ = false;
  // Some buffer holds kTrimAbove entries or more: begin_pass() trims.
  bool oversized_ = false;
};

}  // namespace eventlet::internal

#endif  // EVENTLET_HUB_INTERNAL_TIMER_QUEUE_H_
