// Copyright 2026 The eventlet-cpp Authors.
#include "hub/internal/timer_queue.h"

#include <sys/mman.h>

#include <algorithm>
#include <bit>
#include <new>
#include <utility>

namespace eventlet::internal {

using State = TimerNode::State;

namespace {

constexpr std::size_t kInitialReady = 64;
// Buffers this big are mapped directly: malloc would keep a freed one for
// reuse instead of giving it back.
constexpr std::size_t kMapBytes = 128 * 1024;

}  // namespace

void* TimerQueue::allocate_buffer(std::size_t bytes) {
  if (bytes < kMapBytes) return ::operator new(bytes);
  void* p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) throw std::bad_alloc();
  return p;
}

void TimerQueue::free_buffer(void* p, std::size_t bytes) {
  if (bytes < kMapBytes) {
    ::operator delete(p, bytes);
  } else {
    munmap(p, bytes);
  }
}

TimerQueue::TimerQueue() { resize_ready(kInitialReady); }

TimerQueue::~TimerQueue() {
  free_buffer(ready_, (ready_mask_ + 1) * sizeof(ReadyEntry));
}

void TimerQueue::resize_ready(std::size_t capacity) {
  auto* ring =
      static_cast<ReadyEntry*>(allocate_buffer(capacity * sizeof(ReadyEntry)));
  for (std::size_t i = 0; i < ready_size_; ++i) {
    ring[i] = ready_[(ready_head_ + i) & ready_mask_];
  }
  if (ready_ != nullptr) {
    free_buffer(ready_, (ready_mask_ + 1) * sizeof(ReadyEntry));
  }
  ready_ = ring;
  ready_mask_ = capacity - 1;
  ready_head_ = 0;
}

void TimerQueue::reorder_ready(TieBreaker& tie_breaker) {
  // Position i gets the entry the tie breaker picks among those not placed
  // yet (kept in their original relative order), for a simulation's small
  // passes: O(n^2).
  auto at = [this](std::size_t i) -> ReadyEntry& {
    return ready_[(ready_head_ + i) & ready_mask_];
  };
  std::vector<const Greenlet*> candidates;
  for (std::size_t i = 0; i + 1 < ready_size_; ++i) {
    candidates.clear();
    for (std::size_t j = i; j < ready_size_; ++j)
      candidates.push_back(at(j).greenlet);
    std::size_t k = tie_breaker.pick(candidates);
    if (k >= candidates.size()) k = candidates.size() - 1;
    const ReadyEntry chosen = at(i + k);
    for (std::size_t j = i + k; j > i; --j) at(j) = at(j - 1);
    at(i) = chosen;
  }
}

void TimerQueue::grow_ready() {
  resize_ready((ready_mask_ + 1) * 2);
  note_sizes();
}

void TimerQueue::note_sizes() {
  oversized_ = ready_mask_ + 1 >= kTrimAbove ||
               heap_.capacity() >= kTrimAbove ||
               pending_.capacity() >= kTrimAbove;
}

void TimerQueue::trim() {
  // A buffer at most 1/16 full shrinks to four times its contents, so it
  // neither shrinks nor grows again soon. next_timers is empty whenever the
  // hub prepares a pass: it is judged by the most it held since the last
  // trim.
  const std::size_t ring = ready_mask_ + 1;
  if (ring >= kTrimAbove && ready_size_ * 16 <= ring) {
    resize_ready(std::max(kInitialReady, std::bit_ceil(ready_size_ * 4)));
  }
  if (heap_.capacity() >= kTrimAbove && heap_.size() * 16 <= heap_.capacity()) {
    decltype(heap_) smaller;
    smaller.reserve(std::max<std::size_t>(heap_.size() * 4, 64));
    smaller.assign(heap_.begin(), heap_.end());
    heap_.swap(smaller);
  }
  const std::size_t peak = std::max(pending_peak_, pending_.size());
  if (pending_.capacity() >= kTrimAbove && peak * 16 <= pending_.capacity()) {
    decltype(pending_) smaller;
    smaller.reserve(peak * 4);
    smaller.assign(pending_.begin(), pending_.end());
    pending_.swap(smaller);
  }
  pending_peak_ = 0;
  note_sizes();
}

void TimerQueue::schedule(TimerNode* node, std::int64_t deadline) {
  cancel(node);
  node->deadline = deadline;
  node->seq = next_seq_++;
  node->state = State::kPending;
  node->index = static_cast<std::uint32_t>(pending_.size());
  pending_.push_back(node);
  pending_min_ = std::min(pending_min_, deadline);
}

