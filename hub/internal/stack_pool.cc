// Copyright 2026 The eventlet-cpp Authors.
#include "hub/internal/stack_pool.h"

#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
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

// Cleared for good the first time the kernel refuses a bulk commit.
std::atomic<bool> g_bulk_commit{true};

// Commits (faults in, writable) the top page of each of `stacks` with one
// system call. Returns false if it failed (errno says why).
bool populate_top_pages(const Stack* stacks, std::size_t n) {
#if defined(__linux__) && defined(SYS_process_madvise)
  // Linux 6.14's PIDFD_SELF_THREAD: the calling thread, whose memory is the
  // process's (since 6.13 process_madvise takes any advice for oneself).
  constexpr int kPidfdSelf = -10000;
  constexpr int kPopulateWrite = 23;  // MADV_POPULATE_WRITE, Linux 5.14
  iovec pages[StackPool::kCommitBatch];
  const std::size_t page = StackPool::page_size();
  for (std::size_t i = 0; i < n; ++i) {
    pages[i].iov_base = stacks[i].low + stacks[i].size - page;
    pages[i].iov_len = page;
  }
  // Short counts (memory ran out part way) leave the rest to fault on demand.
  return syscall(SYS_process_madvise, kPidfdSelf, pages, n, kPopulateWrite,
                 0) >= 0;
#else
  (void)stacks;
  (void)n;
  return false;
#endif
}

}  // namespace

bool StackPool::bulk_commit_available() {
  return g_bulk_commit.load(std::memory_order_relaxed);
}

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
  const std::size_t stacks =
      std::min(kMaxSlabStacks,
               kFirstSlabStacks << std::min<std::size_t>(slabs_.size(), 31));
  const std::size_t bytes = slot_size_ * stacks;
  void* mem = mmap(nullptr, bytes, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (mem == MAP_FAILED) throw std::bad_alloc();
  char* base = static_cast<char*>(mem);
  Slab slab{base, bytes, 0};
  // Hand out the slab's stacks lowest-address-last, so allocate() (which pops
  // from the back) walks the slab upwards.
  for (std::size_t i = stacks; i-- > 0;) {
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

void StackPool::commit_ahead() {
  const std::size_t n = std::min(kCommitBatch, cold_.size());
  ahead_.assign(cold_.end() - static_cast<std::ptrdiff_t>(n), cold_.end());
  cold_.resize(cold_.size() - n);
  if (populate_top_pages(ahead_.data(), n)) {
    ++bulk_commits_;
  } else if (errno == EINVAL || errno == ENOSYS || errno == EPERM ||
             errno == EBADF) {
    // The kernel (or a seccomp filter) refuses; memory running out (ENOMEM)
    // only means those pages fault in on demand this time.
    g_bulk_commit.store(false, std::memory_order_relaxed);
  }
}

void StackPool::uncommit_ahead() {
  const std::size_t page = page_size();
  for (const Stack& stack : ahead_) {
    madvise(stack.low + stack.size - page, page, MADV_DONTNEED);
  }
  cold_.insert(cold_.end(), ahead_.begin(), ahead_.end());
  ahead_.clear();
}

Stack StackPool::allocate() {
  Stack stack;
  if (!hot_.empty()) {
    stack = hot_.back();
    hot_.pop_back();
  } else {
    if (ahead_.empty()) {
      if (cold_.empty()) add_slab();
      if (allocated_since_trim_ >= kCommitBatch && bulk_commit_available()) {
        commit_ahead();
      }
    }
    std::vector<Stack>& from = ahead_.empty() ? cold_ : ahead_;
    stack = from.back();
    from.pop_back();
  }
  ++in_use_;
  ++allocated_since_trim_;
  ++allocations_;
  return stack;
}

std::size_t StackPool::trim(bool idle, std::size_t recent) {
  const std::size_t keep = idle
                               ? std::max(kIdleHotStacks, recent)
                               : std::max(kMinHotStacks, allocated_since_trim_);
  allocated_since_trim_ = 0;
  if (idle && recent == 0 && !ahead_.empty()) uncommit_ahead();
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
