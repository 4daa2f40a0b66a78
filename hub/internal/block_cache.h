// Copyright 2026 The eventlet-cpp Authors.
//
// block_cache.h: a thread-local allocator of small blocks for the objects
// the hub and greenthread/ make and drop at a high rate. Internal: used by
// the hub (CallbackTimer) and greenthread/ (GreenThreadCore) through their
// class operator new and delete, never by users.
#ifndef EVENTLET_HUB_INTERNAL_BLOCK_CACHE_H_
#define EVENTLET_HUB_INTERNAL_BLOCK_CACHE_H_

#include <cstddef>
#include <cstdint>
#include <new>

#include "hub/internal/sanitizers.h"

namespace eventlet::internal {

// Recycles small heap blocks on the calling thread: objects that are made and
// dropped at a high rate (a spawned greenthread's shared state, a callback
// timer) skip malloc and free. Blocks come in 64-byte classes up to 512 bytes;
// each thread keeps at most kMaxPerClass free blocks of a class and frees
// them when it exits. A block may be freed on another thread than the one
// that allocated it (it is ordinary heap memory). Under AddressSanitizer
// nothing is cached, so use-after-free is still caught.
class BlockCache {
 public:
  static constexpr std::size_t kGranule = 64;
  static constexpr std::size_t kClasses = 8;
  static constexpr std::uint32_t kMaxPerClass = 1024;

  static void* allocate(std::size_t size) {
#ifndef EVENTLET_ASAN
    const std::size_t c = (size - 1) / kGranule;
    if (c < kClasses) {
      Lists& l = lists_;
      if (void* p = l.head[c]) {
        l.head[c] = *static_cast<void**>(p);
        --l.count[c];
        return p;
      }
      return ::operator new((c + 1) * kGranule);
    }
#endif
    return ::operator new(size);
  }
  // `size` must be the size allocate() was called with.
  static void deallocate(void* p, std::size_t size) {
#ifndef EVENTLET_ASAN
    const std::size_t c = (size - 1) / kGranule;
    if (c < kClasses) {
      Lists& l = lists_;
      if (l.state == kCaching && l.count[c] < kMaxPerClass) [[likely]] {
        *static_cast<void**>(p) = l.head[c];
        l.head[c] = p;
        ++l.count[c];
      } else {
        deallocate_slow(p, c);
      }
      return;
    }
#endif
    ::operator delete(p, size);
  }

 private:
  enum : std::uint8_t { kUnused, kCaching, kClosed };
  struct Lists {
    void* head[kClasses];
    std::uint32_t count[kClasses];
    std::uint8_t state;
  };
  struct Drain;
  [[gnu::noinline]] static void deallocate_slow(void* p, std::size_t c);
  // Trivially destructible, so usable until the thread's very end; Drain
  // (registered on first use) empties it when the thread exits.
  static constinit thread_local Lists lists_
      __attribute__((tls_model("initial-exec")));
};

}  // namespace eventlet::internal

#endif  // EVENTLET_HUB_INTERNAL_BLOCK_CACHE_H_
