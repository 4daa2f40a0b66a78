// Copyright 2026 The eventlet-cpp Authors.
//
// sanitizers.h: which sanitizer this translation unit is built with
// (EVENTLET_ASAN, EVENTLET_TSAN), for the few places that must tell the
// sanitizers about stack switches and about memory only greenlet stacks
// reference.
#ifndef EVENTLET_HUB_INTERNAL_SANITIZERS_H_
#define EVENTLET_HUB_INTERNAL_SANITIZERS_H_

#include <cstddef>

#if defined(__SANITIZE_ADDRESS__)
#define EVENTLET_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define EVENTLET_ASAN 1
#endif
#endif

#if defined(__SANITIZE_THREAD__)
#define EVENTLET_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define EVENTLET_TSAN 1
#endif
#endif

namespace eventlet::internal {

// Tells LeakSanitizer that [p, p+size) holds live pointers (an abandoned
// greenlet's stack). No-op without ASan.
void register_leak_root(const void* p, std::size_t size);

}  // namespace eventlet::internal

#endif  // EVENTLET_HUB_INTERNAL_SANITIZERS_H_
