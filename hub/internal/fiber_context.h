// Copyright 2026 The eventlet-cpp Authors.
//
// fiber_context.h: the raw machine-context switch under every greenlet.
//
// This is the only header of eventlet-cpp that stands between our code and
// Boost.Context, and fiber_context.cc is the only file that includes
// Boost.Context. A FiberContext is a saved register set plus the bookkeeping
// the sanitizers need to follow a stack switch (ASan's fake stacks, TSan's
// fibers).
//
// Contracts:
//  * A FiberContext does not own its stack; StackPool does.
//  * switch_context() must be called by the context that is running, `from`.
//  * A context that finished for good leaves with exit_context(); whoever it
//    switched to then calls destroy_context() on it before its stack is reused.
//  * None of these functions throw. They are not thread-safe: a context runs on
//    the OS thread that created it, and only there.
#ifndef EVENTLET_HUB_INTERNAL_FIBER_CONTEXT_H_
#define EVENTLET_HUB_INTERNAL_FIBER_CONTEXT_H_

#include <cstddef>

namespace eventlet::internal {

struct FiberContext {
  // Saved machine context while suspended (a boost fcontext_t).
  void* saved = nullptr;
  // Set by the switcher just before it jumps; read by a context's first entry.
  FiberContext* switching_to = nullptr;
  // What a fresh context runs first: entry(entry_arg). It must never return;
  // it leaves with exit_context().
  void (*entry)(void* arg) = nullptr;
  void* entry_arg = nullptr;
  // Stack bounds (lowest address, size), for the sanitizers and debug dumps.
  // For a thread's original context they are learnt on its first switch.
  const void* stack_low = nullptr;
  std::size_t stack_size = 0;
  // Sanitizer state; unused in normal builds.
  void* asan_fake_stack = nullptr;
  void* tsan_fiber = nullptr;
};

// Describes the calling OS thread's own (original) context, so other contexts
// can switch back to it.
void init_thread_context(FiberContext* ctx);

// Prepares `ctx` to run ctx->entry(ctx->entry_arg) on [stack_low,
// stack_low+size) when it is first switched to. `entry` and `entry_arg` must be
// set before the first switch.
void make_context(FiberContext* ctx, void* stack_low, std::size_t size);

// Suspends `from` (the running context) and resumes `to`. Returns when some
// context switches back to `from`.
void switch_context(FiberContext* from, FiberContext* to);

// Leaves `from` for good and resumes `to`. `from`'s stack may be reused once
// `to` (or anything after it) has called destroy_context(from).
[[noreturn]] void exit_context(FiberContext* from, FiberContext* to);

// Releases sanitizer state of a context that has exited.
void destroy_context(FiberContext* ctx);

}  // namespace eventlet::internal

#endif  // EVENTLET_HUB_INTERNAL_FIBER_CONTEXT_H_
