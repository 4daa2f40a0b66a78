// Copyright 2026 The eventlet-cpp Authors.
#include "hub/internal/fiber_context.h"

#include <boost/context/detail/fcontext.hpp>
#include <cstdlib>

#include "hub/internal/sanitizers.h"

#ifdef EVENTLET_ASAN
#include <sanitizer/asan_interface.h>
#include <sanitizer/lsan_interface.h>
#endif
#ifdef EVENTLET_TSAN
#include <sanitizer/tsan_interface.h>
#endif

namespace eventlet::internal {
namespace {

namespace bctx = boost::context::detail;

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

// Runs in `self` right after it got the CPU back from `prev`.
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

[[noreturn]] void first_entry(bctx::transfer_t t) {
  auto* prev = static_cast<FiberContext*>(t.data);
  prev->saved = t.fctx;
  FiberContext* self = prev->switching_to;
  after_switch(nullptr, prev);
  self->entry(self->entry_arg);
  std::abort();  // entry() must leave with exit_context().
}

}  // namespace

void init_thread_context(FiberContext* ctx) {
#ifdef EVENTLET_TSAN
  ctx->tsan_fiber = __tsan_get_current_fiber();
#else
  (void)ctx;
#endif
}

void make_context(FiberContext* ctx, void* stack_low, std::size_t size) {
#ifdef EVENTLET_ASAN
  // A reused stack may still carry poison from frames of an earlier context
  // that never returned (or of an unmapped stack at the same address).
  ASAN_UNPOISON_MEMORY_REGION(stack_low, size);
#endif
  ctx->stack_low = stack_low;
  ctx->stack_size = size;
  ctx->saved = bctx::make_fcontext(static_cast<char*>(stack_low) + size, size,
                                   [](bctx::transfer_t t) { first_entry(t); });
#ifdef EVENTLET_TSAN
  ctx->tsan_fiber = __tsan_create_fiber(0);
#endif
}

void switch_context(FiberContext* from, FiberContext* to) {
  from->switching_to = to;
  before_switch(from, to, /*from_exits=*/false);
  bctx::transfer_t t = bctx::jump_fcontext(to->saved, from);
  auto* prev = static_cast<FiberContext*>(t.data);
  prev->saved = t.fctx;
  after_switch(from, prev);
}

void exit_context(FiberContext* from, FiberContext* to) {
  from->switching_to = to;
  before_switch(from, to, /*from_exits=*/true);
  bctx::jump_fcontext(to->saved, from);
  std::abort();  // Nothing resumes an exited context.
}

void destroy_context(FiberContext* ctx) {
#ifdef EVENTLET_TSAN
  if (ctx->tsan_fiber != nullptr) __tsan_destroy_fiber(ctx->tsan_fiber);
#endif
  ctx->tsan_fiber = nullptr;
  ctx->saved = nullptr;
}

void register_leak_root([[maybe_unused]] const void* p,
                        [[maybe_unused]] std::size_t size) {
#ifdef EVENTLET_ASAN
  __lsan_register_root_region(p, size);
#endif
}

}  // namespace eventlet::internal
