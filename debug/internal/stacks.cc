// Copyright 2026 The eventlet-cpp Authors.
#include "debug/internal/stacks.h"

#include <cxxabi.h>

#include <cstdio>
#include <cstdlib>

#include "absl/debugging/stacktrace.h"
#include "absl/debugging/symbolize.h"

namespace eventlet::debug::internal {

void capture(Trace& trace, int skip) {
  // Measured here (debug_test, CaptureKeepsTheImmediateCaller): with this
  // Abseil, skip_count 0 already leaves out GetStackTrace's caller (capture()
  // itself), contrary to its header, and 1 would drop capture()'s caller too.
  trace.depth = absl::GetStackTrace(trace.pcs, Trace::kMaxFrames, skip);
}

std::string demangle_frame(std::string frame) {
  if (!frame.starts_with("_Z")) return frame;
  int status = 0;
  char* readable =
      abi::__cxa_demangle(frame.c_str(), nullptr, nullptr, &status);
  if (status != 0 || readable == nullptr) return frame;
  std::string out(readable);
  std::free(readable);
  return out;
}

std::vector<std::string> symbolize(void* const* pcs, int n) {
  std::vector<std::string> out;
  out.reserve(static_cast<std::size_t>(n));
  char buf[1024];
  for (int i = 0; i < n; ++i) {
    const char* pc = static_cast<const char*>(pcs[i]);
    if (absl::Symbolize(i == 0 ? pc : pc - 1, buf, sizeof buf)) {
      // Abseil's demangler gives up on some long names: finish the job.
      out.push_back(demangle_frame(buf));
    } else {
      std::snprintf(buf, sizeof buf, "%p (?)", pcs[i]);
      out.emplace_back(buf);
    }
  }
  return out;
}

bool is_library_frame(std::string_view frame) {
  const std::string readable = demangle_frame(std::string(frame));
  const std::string_view s = readable;
  for (std::string_view prefix :
       {"eventlet::", "absl::", "std::", "boost::", "void std::", "__gnu_cxx::",
        "make_fcontext", "jump_fcontext", "ontop_fcontext", "start_thread",
        "clone", "__clone", "__libc_start", "_start", "execute_native_thread",
        "__restore_rt", "testing::"}) {
    if (s.starts_with(prefix)) return true;
  }
  return s.find(" (?)") != std::string_view::npos;
}

std::vector<std::string> trim(std::vector<std::string> frames) {
  std::size_t begin = 0, end = frames.size();
  while (begin < end && is_library_frame(frames[begin])) ++begin;
  while (end > begin && is_library_frame(frames[end - 1])) --end;
  if (begin == end) return frames;
  return std::vector<std::string>(frames.begin() + begin, frames.begin() + end);
}

std::string format_frames(const std::vector<std::string>& frames, int indent) {
  std::string out;
  for (std::size_t i = 0; i < frames.size(); ++i) {
    out.append(static_cast<std::size_t>(indent), ' ');
    out += "#" + std::to_string(i) + " " + frames[i] + "\n";
  }
  return out;
}

}  // namespace eventlet::debug::internal
