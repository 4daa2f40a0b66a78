// Copyright 2026 The eventlet-cpp Authors.
//
// fiber_context.h: the raw machine-context switch under every greenlet.
//
// The switch is the hot path: switch_context() is inlined into whoever
// parks (Hub::park_finish), because an out-of-line call there costs a
// mispredicted return on every switch (docs/PERFORMANCE.md,
// BM_RawFiberSwitchDepth). It calls Boost.Context's assembly entry point
// jump_fcontext directly, through the declaration below rather than Boost's
// header, so that the many files that include hub/hub.h (through
// hub/greenlet.h) do not see Boost. fiber_context.cc includes Boost's
// header, checks at compile time that this declaration matches Boost's, and
// keeps make_context() and exit_context(). A FiberContext is a saved register
// set plus the bookkeeping the sanitizers need to follow a stack switch
// (ASan's fake stacks, TSan's fibers).
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

#include "hub/internal/sanitizers.h"

#ifdef EVENTLET_ASAN
#include <sanitizer/asan_interface.h>
#endif
#ifdef EVENTLET_TSAN
#include <sanitizer/tsan_interface.h>
#endif

namespace eventlet::internal {

// Boost.Context's jump_fcontext (boost/context/detail/fcontext.hpp, in
// libboost_context since Boost 1.61): saves the running context on its stack,
// resumes `to`, and returns when something jumps back, with the context that
// jumped and the pointer it passed. Declared under another C++ name, bound to
// the symbol by an asm label, so that a file including both this header and
// Boost's (fiber_context.cc, the benchmarks) holds two declarations of one
// symbol, not two conflicting ones of one C function.
namespace fcontext {
struct Transfer {
  void* fctx;  // the context that jumped here (Boost's fcontext_t)
  void* data;  // what it passed
};
#define EVENTLET_FCONTEXT_STR2(x) #x
#define EVENTLET_FCONTEXT_STR(x) EVENTLET_FCONTEXT_STR2(x)
Transfer jump(void* to, void* data) __asm__(
    EVENTLET_FCONTEXT_STR(__USER_LABEL_PREFIX__) "jump_fcontext");
#undef EVENTLET_FCONTEXT_STR
#undef EVENTLET_FCONTEXT_STR2
}  // namespace fcontext

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
  // The C++ runtime's exception state is per OS thread (the Itanium ABI's
  // __cxa_eh_globals: the exceptions being handled, which
  // std::current_exception() and `throw;` use, and the count of exceptions in
  // flight, std::uncaught_exceptions()). Each context keeps its own copy:
  // switch_context() saves the running context's and installs the target's,
  // so a greenthread parked inside a catch block neither leaks its exception
  // into the others nor has its handler list corrupted by them.
  struct ExceptionState {
    void* caught = nullptr;
    unsigned int uncaught = 0;
  };
  ExceptionState exception_state;
  // The thread's live state (set by init_thread_context / make_context).
  ExceptionState* thread_exception_state = nullptr;
};

// The calling thread's live exception state (__cxa_get_globals()).
FiberContext::ExceptionState* thread_exception_state();

// Describes the calling OS thread's own (original) context, so other contexts
// can switch back to it.
void init_thread_context(FiberContext* ctx);

// Prepares `ctx` to run ctx->entry(ctx->entry_arg) on [stack_low,
// stack_low+size) when it is first switched to. `entry` and `entry_arg` must be
// set before the first switch.
void make_context(FiberContext* ctx, void* stack_low, std::size_t size);

// Tells the sanitizers that `from` is about to give the CPU to `to`.
// `from_exits` means `from` will never run again.
inline void before_switch([[maybe_unused]] FiberContext* from,
                          [[maybe_unused]] FiberContext* to,
                          [[maybe_unused]] bool from_exits) {
#ifdef EVENTLET_ASAN
  __sanitizer_start_switch_fiber(from_exits ? nullptr : &from->asan_fake_stack,
                                 to->stack_low, to->stack_size);
#endif
#ifdef EVENTLET_TSAN
  __tsan_switch_to_fiber(to->tsan_fiber, 0);
#endif
}

// Runs in `self` (null: a context's first entry) right after it got the CPU
// back from `prev`.
inline void after_switch([[maybe_unused]] FiberContext* self,
                         [[maybe_unused]] FiberContext* prev) {
#ifdef EVENTLET_ASAN
  const void* prev_low = nullptr;
  std::size_t prev_size = 0;
  __sanitizer_finish_switch_fiber(self ? self->asan_fake_stack : nullptr,
                                  &prev_low, &prev_size);
  if (prev->stack_low == nullptr) {  // A thread's original stack.
    prev->stack_low = prev_low;
    prev->stack_size = prev_size;
  }
#endif
}

// Suspends `from` (the running context) and resumes `to`. Returns when some
// context switches back to `from`.
inline void switch_context(FiberContext* from, FiberContext* to) {
  FiberContext::ExceptionState* live = from->thread_exception_state;
  from->exception_state = *live;
  *live = to->exception_state;
  from->switching_to = to;
  before_switch(from, to, /*from_exits=*/false);
  const fcontext::Transfer t = fcontext::jump(to->saved, from);
  auto* prev = static_cast<FiberContext*>(t.data);
  prev->saved = t.fctx;
  after_switch(from, prev);
}

// Leaves `from` for good and resumes `to`. `from`'s stack may be reused once
// `to` (or anything after it) has called destroy_context(from).
[[noreturn]] void exit_context(FiberContext* from, FiberContext* to);

// Releases sanitizer state of a context that has exited.
void destroy_context(FiberContext* ctx);

}  // namespace eventlet::internal

#endif  // EVENTLET_HUB_INTERNAL_FIBER_CONTEXT_H_
