// Copyright 2026 The eventlet-cpp Authors.
//
// StackPool: reuse, page rounding, slab growth, bulk commit (and its
// fallback), guard pages, the canary; and the message a real greenthread
// prints when it overflows its stack.
#include "hub/internal/stack_pool.h"

#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iterator>
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

TEST(StackPoolTest, SlabsDoubleUpToTheMaximum) {
  StackPool pool(2 * kPage);
  std::vector<Stack> stacks;
  std::size_t carved = 0;
  for (std::size_t slab = 0; slab < 9; ++slab) {
    carved += std::min(StackPool::kMaxSlabStacks,
                       StackPool::kFirstSlabStacks << slab);
  }
  // 64 + 128 + ... + 4096 + 4096 stacks fill nine slabs; one more needs a tenth.
  while (stacks.size() < carved) stacks.push_back(pool.allocate());
  EXPECT_EQ(pool.slabs(), 9u);
  stacks.push_back(pool.allocate());
  EXPECT_EQ(pool.slabs(), 10u);
  for (const Stack& s : stacks) pool.release(s);
}

TEST(StackPoolTest, StacksDoNotOverlapAcrossSlabs) {
  StackPool pool(2 * kPage);
  std::vector<Stack> stacks;
  while (pool.slabs() < 3 || stacks.size() < 7 * StackPool::kFirstSlabStacks) {
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
  // About to wait long, the caller's last pass having taken 100: those stay.
  EXPECT_EQ(pool.trim(true, 100), 200u);
  EXPECT_EQ(pool.hot(), 100u);
  // Idle: down to the idle minimum at once, whatever the recent demand.
  EXPECT_EQ(pool.trim(true), 100u - StackPool::kIdleHotStacks);
  EXPECT_EQ(pool.hot(), StackPool::kIdleHotStacks);
}

bool TopPageResident(const Stack& s) {
  unsigned char v = 0;
  return mincore(s.low + s.size - kPage, kPage, &v) == 0 && (v & 1) != 0;
}

TEST(StackPoolTest, ABurstCommitsTheTopPagesOfTheNextFreshStacksInBulk) {
  StackPool pool(4 * kPage);
  std::vector<Stack> stacks;
  // A few stacks are no burst: their pages fault in when touched.
  for (std::size_t i = 0; i < StackPool::kCommitBatch; ++i) {
    stacks.push_back(pool.allocate());
    EXPECT_FALSE(TopPageResident(stacks.back()));
  }
  EXPECT_EQ(pool.bulk_commits(), 0u);
  EXPECT_EQ(pool.committed_ahead(), 0u);
  // The next fresh stack commits its own top page and those of the
  // kCommitBatch - 1 fresh stacks after it, in one system call.
  stacks.push_back(pool.allocate());
  if (!StackPool::bulk_commit_available()) {
    GTEST_SKIP() << "this kernel refuses process_madvise(MADV_POPULATE_WRITE)";
  }
  EXPECT_EQ(pool.bulk_commits(), 1u);
  EXPECT_EQ(pool.committed_ahead(), StackPool::kCommitBatch - 1);
  EXPECT_TRUE(TopPageResident(stacks.back()));
  for (std::size_t i = 1; i < StackPool::kCommitBatch; ++i) {
    stacks.push_back(pool.allocate());
    const Stack& s = stacks.back();
    EXPECT_TRUE(TopPageResident(s)) << i;
    // Only the top page: the rest of the stack is still reserved only.
    Stack below = s;
    below.size -= kPage;
    EXPECT_FALSE(TopPageResident(below)) << i;
    EXPECT_TRUE(StackPool::canary_intact(s));
    EXPECT_EQ(s.low[s.size - 1], 0) << "committed pages are zero";
  }
  EXPECT_EQ(pool.committed_ahead(), 0u);
  // Used up: the next fresh stack commits the next batch.
  stacks.push_back(pool.allocate());
  EXPECT_EQ(pool.bulk_commits(), 2u);
  EXPECT_EQ(pool.committed_ahead(), StackPool::kCommitBatch - 1);
  for (const Stack& s : stacks) pool.release(s);
}

TEST(StackPoolTest, IdleTrimGivesBackTheTopPagesCommittedAhead) {
  StackPool pool(4 * kPage);
  std::vector<Stack> stacks;
  for (std::size_t i = 0; i <= StackPool::kCommitBatch; ++i) {
    stacks.push_back(pool.allocate());
  }
  if (!StackPool::bulk_commit_available()) {
    GTEST_SKIP() << "this kernel refuses process_madvise(MADV_POPULATE_WRITE)";
  }
  ASSERT_EQ(pool.committed_ahead(), StackPool::kCommitBatch - 1);
  // Not idle: a burst may still need them.
  pool.trim(false);
  EXPECT_EQ(pool.committed_ahead(), StackPool::kCommitBatch - 1);
  pool.trim(true);
  EXPECT_EQ(pool.committed_ahead(), 0u);
  // The same stacks come next, their pages given back (and fewer than a
  // batch since the trim commits nothing).
  for (std::size_t i = 1; i < StackPool::kCommitBatch; ++i) {
    stacks.push_back(pool.allocate());
    EXPECT_FALSE(TopPageResident(stacks.back())) << i;
  }
  EXPECT_EQ(pool.bulk_commits(), 1u);
  for (const Stack& s : stacks) pool.release(s);
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

// Makes process_madvise fail with EINVAL in this process, as on kernels before
// 6.13 (or ENOSYS before 5.10, or EPERM under a container's seccomp profile).
bool RefuseProcessMadvise() {
  sock_filter filter[] = {
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr)),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_process_madvise, 0, 1),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EINVAL),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
  };
  sock_fprog program{static_cast<unsigned short>(std::size(filter)), filter};
  return prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0 &&
         prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &program) == 0;
}

// In a child process whose kernel refuses bulk commits: a burst of stacks
// still works, each top page faulting in when written.
void BurstWithoutBulkCommit() {
  if (!RefuseProcessMadvise()) {
    std::fprintf(stderr, "could not install the seccomp filter\n");
    std::_Exit(2);
  }
  StackPool pool(4 * kPage);
  std::vector<Stack> stacks;
  for (std::size_t i = 0; i < 4 * StackPool::kCommitBatch; ++i) {
    stacks.push_back(pool.allocate());
    Stack& s = stacks.back();
    if (TopPageResident(s) || s.low[s.size - 1] != 0) std::_Exit(3);
    s.low[s.size - 1] = 1;
    if (!TopPageResident(s)) std::_Exit(4);
  }
  if (StackPool::bulk_commit_available() || pool.bulk_commits() != 0 ||
      pool.committed_ahead() != 0) {
    std::_Exit(5);
  }
  std::fprintf(stderr, "fell back to faults\n");
  std::_Exit(0);
}

TEST_F(StackPoolDeathTest, WithoutBulkCommitPagesFaultInOnDemand) {
  EXPECT_EXIT(BurstWithoutBulkCommit(), ::testing::ExitedWithCode(0),
              "fell back to faults");
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
