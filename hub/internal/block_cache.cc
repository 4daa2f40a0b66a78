// Copyright 2026 The eventlet-cpp Authors.
#include "hub/internal/block_cache.h"

namespace eventlet::internal {

constinit thread_local BlockCache::Lists BlockCache::lists_ = {};

struct BlockCache::Drain {
  ~Drain() {
    Lists& l = lists_;
    l.state = kClosed;
    for (std::size_t c = 0; c < kClasses; ++c) {
      while (void* p = l.head[c]) {
        l.head[c] = *static_cast<void**>(p);
        ::operator delete(p, (c + 1) * kGranule);
      }
      l.count[c] = 0;
    }
  }
};

void BlockCache::deallocate_slow(void* p, std::size_t c) {
  Lists& l = lists_;
  if (l.state == kUnused) {
    static thread_local Drain drain;  // empties the lists at thread exit
    (void)drain;
    l.state = kCaching;
  }
  if (l.state == kCaching && l.count[c] < kMaxPerClass) {
    *static_cast<void**>(p) = l.head[c];
    l.head[c] = p;
    ++l.count[c];
    return;
  }
  ::operator delete(p, (c + 1) * kGranule);
}

}  // namespace eventlet::internal
