// Copyright 2026 The eventlet-cpp Authors.
//
// TimerQueue: one (deadline, seq) order over ready entries and heap timers,
// passes that ignore what is added during them, cancellation from next_timers
// and from the heap, runs of timers under one heap entry.
#include "hub/internal/timer_queue.h"

#include <algorithm>
#include <cstdint>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "hub/internal/timer_node.h"

namespace eventlet::internal {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using State = TimerNode::State;

// A heap timer that knows its name.
struct Node : TimerNode {
  explicit Node(std::string n)
      : TimerNode(Action::kCallback), name(std::move(n)) {}
  std::string name;
};

// Ready entries carry no greenlet here; their wait_id names them ("r<id>").
void PushReady(TimerQueue& q, std::uint32_t id) { q.push_ready(nullptr, id); }

std::string Name(const TimerQueue::Due& due) {
  if (due.node == nullptr) return "r" + std::to_string(due.ready.wait_id);
  return static_cast<Node*>(due.node)->name;
}

// Runs one pass at `when` (after prepare()) and names what it yields.
std::vector<std::string> Pass(TimerQueue& q, std::int64_t when) {
  q.prepare();
  q.begin_pass(when);
  std::vector<std::string> out;
  TimerQueue::Due due;
  while (q.pop_due(&due)) out.push_back(Name(due));
  return out;
}

TEST(TimerQueueTest, HeapOrdersByDeadlineThenSchedulingOrder) {
  TimerQueue q;
  Node a("a30"), b("b10"), c("c20"), d("d10"), e("e30"), f("f10");
  q.schedule(&a, 30);
  q.schedule(&b, 10);
  q.schedule(&c, 20);
  q.schedule(&d, 10);
  q.schedule(&e, 30);
  q.schedule(&f, 10);
  EXPECT_EQ(q.timer_count(), 6u);
  EXPECT_THAT(Pass(q, 100),
              ElementsAre("b10", "d10", "f10", "c20", "a30", "e30"));
  EXPECT_EQ(q.timer_count(), 0u);
  for (Node* n : {&a, &b, &c, &d, &e, &f}) {
    EXPECT_EQ(n->state, State::kFired) << n->name;
    EXPECT_FALSE(n->active()) << n->name;
  }
}

TEST(TimerQueueTest, PassYieldsOnlyWhatIsDueAtItsTime) {
  TimerQueue q;
  Node early("early"), due("due"), late("late");
  q.schedule(&late, 50);
  q.schedule(&early, 10);
  q.schedule(&due, 20);
  EXPECT_THAT(Pass(q, 20), ElementsAre("early", "due"));
  EXPECT_EQ(late.state, State::kScheduled);
  EXPECT_EQ(q.timer_count(), 1u);
  EXPECT_THAT(Pass(q, 49), IsEmpty());
  EXPECT_THAT(Pass(q, 50), ElementsAre("late"));
}

TEST(TimerQueueTest, ReadyEntriesMergeWithZeroDelayTimersBySeq) {
  // Zero-delay timers get the current pass's time as deadline (Hub does
  // that); ready entries queued in the same pass interleave with them in
  // scheduling order, as eventlet's 0-second timers do.
  TimerQueue q;
  q.begin_pass(10);
  Node a("a10"), c("c10"), d("d20");
  PushReady(q, 1);     // seq 1
  q.schedule(&a, 10);  // seq 2
  PushReady(q, 2);     // seq 3
  q.schedule(&c, 10);  // seq 4
  q.schedule(&d, 20);  // not due at 15
  q.prepare();
  q.begin_pass(15);

  // pop_due_ready() only pops a ready entry that comes next in the order.
  TimerQueue::ReadyEntry r;
  ASSERT_TRUE(q.pop_due_ready(&r));
  EXPECT_EQ(r.wait_id, 1u);
  EXPECT_FALSE(q.pop_due_ready(&r)) << "a10 was scheduled before r2";
  TimerQueue::Due due;
  ASSERT_TRUE(q.pop_due(&due));
  EXPECT_EQ(Name(due), "a10");
  ASSERT_TRUE(q.pop_due(&due));
  EXPECT_EQ(Name(due), "r2");
  EXPECT_FALSE(q.pop_due_ready(&r)) << "no ready entries left";
  ASSERT_TRUE(q.pop_due(&due));
  EXPECT_EQ(Name(due), "c10");
  EXPECT_FALSE(q.pop_due(&due));
  EXPECT_EQ(q.ready_count(), 0u);
  EXPECT_EQ(q.timer_count(), 1u);
  EXPECT_THAT(Pass(q, 20), ElementsAre("d20"));
}

TEST(TimerQueueTest, TimersThatExpiredMeanwhileRunBeforeReadyEntries) {
  // A timer that came due after the previous pass began expired while the
  // work queued meanwhile ran: it goes first (a Timeout is delivered at the
  // next switch point after its delay).
  TimerQueue q;
  q.begin_pass(10);
  Node t("timeout12");
  q.schedule(&t, 12);
  PushReady(q, 1);  // e.g. sleep(0) after computing until 15
  PushReady(q, 2);
  q.prepare();
  EXPECT_THAT(Pass(q, 15), ElementsAre("timeout12", "r1", "r2"));
}

TEST(TimerQueueTest, EntriesAddedDuringAPassWaitForTheNextPass) {
  TimerQueue q;
  Node a("a"), b("b-added"), c("c-added");
  PushReady(q, 1);
  q.schedule(&a, 5);
  q.prepare();
  q.begin_pass(100);
  TimerQueue::Due due;
  ASSERT_TRUE(q.pop_due(&due));
  EXPECT_EQ(Name(due), "a");
  // Added mid-pass: zero-delay work, due at the next pass in scheduling order.
  PushReady(q, 2);
  q.schedule(&b, 0);
  q.schedule(&c, 0);
  q.cancel(&c);  // cancelling mid-pass works too
  ASSERT_TRUE(q.pop_due(&due));
  EXPECT_EQ(Name(due), "r1");
  EXPECT_FALSE(q.pop_due(&due)) << "r2 and b were added during the pass";
  EXPECT_EQ(q.ready_count(), 1u);
  EXPECT_EQ(q.timer_count(), 1u);
  EXPECT_EQ(b.state, State::kPending);
  EXPECT_THAT(Pass(q, 100), ElementsAre("r2", "b-added"));
}

TEST(TimerQueueTest, ReadyEntriesStayFifoAcrossRingGrowthAndWrapAround) {
  TimerQueue q;
  // Move the ring's head off zero, then grow it while it wraps.
  for (std::uint32_t i = 0; i < 40; ++i) PushReady(q, i);
  ASSERT_EQ(Pass(q, 0).size(), 40u);
  std::vector<std::string> want;
  for (std::uint32_t i = 100; i < 400; ++i) {
    PushReady(q, i);
    want.push_back("r" + std::to_string(i));
  }
  EXPECT_EQ(q.ready_count(), 300u);
  EXPECT_TRUE(q.has_ready());
  std::vector<std::string> seen;
  q.for_each_ready([&](const TimerQueue::ReadyEntry& e) {
    seen.push_back("r" + std::to_string(e.wait_id));
  });
  EXPECT_EQ(seen, want);
  EXPECT_EQ(Pass(q, 0), want);
  EXPECT_FALSE(q.has_ready());
}

TEST(TimerQueueTest, CancelFromNextTimers) {
  TimerQueue q;
  Node a("a"), b("b"), c("c"), d("d");
  q.schedule(&a, 1);
  q.schedule(&b, 2);
  q.schedule(&c, 3);
  q.schedule(&d, 4);
  EXPECT_EQ(b.state, State::kPending);
  q.cancel(&b);  // from the middle: d moves into b's slot
  EXPECT_EQ(b.state, State::kCancelled);
  EXPECT_FALSE(b.active());
  EXPECT_EQ(q.timer_count(), 3u);
  q.cancel(&d);  // the moved one must still be found
  q.cancel(&d);  // idempotent
  q.cancel(&b);
  EXPECT_EQ(q.timer_count(), 2u);
  Node idle("idle");
  q.cancel(&idle);  // never scheduled: no-op
  EXPECT_EQ(idle.state, State::kIdle);
  EXPECT_EQ(q.timer_count(), 2u);
  EXPECT_THAT(Pass(q, 10), ElementsAre("a", "c"));
  EXPECT_EQ(d.state, State::kCancelled);
}

TEST(TimerQueueTest, CancelFromHeap) {
  TimerQueue q;
  Node a("a"), b("b"), c("c");
  q.schedule(&a, 1);
  q.schedule(&b, 2);
  q.schedule(&c, 3);
  q.prepare();
  EXPECT_EQ(a.state, State::kScheduled);
  q.cancel(&a);  // the top
  EXPECT_EQ(a.state, State::kCancelled);
  EXPECT_EQ(q.timer_count(), 2u);
  EXPECT_EQ(q.earliest_deadline(0), 2);
  EXPECT_THAT(Pass(q, 10), ElementsAre("b", "c"));
  q.cancel(&b);  // already fired: no-op
  EXPECT_EQ(b.state, State::kFired);
}

TEST(TimerQueueTest, RescheduleMovesTheTimer) {
  TimerQueue q;
  Node a("a"), b("b");
  q.schedule(&a, 10);
  q.prepare();
  q.schedule(&b, 40);
  q.schedule(&a, 40);  // after b now: same deadline, later seq
  EXPECT_EQ(q.timer_count(), 2u);
  EXPECT_THAT(Pass(q, 20), IsEmpty());
  EXPECT_THAT(Pass(q, 40), ElementsAre("b", "a"));
}

TEST(TimerQueueTest, EarliestDeadline) {
  TimerQueue q;
  EXPECT_EQ(q.earliest_deadline(7), TimerQueue::kNever);
  Node a("a"), b("b");
  q.schedule(&a, 50);
  EXPECT_EQ(q.earliest_deadline(7), 50) << "next_timers count";
  q.prepare();
  q.schedule(&b, 30);
  EXPECT_EQ(q.earliest_deadline(7), 30) << "heap and next_timers";
  q.prepare();
  EXPECT_EQ(q.earliest_deadline(7), 30);
  PushReady(q, 1);
  EXPECT_EQ(q.earliest_deadline(7), 7) << "a ready entry is due now";
  EXPECT_THAT(Pass(q, 7), ElementsAre("r1"));
  EXPECT_EQ(q.earliest_deadline(7), 30);
  q.cancel(&b);
  EXPECT_EQ(q.earliest_deadline(7), 50);
  q.cancel(&a);
  EXPECT_EQ(q.earliest_deadline(7), TimerQueue::kNever);
}

TEST(TimerQueueTest, EarliestTimerFollowsCancelsInNextTimers) {
  TimerQueue q;
  Node a("a"), b("b"), c("c"), d("d");
  q.schedule(&a, 30);
  q.schedule(&b, 10);
  q.schedule(&c, 20);
  q.schedule(&d, 10);
  EXPECT_EQ(q.earliest_timer(), 10);
  q.cancel(&b);
  EXPECT_EQ(q.earliest_timer(), 10) << "d has the same deadline";
  q.cancel(&d);
  EXPECT_EQ(q.earliest_timer(), 20);
  q.schedule(&b, 25);
  EXPECT_EQ(q.earliest_timer(), 20);
  q.cancel(&c);
  EXPECT_EQ(q.earliest_timer(), 25);
  q.schedule(&d, 5);   // rescheduled from cancelled
  q.schedule(&d, 40);  // rescheduled while in next_timers
  EXPECT_EQ(q.earliest_timer(), 25);
  q.prepare();
  EXPECT_EQ(q.earliest_timer(), 25) << "now from the heap";
  q.schedule(&c, 15);
  EXPECT_EQ(q.earliest_timer(), 15);
  q.cancel(&c);
  EXPECT_EQ(q.earliest_timer(), 25) << "next_timers empty again";
  q.clear();
  EXPECT_EQ(q.earliest_timer(), TimerQueue::kNever);
}

TEST(TimerQueueTest, ClearCancelsEverything) {
  TimerQueue q;
  Node a("a"), b("b"), c("c"), d("d"), e("e");
  q.schedule(&a, 1);
  q.schedule(&b, 2);
  q.schedule(&c, 3);
  q.schedule(&d, 0);  // before c: a run of its own
  q.prepare();
  q.schedule(&e, 2);
  PushReady(q, 1);
  EXPECT_EQ(q.heap_size(), 2u);
  std::vector<std::string> visited;
  q.for_each_timer([&](const TimerNode& n) {
    visited.push_back(static_cast<const Node&>(n).name);
  });
  EXPECT_THAT(visited, ElementsAre("d", "a", "b", "c", "e"))
      << "heads in heap order, each with its run, then next_timers";
  q.clear();
  for (Node* n : {&a, &b, &c, &d, &e}) {
    EXPECT_EQ(n->state, State::kCancelled) << n->name;
  }
  EXPECT_EQ(q.timer_count(), 0u);
  EXPECT_EQ(q.heap_size(), 0u);
  EXPECT_EQ(q.ready_count(), 0u);
  EXPECT_THAT(Pass(q, 100), IsEmpty());
  // The nodes can be scheduled again.
  q.schedule(&c, 5);
  q.schedule(&a, 5);
  EXPECT_THAT(Pass(q, 100), ElementsAre("c", "a"));
}

// ---- Runs: timers that follow one another share one heap entry ----

TEST(TimerQueueTest, ABurstWithOneDelayTakesOneHeapEntry) {
  constexpr int kBurst = 1000;
  TimerQueue q;
  std::vector<std::unique_ptr<Node>> nodes;
  std::vector<std::string> want;
  for (int i = 0; i < kBurst; ++i) {
    nodes.push_back(std::make_unique<Node>("t" + std::to_string(i)));
    // sleep(d) with one d: deadlines that never decrease.
    q.schedule(nodes.back().get(), 1000 + i / 10);
    want.push_back(nodes.back()->name);
  }
  q.prepare();
  EXPECT_EQ(q.heap_size(), 1u);
  EXPECT_EQ(q.timer_count(), std::size_t{kBurst});
  for (const auto& n : nodes) EXPECT_EQ(n->state, State::kScheduled);
  std::vector<std::string> visited;
  q.for_each_timer([&](const TimerNode& n) {
    visited.push_back(static_cast<const Node&>(n).name);
  });
  EXPECT_EQ(visited, want);
  EXPECT_EQ(Pass(q, 1000 + kBurst / 20).size(), std::size_t{kBurst / 2 + 10})
      << "the run's first half and one more deadline";
  EXPECT_EQ(q.heap_size(), 1u);
  EXPECT_EQ(q.earliest_timer(), 1000 + kBurst / 20 + 1);
  want.erase(want.begin(), want.begin() + kBurst / 2 + 10);
  EXPECT_EQ(Pass(q, 2000), want);
  EXPECT_EQ(q.heap_size(), 0u);
  EXPECT_EQ(q.timer_count(), 0u);
}

TEST(TimerQueueTest, RunsSplitWhereTheOrderDecreases) {
  TimerQueue q;
  Node a("a10"), b("b20"), c("c30"), d("d5"), e("e20"), f("f30"), g("g20");
  q.schedule(&a, 10);
  q.schedule(&b, 20);
  q.schedule(&c, 30);
  q.schedule(&d, 5);
  q.schedule(&e, 20);
  q.schedule(&f, 30);
  q.schedule(&g, 20);
  q.prepare();
  EXPECT_EQ(q.heap_size(), 3u) << "a-b-c, d-e-f, g";
  EXPECT_EQ(q.timer_count(), 7u);
  EXPECT_EQ(q.earliest_timer(), 5);
  // Equal deadlines across runs: scheduling order.
  EXPECT_THAT(Pass(q, 100),
              ElementsAre("d5", "a10", "b20", "e20", "g20", "c30", "f30"));
}

TEST(TimerQueueTest, InterleavedBurstsWithEqualDeadlinesKeepSchedulingOrder) {
  TimerQueue q;
  Node x0("x0"), x1("x1"), x2("x2"), y0("y0"), y1("y1"), y2("y2");
  Node z0("z0"), z1("z1"), w0("w0"), w1("w1");
  for (Node* n : {&x0, &x1, &x2}) q.schedule(n, 50);
  q.prepare();  // run x
  for (Node* n : {&y0, &y1, &y2}) q.schedule(n, 50);
  q.prepare();  // run y, a later seq than all of x
  q.schedule(&z0, 50);
  q.schedule(&w0, 40);  // before z0: starts a run, which z1 extends
  q.schedule(&z1, 50);
  q.schedule(&w1, 40);
  q.prepare();
  EXPECT_EQ(q.heap_size(), 5u) << "x, y, z0, w0-z1, w1";
  EXPECT_THAT(Pass(q, 50), ElementsAre("w0", "w1", "x0", "x1", "x2", "y0", "y1",
                                       "y2", "z0", "z1"));
}

TEST(TimerQueueTest, CancelTheHeadMiddleAndTailOfARun) {
  TimerQueue q;
  Node a("a"), b("b"), c("c"), d("d"), e("e"), lone("lone");
  std::int64_t deadline = 10;
  for (Node* n : {&a, &b, &c, &d, &e}) q.schedule(n, deadline++);
  q.schedule(&lone, 12);  // before e: a run of one
  q.prepare();
  ASSERT_EQ(q.heap_size(), 2u);
  q.cancel(&c);  // middle
  EXPECT_EQ(c.state, State::kCancelled);
  EXPECT_EQ(q.timer_count(), 5u);
  EXPECT_EQ(q.heap_size(), 2u);
  q.cancel(&a);  // head: b takes its entry
  EXPECT_EQ(q.earliest_timer(), 11);
  EXPECT_EQ(q.heap_size(), 2u);
  q.cancel(&e);  // tail
  q.cancel(&e);  // idempotent
  EXPECT_EQ(q.timer_count(), 3u);
  q.cancel(&lone);  // the head of a run of one: its entry goes
  EXPECT_EQ(q.heap_size(), 1u);
  EXPECT_EQ(q.timer_count(), 2u);
  EXPECT_THAT(Pass(q, 100), ElementsAre("b", "d"));
  EXPECT_EQ(q.heap_size(), 0u);
  EXPECT_EQ(q.earliest_timer(), TimerQueue::kNever);
}

TEST(TimerQueueTest, RunMembersCancelledWhileTheRunFires) {
  // What a firing timer does (wake a greenthread that cancels its other
  // timers) happens between two pops of the same pass.
  TimerQueue q;
  Node a("a"), b("b"), c("c"), d("d"), e("e");
  for (Node* n : {&a, &b, &c, &d, &e}) q.schedule(n, 10);
  q.prepare();
  q.begin_pass(10);
  TimerQueue::Due due;
  ASSERT_TRUE(q.pop_due(&due));
  EXPECT_EQ(Name(due), "a");
  q.cancel(&c);  // a later member
  ASSERT_TRUE(q.pop_due(&due));
  EXPECT_EQ(Name(due), "b");
  q.cancel(&d);  // now the head
  q.cancel(&b);  // fired already: no-op
  EXPECT_EQ(b.state, State::kFired);
  ASSERT_TRUE(q.pop_due(&due));
  EXPECT_EQ(Name(due), "e");
  EXPECT_FALSE(q.pop_due(&due));
  EXPECT_EQ(q.timer_count(), 0u);
  EXPECT_EQ(q.heap_size(), 0u);
}

TEST(TimerQueueTest, ARescheduledMemberLeavesItsRun) {
  TimerQueue q;
  Node a("a"), b("b"), c("c");
  for (Node* n : {&a, &b, &c}) q.schedule(n, 10);
  q.prepare();
  q.schedule(&b, 5);  // from the middle of the run into next_timers
  EXPECT_EQ(b.state, State::kPending);
  EXPECT_EQ(q.timer_count(), 3u);
  q.schedule(&a, 10);  // the head, now after c
  EXPECT_THAT(Pass(q, 10), ElementsAre("b", "c", "a"));
}

// Random schedules, reschedules, cancels (from next_timers and from anywhere
// in the heap's runs), prepares and partial passes, checked against a sorted
// reference. Fixed seeds; std::mt19937's output is specified by the standard
// and only its raw output is used, so a run is the same everywhere.
struct RandomMix {
  std::uint32_t seed;
  int schedule;  // percent of steps that schedule or reschedule
  int cancel;    // ... that cancel
  int prepare;   // ... that prepare; the rest are passes
  // 1 in `same_delay_odds` schedules uses a random delay, the others one
  // delay (runs); 1: all random.
  int same_delay_odds;
};

void RunRandomOps(const RandomMix& mix) {
  constexpr int kNodes = 400;
  constexpr int kSteps = 20000;
  std::mt19937 rng(mix.seed);
  auto pick = [&](std::uint32_t n) { return static_cast<int>(rng() % n); };

  TimerQueue q;
  std::vector<std::unique_ptr<Node>> nodes;
  for (int i = 0; i < kNodes; ++i)
    nodes.push_back(std::make_unique<Node>(std::to_string(i)));
  // (deadline, order of the schedule() call, node index): the order the
  // queue must reproduce.
  using Key = std::tuple<std::int64_t, std::uint64_t, int>;
  std::set<Key> heap_ref, pending_ref;
  std::vector<Key> key(kNodes);
  std::uint64_t order = 0;
  std::int64_t now = 0;
  auto forget = [&](int i) {
    heap_ref.erase(key[i]);
    pending_ref.erase(key[i]);
  };

  int cancelled_in_heap = 0, cancelled_pending = 0, fired = 0;
  std::size_t most_per_entry = 0;
  for (int step = 0; step < kSteps; ++step) {
    const int op = pick(100);
    const int i = pick(kNodes);
    Node& n = *nodes[i];
    if (op < mix.schedule) {  // few distinct deadlines
      forget(i);
      const std::int64_t deadline =
          now + (pick(mix.same_delay_odds) == 0 ? pick(20) : 10);
      q.schedule(&n, deadline);
      key[i] = Key{deadline, order++, i};
      pending_ref.insert(key[i]);
    } else if (op < mix.schedule + mix.cancel) {
      // Mostly an active node, sometimes any.
      int j = i;
      if (pick(8) != 0) {
        for (int k = 0; k < kNodes && !nodes[j]->active(); ++k)
          j = (j + 1) % kNodes;
      }
      Node& c = *nodes[j];
      if (c.state == State::kScheduled) ++cancelled_in_heap;
      if (c.state == State::kPending) ++cancelled_pending;
      const bool was_active = c.active();
      const State before = c.state;
      q.cancel(&c);
      EXPECT_EQ(c.state, was_active ? State::kCancelled : before);
      forget(j);
    } else if (op < mix.schedule + mix.cancel + mix.prepare) {
      q.prepare();
      heap_ref.insert(pending_ref.begin(), pending_ref.end());
      pending_ref.clear();
      if (q.heap_size() != 0) {
        most_per_entry =
            std::max(most_per_entry, heap_ref.size() / q.heap_size());
      }
    } else {  // a pass at a random time; what is pending stays pending
      now += pick(4);
      q.begin_pass(now);
      std::vector<int> got, want;
      TimerQueue::Due due;
      while (q.pop_due(&due)) {
        ASSERT_NE(due.node, nullptr);
        EXPECT_EQ(due.node->state, State::kFired);
        got.push_back(std::stoi(static_cast<Node*>(due.node)->name));
      }
      while (!heap_ref.empty() && std::get<0>(*heap_ref.begin()) <= now) {
        want.push_back(std::get<2>(*heap_ref.begin()));
        heap_ref.erase(heap_ref.begin());
      }
      ASSERT_EQ(got, want) << "step " << step;
      fired += static_cast<int>(got.size());
    }
    ASSERT_EQ(q.timer_count(), heap_ref.size() + pending_ref.size())
        << "step " << step;
    ASSERT_LE(q.heap_size(), heap_ref.size()) << "step " << step;
    std::int64_t earliest = TimerQueue::kNever;
    if (!heap_ref.empty()) earliest = std::get<0>(*heap_ref.begin());
    if (!pending_ref.empty())
      earliest = std::min(earliest, std::get<0>(*pending_ref.begin()));
    ASSERT_EQ(q.earliest_deadline(now), earliest) << "step " << step;
    if (step % 64 == 0) {  // the dump visits exactly the queued timers
      std::set<int> visited, queued;
      q.for_each_timer([&](const TimerNode& t) {
        EXPECT_TRUE(
            visited.insert(std::stoi(static_cast<const Node&>(t).name)).second);
      });
      for (const auto* ref : {&heap_ref, &pending_ref}) {
        for (const Key& k : *ref) queued.insert(std::get<2>(k));
      }
      ASSERT_EQ(visited, queued) << "step " << step;
    }
  }
  // Drain: everything left comes out in reference order.
  q.prepare();
  heap_ref.insert(pending_ref.begin(), pending_ref.end());
  std::vector<int> got, want;
  q.begin_pass(TimerQueue::kNever - 1);
  TimerQueue::Due due;
  while (q.pop_due(&due))
    got.push_back(std::stoi(static_cast<Node*>(due.node)->name));
  for (const Key& k : heap_ref) want.push_back(std::get<2>(k));
  EXPECT_EQ(got, want);
  // The run exercised what it is meant to.
  EXPECT_GT(cancelled_in_heap, 1000);
  EXPECT_GT(cancelled_pending, 500);
  EXPECT_GT(fired, 1000);
  if (mix.same_delay_odds > 1) {
    EXPECT_GE(most_per_entry, 4u) << "runs formed";
  }
}

TEST(TimerQueueTest, RandomCancelsKeepHeapOrder) {
  RunRandomOps({.seed = 20260417,
                .schedule = 45,
                .cancel = 35,
                .prepare = 12,
                .same_delay_odds = 1});
}

// Long runs: one delay for most timers, prepares far apart.
TEST(TimerQueueTest, RandomCancelsKeepRunOrder) {
  RunRandomOps({.seed = 20261202,
                .schedule = 55,
                .cancel = 35,
                .prepare = 4,
                .same_delay_odds = 8});
}

// After a burst, buffers that became mostly empty shrink (the idle memory of
// a hub that once had many greenthreads ready or sleeping), and what they
// still hold keeps its order.
TEST(TimerQueueTest, BuffersShrinkAfterABurstAndKeepTheirOrder) {
  constexpr std::uint32_t kBurst = 20000;
  TimerQueue q;
  for (std::uint32_t i = 0; i < kBurst; ++i) PushReady(q, i);
  EXPECT_GE(q.ready_capacity(), std::size_t{kBurst});
  std::vector<std::unique_ptr<Node>> nodes;
  for (std::uint32_t i = 0; i < kBurst; ++i) {
    nodes.push_back(std::make_unique<Node>("t" + std::to_string(i)));
    // Decreasing deadlines: every timer is a run of its own.
    q.schedule(nodes.back().get(), 1000 + kBurst - i);
  }
  EXPECT_GE(q.pending_capacity(), std::size_t{kBurst});
  q.prepare();
  EXPECT_GE(q.heap_capacity(), std::size_t{kBurst});
  for (std::uint32_t i = 3; i < kBurst; ++i) q.cancel(nodes[i].get());

  // This pass begins with a full ring (kept) and a heap of three (trimmed).
  EXPECT_EQ(Pass(q, 0).size(), std::size_t{kBurst});
  EXPECT_LT(q.heap_capacity(), TimerQueue::kTrimAbove);
  EXPECT_GE(q.ready_capacity(), std::size_t{kBurst});
  // This one begins with one ready entry, and next_timers has held nothing
  // since the last pass: both shrink.
  PushReady(q, 7);
  EXPECT_THAT(Pass(q, 0), ElementsAre("r7"));
  EXPECT_LT(q.ready_capacity(), TimerQueue::kTrimAbove);
  EXPECT_LT(q.pending_capacity(), TimerQueue::kTrimAbove);
  EXPECT_THAT(Pass(q, 1000 + kBurst), ElementsAre("t2", "t1", "t0"));
  // They grow again as needed.
  for (std::uint32_t i = 0; i < kBurst; ++i) PushReady(q, i);
  EXPECT_EQ(Pass(q, 0).size(), std::size_t{kBurst});
}

}  // namespace
}  // namespace eventlet::internal

namespace eventlet::internal {
namespace {

// Always picks the newest unplaced entry: the pass runs in reverse.
struct NewestFirst : TieBreaker {
  std::size_t pick(std::span<const Greenlet* const> candidates) override {
    return candidates.size() - 1;
  }
};

TEST(TimerQueueTest, ATieBreakerOrdersThePassReadyEntries) {
  TimerQueue q;
  for (std::uint32_t id = 1; id <= 4; ++id) q.push_ready(nullptr, id);
  NewestFirst newest_first;
  q.begin_pass(0, &newest_first);
  std::vector<std::uint32_t> order;
  TimerQueue::ReadyEntry r;
  while (q.pop_due_ready(&r)) order.push_back(r.wait_id);
  EXPECT_THAT(order, ElementsAre(4, 3, 2, 1));
}

}  // namespace
}  // namespace eventlet::internal
