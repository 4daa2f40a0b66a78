// Copyright 2026 The eventlet-cpp Authors.
//
// trace_fuzzer: sim::parse_trace, which promises never to throw or crash on
// any input (sim/trace.h). The input is the trace text.
//
// Checked besides crashes, in both parsing modes (strict, and replay's, which
// accepts edited choose lines and a trace cut short):
// - an accepted trace has its header line, a rejected one an error message;
// - an error message holds only printable ASCII (a hostile trace cannot send
//   escape sequences to the terminal that prints it);
// - a strictly accepted trace ends with its outcome event, and the lenient
//   mode accepts whatever the strict one does.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "sim/trace.h"

namespace {

[[noreturn]] void finding(const char* what) {
  std::fprintf(stderr, "FUZZ FINDING: %s\n", what);
  std::abort();
}

bool parse(std::string_view text, bool lenient,
           eventlet::sim::ParsedTrace* parsed) {
  eventlet::sim::TraceError error;
  eventlet::sim::ParseOptions options;
  options.allow_edited_choices = lenient;
  const bool ok = eventlet::sim::parse_trace(text, parsed, &error, options);
  if (ok && parsed->lines.empty()) finding("accepted without a header line");
  if (!ok && error.message.empty()) finding("rejected without a message");
  for (char c : error.message) {
    const auto b = static_cast<unsigned char>(c);
    if (b < 0x20 || b >= 0x7f) finding("a control byte in an error message");
  }
  return ok;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data,
                                      std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  eventlet::sim::ParsedTrace strict, lenient;
  const bool strict_ok = parse(text, false, &strict);
  const bool lenient_ok = parse(text, true, &lenient);
  if (strict_ok && !lenient_ok) finding("lenient parsing rejected more");
  if (strict_ok && (!strict.complete ||
                    eventlet::sim::trace_outcome(strict).result.empty())) {
    finding("a strictly accepted trace without its outcome event");
  }
  return 0;
}
