// Copyright 2026 The eventlet-cpp Authors.
//
// StackPool: reuse, page rounding, guard pages, the canary; and the message a
// real greenthread prints when it overflows its stack.
#include "hub/internal/stack_pool.h"

#include <sys/mman.h>

#include <algorithm>
#include <cstring>
#include <set>
#include <vector>

#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "hub/hub.h"

namespace eventlet::internal {
namespace {

const std::size_t kPage = StackPool::page_size();

TEST(StackPoolTest, RoundsUpToWholePagesAndAtLeastTwo) {
  EXPECT_EQ(StackPool(1).stack_size(), 2 * kPage);
  EXPECT_EQ(StackPool(2 * kPage).stack_size(), 2 * kPage);
  EXPECT_EQ(StackPool(3 * kPage + 1).stack_size(), 4 * kPage);
  EXPECT_EQ(StackPool(5 * kPage).stack_size(), 5 * kPage);
  StackPool pool(3 * kPage + 1);
  Stack s = pool.allocate();
  EXPECT_EQ(s.size, 4 * kPage);
  EXPECT_EQ(reinterpret_cast<std::uintptr_t>(s.low) % kPage, 0u);
  pool.release(s);
}

TEST(StackPoolTest, ReusesReleasedStacks) {
  StackPool pool(16 * 1024);
  Stack a = pool.allocate();
  Stack b = pool.allocate();
  EXPECT_NE(a.low, b.low);
  EXPECT_EQ(pool.in_use(), 2u);
  pool.release(a);
  pool.release(b);
  EXPECT_EQ(pool.in_use(), 0u);
  // Released stacks come back before any fresh one is carved.
  Stack c = pool.allocate();
  Stack d = pool.allocate();
  EXPECT_EQ((std::set<char*>{c.low, d.low}), (std::set<char*>{a.low, b.low}));
  EXPECT_EQ(pool.in_use(), 2u);
  pool.release(c);
  pool.release(d);
}

TEST(StackPoolTest, StacksDoNotOverlapAcrossSlabs) {
  StackPool pool(2 * kPage);
  std::vector<Stack> stacks;
  for (std::size_t i = 0; i < 3 * StackPool::kStacksPerSlab; ++i) {
    stacks.push_back(pool.allocate());
    // Both ends are usable memory.
    stacks.back().low[StackPool::kCanaryBytes] = 1;
    stacks.back().low[stacks.back().size - 1] = 1;
  }
  std::sort(stacks.begin(), stacks.end(),
            [](const Stack& x, const Stack& y) { return x.low < y.low; });
  for (std::size_t i = 1; i < stacks.size(); ++i) {
    // Room for the previous stack and, between them, a guard page.
    EXPECT_GE(stacks[i].low, stacks[i - 1].low + stacks[i - 1].size + kPage);
  }
  for (Stack& s : stacks) {
    s.low[StackPool::kCanaryBytes] = 0;
    pool.release(s);
  }
}

TEST(StackPoolTest, CanaryIntactAfterWritesAboveIt) {
  StackPool pool(4 * kPage);
  Stack s = pool.allocate();
  EXPECT_TRUE(StackPool::canary_intact(s)) << "a fresh stack is zeroed";
  // A greenlet using all but the canary leaves it intact.
  std::memset(s.low + StackPool::kCanaryBytes, 0xAB,
              s.size - StackPool::kCanaryBytes);
  EXPECT_TRUE(StackPool::canary_intact(s));
  // A write anywhere in the canary is seen, at either end of it.
  s.low[StackPool::kCanaryBytes - 1] = 1;
  EXPECT_FALSE(StackPool::canary_intact(s));
  s.low[StackPool::kCanaryBytes - 1] = 0;
  s.low[0] = 1;
  EXPECT_FALSE(StackPool::canary_intact(s));
  s.low[0] = 0;
  EXPECT_TRUE(StackPool::canary_intact(s));
  pool.release(s);
}

TEST(StackPoolTest, StacksBeyondTheHotSetAreGivenBackZeroed) {
  StackPool pool(2 * kPage);
  std::vector<Stack> stacks;
  for (std::size_t i = 0; i < StackPool::kHotStacks + 1; ++i) {
    stacks.push_back(pool.allocate());
    stacks.back().low[stacks.back().size - 1] = 0x5A;  // "used" it
  }
  for (const Stack& s : stacks) pool.release(s);
  EXPECT_EQ(pool.in_use(), 0u);
  // The hot set keeps its pages; the one released past it was madvise()d, so
  // whoever gets it next finds zero pages (and an intact canary).
  EXPECT_EQ(stacks.front().low[stacks.front().size - 1], 0x5A);
  const Stack& cold = stacks.back();
  EXPECT_EQ(cold.low[cold.size - 1], 0);
}

// Resident pages of `s` (mincore).
std::size_t ResidentPages(const Stack& s) {
  std::vector<unsigned char> v(s.size / kPage);
  if (mincore(s.low, s.size, v.data()) != 0) return 0;
  std::size_t n = 0;
  for (unsigned char c : v) n += c & 1;
  return n;
}

TEST(StackPoolTest, TrimKeepsWhatRecentDemandNeeds) {
  StackPool pool(4 * kPage);
  std::vector<Stack> stacks;
  for (int i = 0; i < 300; ++i) {
    stacks.push_back(pool.allocate());
    std::memset(stacks.back().low + StackPool::kCanaryBytes, 1,
                stacks.back().size - StackPool::kCanaryBytes);
  }
  for (const Stack& s : stacks) pool.release(s);
  EXPECT_EQ(pool.hot(), 300u);
  // 300 were allocated since the last trim: all kept.
  EXPECT_EQ(pool.trim(false), 0u);
  EXPECT_EQ(pool.hot(), 300u);
  // A quiet second later: none allocated, down to the minimum.
  EXPECT_EQ(pool.trim(false), 300u - StackPool::kMinHotStacks);
  EXPECT_EQ(pool.hot(), StackPool::kMinHotStacks);
  // The trimmed stacks' pages went back to the OS; the hot ones stayed.
  std::size_t trimmed_resident = 0, hot_resident = 0;
  for (std::size_t i = 0; i < stacks.size(); ++i) {
    // Released in order, the free list is a stack: the first released
    // stay hot, the last released were trimmed.
    (i < StackPool::kMinHotStacks ? hot_resident : trimmed_resident) +=
        ResidentPages(stacks[i]);
  }
  EXPECT_EQ(trimmed_resident, 0u);
  EXPECT_EQ(hot_resident, StackPool::kMinHotStacks * 4);
  // Reused, a trimmed stack is zero pages again.
  std::vector<Stack> again;
  for (int i = 0; i < 300; ++i) again.push_back(pool.allocate());
  EXPECT_EQ(again.back().low[again.back().size - 1], 0);
  for (const Stack& s : again) pool.release(s);
  // Idle: down to the idle minimum at once, whatever the recent demand.
  EXPECT_EQ(pool.trim(true), 300u - StackPool::kIdleHotStacks);
  EXPECT_EQ(pool.hot(), StackPool::kIdleHotStacks);
}

TEST(StackPoolTest, EarlyStacksAreGuarded) {
  StackPool pool(2 * kPage);
  Stack s = pool.allocate();
  EXPECT_TRUE(s.guarded) << "the guard budget is far from used up";
  pool.release(s);
}

// Death tests re-run the test binary, so they work from a thread-safe state.
class StackPoolDeathTest : public ::testing::Test {
 protected:
  void SetUp() override { GTEST_FLAG_SET(death_test_style, "threadsafe"); }
};

TEST_F(StackPoolDeathTest, WritingBelowAGuardedStackCrashes) {
  StackPool pool(4 * kPage);
  Stack s = pool.allocate();
  ASSERT_TRUE(s.guarded);
  volatile char* low = s.low;
  low[0] = 1;  // the stack's own lowest byte is fine
  low[0] = 0;
  EXPECT_DEATH({ low[-1] = 1; }, "");
  EXPECT_DEATH({ low[-static_cast<std::ptrdiff_t>(kPage)] = 1; }, "");
  pool.release(s);
}

// Deep enough to overflow any small stack; not a tail call, and every frame
// keeps a few hundred bytes live.
__attribute__((noinline)) int Recurse(int depth) {
  volatile char pad[256];
  pad[0] = static_cast<char>(depth);
  pad[255] = pad[0];
  if (depth == 0) return pad[255];
  return Recurse(depth - 1) + pad[255];
}

TEST_F(StackPoolDeathTest, GreenthreadOverflowNamesItselfAndItsStackSize) {
  EXPECT_DEATH(
      {
        Hub& hub = Hub::current();
        hub.set_stack_size(16 * 1024);
        hub.start(hub.create_greenlet([] { Recurse(1 << 22); }));
        hub.sleep(absl::ZeroDuration());
      },
      "stack overflow in greenthread [0-9]+ \\(stack size 16384 bytes\\)");
}

}  // namespace
}  // namespace eventlet::internal
