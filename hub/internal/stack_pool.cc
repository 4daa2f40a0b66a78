// Copyright 2026 The eventlet-cpp Authors.
#include "hub/internal/stack_pool.h"

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <new>

namespace eventlet::internal {
namespace {

// How many guard pages the whole process may create. Each guard turns one
// mapping into up to three; keep well inside vm.max_map_count so the rest of
// the program (malloc arenas, libraries, other threads' hubs) has room.
long guard_budget() {
  static const long budget = [] {
    long max_maps = 65530;
    if (std::FILE* f = std::fopen("/proc/sys/vm/max_map_count", "r")) {
      if (std::fscanf(f, "%ld", &max_maps) != 1) max_maps = 65530;
      std::fclose(f);
    }
    return max_maps / 4;
  }();
  return budget;
}

std::atomic<long> g_guards_in_use{0};

bool take_guard() {
  long n = g_guards_in_use.fetch_add(1, std::memory_order_relaxed);
  if (n < guard_budget()) return true;
  g_guards_in_use.fetch_sub(1, std::memory_order_relaxed);
  return false;
}

}  // namespace

std::size_t StackPool::page_size() {
  static const std::size_t size =
      static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
  return size;
}

StackPool::StackPool(std::size_t stack_size) {
  const std::size_t page = page_size();
  if (stack_size < 2 * page) stack_size = 2 * page;
  stack_size_ = (stack_size + page - 1) / page * page;
  slot_size_ = stack_size_ + page;
}

StackPool::~StackPool() {
  for (const Slab& slab : slabs_) {
    munmap(slab.base, slab.bytes);
    g_guards_in_use.fetch_sub(slab.guards, std::memory_order_relaxed);
  }
}

void StackPool::add_slab() {
  const std::size_t bytes = slot_size_ * kStacksPerSlab;
  void* mem = mmap(nullptr, bytes, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (mem == MAP_FAILED) throw std::bad_alloc();
  char* base = static_cast<char*>(mem);
  Slab slab{base, bytes, 0};
  // Hand out the slab's stacks lowest-address-last, so allocate() (which pops
  // from the back) walks the slab upwards.
  for (std::size_t i = kStacksPerSlab; i-- > 0;) {
    char* slot = base + i * slot_size_;
    bool guarded = take_guard();
    if (guarded && mprotect(slot, page_size(), PROT_NONE) != 0) {
      g_guards_in_use.fetch_sub(1, std::memory_order_relaxed);
      guarded = false;
    }
    if (guarded) ++slab.guards;
    cold_.push_back(Stack{slot + page_size(), stack_size_, guarded});
  }
  slabs_.push_back(slab);
}

Stack StackPool::allocate() {
  Stack stack;
  if (!hot_.empty()) {
    stack = hot_.back();
    hot_.pop_back();
  } else {
    if (cold_.empty()) add_slab();
    stack = cold_.back();
    cold_.pop_back();
  }
  ++in_use_;
  ++allocated_since_trim_;
  ++allocations_;
  return stack;
}

std::size_t StackPool::trim(bool idle) {
  const std::size_t keep =
      idle ? kIdleHotStacks : std::max(kMinHotStacks, allocated_since_trim_);
  allocated_since_trim_ = 0;
  std::size_t trimmed = 0;
  while (hot_.size() > keep) {
    const Stack stack = hot_.back();
    hot_.pop_back();
    madvise(stack.low, stack.size, MADV_DONTNEED);
    cold_.push_back(stack);
    ++trimmed;
  }
  return trimmed;
}

bool StackPool::canary_intact(const Stack& stack) {
  const auto* words = reinterpret_cast<const std::uint64_t*>(stack.low);
  std::uint64_t bits = 0;
  for (std::size_t i = 0; i < kCanaryBytes / sizeof(std::uint64_t); ++i) {
    bits |= words[i];
  }
  return bits == 0;
}

void StackPool::release(Stack stack) {
  --in_use_;
  if (hot_.size() < kHotStacks) {
    hot_.push_back(stack);
    return;
  }
  // Give the touched pages back; the next user finds zero pages again.
  madvise(stack.low, stack.size, MADV_DONTNEED);
  cold_.push_back(stack);
}

}  // namespace eventlet::internal
