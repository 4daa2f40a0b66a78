// Copyright 2026 The eventlet-cpp Authors.
#include "hub/internal/timer_queue.h"

#include <algorithm>
#include <utility>

namespace eventlet::internal {

using State = TimerNode::State;

namespace {
constexpr std::size_t kInitialReady = 64;
}

TimerQueue::TimerQueue()
    : ready_(new ReadyEntry[kInitialReady]), ready_mask_(kInitialReady - 1) {}

void TimerQueue::grow_ready() {
  const std::size_t capacity = (ready_mask_ + 1) * 2;
  std::unique_ptr<ReadyEntry[]> bigger(new ReadyEntry[capacity]);
  for (std::size_t i = 0; i < ready_size_; ++i) {
    bigger[i] = ready_[(ready_head_ + i) & ready_mask_];
  }
  ready_ = std::move(bigger);
  ready_mask_ = capacity - 1;
  ready_head_ = 0;
}

void TimerQueue::schedule(TimerNode* node, std::int64_t deadline) {
  cancel(node);
  node->deadline = deadline;
  node->seq = next_seq_++;
  node->state = State::kPending;
  node->index = static_cast<std::uint32_t>(pending_.size());
  pending_.push_back(node);
}

void TimerQueue::cancel(TimerNode* node) {
  if (node->state == State::kPending) {
    TimerNode* last = pending_.back();
    pending_[node->index] = last;
    last->index = node->index;
    pending_.pop_back();
  } else if (node->state == State::kScheduled) {
    heap_remove(node->index);
  } else {
    return;
  }
  node->state = State::kCancelled;
}

void TimerQueue::prepare_pending() {
  // The heap orders by (deadline, seq), a total order, so the order of
  // insertion does not matter.
  for (TimerNode* node : pending_) heap_push(node);
  pending_.clear();
}

bool TimerQueue::pop_due(Due* out) {
  if (pop_due_ready(&out->ready)) {
    out->node = nullptr;
    return true;
  }
  if (heap_.empty() || heap_.front().deadline > pass_when_) return false;
  out->node = heap_pop();
  out->node->state = State::kFired;
  return true;
}

std::int64_t TimerQueue::earliest_timer() const {
  std::int64_t best = heap_.empty() ? kNever : heap_.front().deadline;
  for (const TimerNode* n : pending_) best = std::min(best, n->deadline);
  return best;
}

void TimerQueue::clear() {
  for (HeapEntry& e : heap_) e.node->state = State::kCancelled;
  for (TimerNode* n : pending_) n->state = State::kCancelled;
  heap_.clear();
  pending_.clear();
  ready_head_ = ready_size_ = pass_ready_left_ = 0;
}

void TimerQueue::heap_push(TimerNode* node) {
  node->state = State::kScheduled;
  heap_.push_back(HeapEntry{node->deadline, node->seq, node});
  node->index = static_cast<std::uint32_t>(heap_.size() - 1);
  sift_up(node->index);
}

TimerNode* TimerQueue::heap_pop() {
  TimerNode* top = heap_.front().node;
  heap_remove(0);
  return top;
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