void TimerQueue::cancel_queued(TimerNode* node) {
  if (node->state == State::kPending) {
    TimerNode* last = pending_.back();
    pending_[node->index] = last;
    last->index = node->index;
    pending_.pop_back();
    // pending_min_ stays a lower bound; cancelling the node that held it
    // makes it inexact until earliest_timer() looks again.
    if (node->deadline == pending_min_) pending_min_stale_ = true;
  } else {
    if (node->run_prev == nullptr) {
      remove_head(node);
    } else {
      node->run_prev->run_next = node->run_next;
      if (node->run_next != nullptr) node->run_next->run_prev = node->run_prev;
    }
    --scheduled_;
  }
  node->state = State::kCancelled;
}

void TimerQueue::prepare_pending() {
  // A timer that comes after the one before it in next_timers extends that
  // one's run; any other starts a run and takes a heap entry. The heap
  // orders the heads by (deadline, seq), a total order, so the order of
  // insertion does not matter. (The nodes are on their greenthreads' stacks,
  // often a cold page each; prefetching them 8 ahead measured slower:
  // docs/PERFORMANCE.md, "Idle memory".)
  const std::size_t n = pending_.size();
  TimerNode* tail = nullptr;
  for (std::size_t i = 0; i < n; ++i) {
    TimerNode* node = pending_[i];
    node->run_next = nullptr;
    if (tail != nullptr && before(HeapEntry{tail->deadline, tail},
                                  HeapEntry{node->deadline, node})) {
      node->state = State::kScheduled;
      node->run_prev = tail;
      tail->run_next = node;
    } else {
      node->run_prev = nullptr;
      heap_push(node);
    }
    tail = node;
  }
  scheduled_ += n;
  pending_peak_ = std::max(pending_peak_, pending_.size());
  pending_.clear();
  pending_min_ = kNever;
  pending_min_stale_ = false;
  if (!oversized_) note_sizes();
}

bool TimerQueue::pop_due(Due* out) {
  if (pop_due_ready(&out->ready)) {
    out->node = nullptr;
    return true;
  }
  if (heap_.empty() || heap_.front().deadline > pass_when_) return false;
  out->node = heap_pop();
  out->node->state = State::kFired;
  --scheduled_;
  return true;
}

std::int64_t TimerQueue::earliest_timer() const {
  std::int64_t best = heap_.empty() ? kNever : heap_.front().deadline;
  if (pending_min_stale_) [[unlikely]] {
    pending_min_ = kNever;
    for (const TimerNode* n : pending_)
      pending_min_ = std::min(pending_min_, n->deadline);
    pending_min_stale_ = false;
  }
  return std::min(best, pending_min_);
}

void TimerQueue::clear() {
  for_each_timer([](TimerNode& n) { n.state = State::kCancelled; });
  heap_.clear();
  scheduled_ = 0;
  pending_.clear();
  pending_min_ = kNever;
  pending_min_stale_ = false;
  ready_head_ = ready_size_ = pass_ready_left_ = 0;
}

void TimerQueue::heap_push(TimerNode* node) {
  node->state = State::kScheduled;
  heap_.push_back(HeapEntry{node->deadline, node});
  node->index = static_cast<std::uint32_t>(heap_.size() - 1);
  sift_up(node->index);
}

TimerNode* TimerQueue::heap_pop() {
  TimerNode* top = heap_.front().node;
  remove_head(top);
  return top;
}

void TimerQueue::remove_head(TimerNode* head) {
  TimerNode* next = head->run_next;
  if (next == nullptr) {
    heap_remove(head->index);
    return;
  }
  // The successor comes after the head: it can only sink.
  next->run_prev = nullptr;
  place(head->index, HeapEntry{next->deadline, next});
  sift_down(head->index);
}

void TimerQueue::heap_remove(std::uint32_t index) {
  const std::uint32_t last = static_cast<std::uint32_t>(heap_.size() - 1);
  if (index != last) {
    place(index, heap_[last]);
    heap_.pop_back();
    sift_down(index);
    sift_up(index);
  } else {
    heap_.pop_back();
  }
}

void TimerQueue::sift_up(std::uint32_t index) {
  HeapEntry e = heap_[index];
  while (index > 0) {
    std::uint32_t parent = (index - 1) / 2;
    if (!before(e, heap_[parent])) break;
    place(index, heap_[parent]);
    index = parent;
  }
  place(index, e);
}

void TimerQueue::sift_down(std::uint32_t index) {
  const std::uint32_t n = static_cast<std::uint32_t>(heap_.size());
  HeapEntry e = heap_[index];
  for (;;) {
    std::uint32_t child = 2 * index + 1;
    if (child >= n) break;
    if (child + 1 < n && before(heap_[child + 1], heap_[child])) ++child;
    if (!before(heap_[child], e)) break;
    place(index, heap_[child]);
    index = child;
  }
  place(index, e);
}

}  // namespace eventlet::internal
