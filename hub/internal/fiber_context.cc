// Copyright 2026 The eventlet-cpp Authors.
#include "hub/internal/fiber_context.h"

#include <cxxabi.h>

#include <boost/context/detail/fcontext.hpp>
#include <cstddef>
#include <cstdlib>
#include <type_traits>

#ifdef EVENTLET_ASAN
#include <sanitizer/lsan_interface.h>
#endif

namespace eventlet::internal {
namespace {

namespace bctx = boost::context::detail;

// fcontext::jump (fiber_context.h) is Boost's jump_fcontext: same parameters,
// and a result of the same layout.
static_assert(std::is_same_v<decltype(&bctx::jump_fcontext),
                             bctx::transfer_t (*)(bctx::fcontext_t, void*)>);
static_assert(std::is_same_v<bctx::fcontext_t, void*>);
static_assert(std::is_same_v<decltype(bctx::transfer_t::fctx), void*> &&
              std::is_same_v<decltype(bctx::transfer_t::data), void*>);
static_assert(std::is_standard_layout_v<bctx::transfer_t> &&
              sizeof(bctx::transfer_t) == sizeof(fcontext::Transfer) &&
              offsetof(bctx::transfer_t, fctx) ==
                  offsetof(fcontext::Transfer, fctx) &&
              offsetof(bctx::transfer_t, data) ==
                  offsetof(fcontext::Transfer, data));

[[noreturn]] void first_entry(bctx::transfer_t t) {
  auto* prev = static_cast<FiberContext*>(t.data);
  prev->saved = t.fctx;
  FiberContext* self = prev->switching_to;
  after_switch(nullptr, prev);
  self->entry(self->entry_arg);
  std::abort();  // entry() must leave with exit_context().
}

}  // namespace

// The Itanium C++ ABI fixes __cxa_eh_globals' layout (a pointer to the
// innermost caught exception, then the uncaught count), and both libstdc++
// and libc++ follow it; <cxxabi.h> only declares the struct.
static_assert(sizeof(FiberContext::ExceptionState) == 2 * sizeof(void*));

FiberContext::ExceptionState* thread_exception_state() {
  return reinterpret_cast<FiberContext::ExceptionState*>(
      abi::__cxa_get_globals());
}

void init_thread_context(FiberContext* ctx) {
  ctx->thread_exception_state = thread_exception_state();
#ifdef EVENTLET_TSAN
  ctx->tsan_fiber = __tsan_get_current_fiber();
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
  ctx->exception_state = {};  // a fresh context handles no exception
  ctx->thread_exception_state = thread_exception_state();
  ctx->saved = bctx::make_fcontext(static_cast<char*>(stack_low) + size, size,
                                   [](bctx::transfer_t t) { first_entry(t); });
#ifdef EVENTLET_TSAN
  ctx->tsan_fiber = __tsan_create_fiber(0);
#endif
}

void exit_context(FiberContext* from, FiberContext* to) {
  *from->thread_exception_state = to->exception_state;
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
