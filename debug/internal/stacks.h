// Copyright 2026 The eventlet-cpp Authors.
//
// stacks.h: capture (raw program counters) and symbolize + trim stacks, for
// debug/. Internal.
#ifndef EVENTLET_DEBUG_INTERNAL_STACKS_H_
#define EVENTLET_DEBUG_INTERNAL_STACKS_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace eventlet::debug::internal {

// A captured stack: program counters, innermost first. Fixed size, so a
// capture allocates nothing (capture itself is async-signal-safe).
struct Trace {
  static constexpr int kMaxFrames = 40;
  int depth = 0;
  std::int64_t creator = 0;  // id of the greenlet that was running
  void* pcs[kMaxFrames];
};

// Captures the caller's stack; `skip` more frames are dropped (capture()
// itself is never included). noinline so that the count is reliable.
[[gnu::noinline]] void capture(Trace& trace, int skip);

// A mangled C++ symbol ("_ZN8eventlet...") demangled; anything else (or a
// name that does not demangle) unchanged.
std::string demangle_frame(std::string frame);

// Symbolizes `n` program counters (innermost first), demangled. The first is looked up
// as is, the others (return addresses) one byte earlier so that a call at a
// function's very end is attributed to it. Unknown frames read "0x1234 (?)".
std::vector<std::string> symbolize(void* const* pcs, int n);

// True for frames of eventlet's own code and the plumbing around it
// (eventlet::, absl::, std::, boost::, Boost.Context's fcontext functions,
// thread and process start-up). Mangled names are demangled first.
bool is_library_frame(std::string_view symbol);

// Drops library frames from both ends; if nothing is left, returns `frames`
// unchanged.
std::vector<std::string> trim(std::vector<std::string> frames);

// "      #0 foo()\n      #1 bar()\n" with `indent` spaces before each '#'.
std::string format_frames(const std::vector<std::string>& frames, int indent);

}  // namespace eventlet::debug::internal

#endif  // EVENTLET_DEBUG_INTERNAL_STACKS_H_
