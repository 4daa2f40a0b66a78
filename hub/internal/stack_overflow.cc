// Copyright 2026 The eventlet-cpp Authors.
#include "hub/internal/stack_overflow.h"

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>

namespace eventlet::internal {
namespace {

struct sigaction g_previous;
std::atomic<GuardLookup> g_lookup{nullptr};

void write_message(const char* who, std::size_t stack_size) {
  char buf[512];
  int n = std::snprintf(
      buf, sizeof buf,
      "eventlet: stack overflow in %s (stack size %zu bytes); give it "
      "more with Hub::set_stack_size() before spawning\n",
      who, stack_size);
  if (n > 0) {
    [[maybe_unused]] ssize_t rc =
        write(STDERR_FILENO, buf, static_cast<std::size_t>(n));
  }
}

void on_segv(int sig, siginfo_t* info, void* context) {
  if (GuardLookup lookup = g_lookup.load(std::memory_order_acquire)) {
    char who[256];
    std::size_t stack_size = 0;
    if (lookup(info->si_addr, who, sizeof who, &stack_size)) {
      write_message(who, stack_size);
      signal(SIGABRT, SIG_DFL);
      abort();
    }
  }
  // Not ours: hand over to whoever was there before (e.g. a sanitizer).
  if (g_previous.sa_flags & SA_SIGINFO) {
    g_previous.sa_sigaction(sig, info, context);
  } else if (g_previous.sa_handler == SIG_IGN) {
    return;
  } else if (g_previous.sa_handler != SIG_DFL) {
    g_previous.sa_handler(sig);
  } else {
    signal(SIGSEGV, SIG_DFL);  // the faulting instruction re-runs and dies
  }
}

}  // namespace

void set_guard_lookup(GuardLookup lookup) {
  g_lookup.store(lookup, std::memory_order_release);
}

void install_stack_overflow_handler() {
  static std::once_flag once;
  std::call_once(once, [] {
    struct sigaction sa;
    std::memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_segv;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGSEGV, &sa, &g_previous);
  });
  thread_local bool has_alt_stack = false;
  if (has_alt_stack) return;
  stack_t current;
  if (sigaltstack(nullptr, &current) == 0 && !(current.ss_flags & SS_DISABLE)) {
    has_alt_stack = true;  // someone (e.g. a sanitizer) set one already
    return;
  }
  // Owned by the thread for its whole life; freed by the OS at exit.
  static constexpr std::size_t kAltStackSize = 64 * 1024;
  thread_local struct AltStack {
    char* mem = static_cast<char*>(std::malloc(kAltStackSize));
    ~AltStack() {
      stack_t off{};
      off.ss_flags = SS_DISABLE;
      sigaltstack(&off, nullptr);
      std::free(mem);
    }
  } alt;
  stack_t ss{};
  ss.ss_sp = alt.mem;
  ss.ss_size = kAltStackSize;
  if (alt.mem != nullptr && sigaltstack(&ss, nullptr) == 0)
    has_alt_stack = true;
}

void report_stack_overflow(const char* who, std::size_t stack_size) {
  write_message(who, stack_size);
  std::abort();
}

}  // namespace eventlet::internal
