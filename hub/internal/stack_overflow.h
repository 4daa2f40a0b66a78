// Copyright 2026 The eventlet-cpp Authors.
//
// stack_overflow.h: turning a greenlet stack overflow into a clear message.
//
// A guarded stack overflows into its PROT_NONE guard page and faults. The
// SIGSEGV handler (on an alternate signal stack, installed per thread) asks the
// current hub whether the fault address is in the running greenlet's guard
// page; if so it prints which greenlet overflowed and its stack size, then
// aborts. Any other fault goes to the previously installed handler (or the
// default action). Unguarded stacks are checked by the hub and reported
// through report_stack_overflow().
#ifndef EVENTLET_HUB_INTERNAL_STACK_OVERFLOW_H_
#define EVENTLET_HUB_INTERNAL_STACK_OVERFLOW_H_

#include <cstddef>

namespace eventlet::internal {

// Installs the SIGSEGV handler (once per process) and an alternate signal
// stack for the calling thread (once per thread). Idempotent.
void install_stack_overflow_handler();

// Prints "eventlet: stack overflow in <who> (stack size N bytes) ..." to
// stderr and aborts.
[[noreturn]] void report_stack_overflow(const char* who,
                                        std::size_t stack_size);

// Set by the hub: returns true and fills `who`/`stack_size` if `addr` lies in
// the guard page of the greenlet running on this thread.
using GuardLookup = bool (*)(const void* addr, char* who, std::size_t who_size,
                             std::size_t* stack_size);
void set_guard_lookup(GuardLookup lookup);

}  // namespace eventlet::internal

#endif  // EVENTLET_HUB_INTERNAL_STACK_OVERFLOW_H_
