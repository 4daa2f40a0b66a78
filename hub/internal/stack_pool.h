// Copyright 2026 The eventlet-cpp Authors.
//
// stack_pool.h: where greenlet stacks come from.
//
// Stacks are carved from large anonymous mappings ("slabs") so that a million
// greenlets do not need a million mappings. Memory is reserved, not committed:
// a stack costs resident memory only for the pages it touches. A freed stack is
// kept for reuse; beyond `kHotStacks` free stacks, the pages of the extra ones
// are given back to the OS (madvise) while the address range stays reserved.
// trim() gives back the pages of free stacks that recent demand does not
// need, so that a burst of greenthreads (e.g. 1,000 connections) does not
// keep its touched stack pages resident once it is over.
//
// Slabs grow: the first holds kFirstSlabStacks stacks and each next one twice
// as many as the one before, up to kMaxSlabStacks, so that a million stacks
// take a few hundred mmap calls, not tens of thousands.
//
// Bulk commit: a burst (kCommitBatch or more stacks allocated since the last
// trim) that takes fresh stacks has the top page of the next kCommitBatch of
// them committed with one system call, process_madvise(MADV_POPULATE_WRITE)
// on the calling thread (Linux 6.14+: PIDFD_SELF), instead of one page fault
// each when the greenlet's control block is written there. Where the kernel
// refuses (older kernels, seccomp), the pool stops trying and pages fault in
// on demand as before. Stacks committed ahead and not yet handed out count as
// free stacks with kept pages: trim(idle) gives them back.
//
// Guard pages: each stack gets a PROT_NONE page below it while the process's
// budget of memory mappings allows (every guard splits a mapping in two and
// Linux caps mappings at vm.max_map_count, 65530 by default). Stacks beyond
// that budget are unguarded; every stack also carries a canary word at its low
// end that the hub checks when a greenlet switches out, so an overflow is
// reported either way (by the SIGSEGV handler for guarded stacks).
//
// Thread-safety: a StackPool belongs to one hub and one OS thread.
// Errors: allocate() throws std::bad_alloc when the OS refuses memory.
#ifndef EVENTLET_HUB_INTERNAL_STACK_POOL_H_
#define EVENTLET_HUB_INTERNAL_STACK_POOL_H_

#include <cstddef>
#include <cstdint>
#include <vector>

namespace eventlet::internal {

struct Stack {
  // Usable memory is [low, low + size). The guard page, if any, is just below.
  char* low = nullptr;
  std::size_t size = 0;
  bool guarded = false;
};

class StackPool {
 public:
  // Free stacks kept ready (touched pages kept) for fast reuse.
  static constexpr std::size_t kHotStacks = 16384;
  // Stacks in the first slab mapping, and the most in any slab.
  static constexpr std::size_t kFirstSlabStacks = 64;
  static constexpr std::size_t kMaxSlabStacks = 4096;
  // Fresh stacks whose top pages one bulk commit covers.
  static constexpr std::size_t kCommitBatch = 64;
  // Bytes at the low end of a stack that a healthy greenlet never writes.
  static constexpr std::size_t kCanaryBytes = 64;

  // `stack_size` is rounded up to whole pages; at least two pages.
  explicit StackPool(std::size_t stack_size);
  ~StackPool();
  StackPool(const StackPool&) = delete;
  StackPool& operator=(const StackPool&) = delete;

  Stack allocate();
  void release(Stack stack);
  // Keeps at most max(kMinHotStacks, stacks allocated since the previous
  // trim) free stacks ready — with `idle` (little is expected to run),
  // max(kIdleHotStacks, `recent`): what the caller's last pass needed —
  // and gives the pages of the others back to the OS. Returns how many
  // stacks were trimmed. With `idle` and no `recent` demand, the top pages
  // of stacks committed ahead go back too (not counted in the result). The
  // hub calls it about once a second while it polls, and with `idle` when it
  // is about to wait long (no timer due within a second).
  std::size_t trim(bool idle, std::size_t recent = 0);
  // Free stacks whose touched pages are kept.
  std::size_t hot() const { return hot_.size(); }
  // Fresh stacks whose top page is committed, next in line after the hot ones.
  std::size_t committed_ahead() const { return ahead_.size(); }
  // Bulk commits this pool made (each covering up to kCommitBatch stacks).
  std::uint64_t bulk_commits() const { return bulk_commits_; }
  // False once the kernel has refused a bulk commit (then no pool tries again).
  static bool bulk_commit_available();
  // Slab mappings made.
  std::size_t slabs() const { return slabs_.size(); }
  // Stacks handed out since the pool was made.
  std::uint64_t allocations() const { return allocations_; }
  static constexpr std::size_t kMinHotStacks = 64;
  static constexpr std::size_t kIdleHotStacks = 16;

  std::size_t stack_size() const { return stack_size_; }
  // Stacks handed out and not yet released.
  std::size_t in_use() const { return in_use_; }

  // True if the low kCanaryBytes of `stack` are still zero.
  static bool canary_intact(const Stack& stack);
  static std::size_t page_size();

 private:
  void add_slab();
  // Moves up to kCommitBatch stacks from the back of cold_ to ahead_ and
  // commits their top pages in one system call.
  void commit_ahead();
  // Gives the top pages of ahead_'s stacks back; they return to cold_.
  void uncommit_ahead();

  std::size_t stack_size_;
  std::size_t slot_size_;  // stack + guard page
  std::size_t in_use_ = 0;
  std::size_t allocated_since_trim_ = 0;
  std::uint64_t allocations_ = 0;
  std::uint64_t bulk_commits_ = 0;
  std::vector<Stack> hot_;
  std::vector<Stack> ahead_;  // popped from the back, before cold_
  std::vector<Stack> cold_;
  struct Slab {
    char* base;
    std::size_t bytes;
    int guards;
  };
  std::vector<Slab> slabs_;
};

}  // namespace eventlet::internal

#endif  // EVENTLET_HUB_INTERNAL_STACK_POOL_H_
