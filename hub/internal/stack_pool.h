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
  // Stacks per slab mapping.
  static constexpr std::size_t kStacksPerSlab = 64;
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
  // trim) free stacks ready (kIdleHotStacks if `idle`: nothing is expected
  // to run); the pages of the others go back to the OS. Returns how many stacks
  // were trimmed. The hub calls it about once a second while it polls, and
  // with `idle` when it waits for I/O with no timer pending.
  std::size_t trim(bool idle);
  // Free stacks whose touched pages are kept.
  std::size_t hot() const { return hot_.size(); }
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

  std::size_t stack_size_;
  std::size_t slot_size_;  // stack + guard page
  std::size_t in_use_ = 0;
  std::size_t allocated_since_trim_ = 0;
  std::uint64_t allocations_ = 0;
  std::vector<Stack> hot_;
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
