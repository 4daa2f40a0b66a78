// Copyright 2026 The eventlet-cpp Authors.
//
// trace_fuzzer: sim::parse_trace, which promises never to throw or crash on
// any input (sim/trace.h). The input is the trace text.
//
// Checked besides crashes: an accepted trace has its header line, a rejected
// one an error message.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "sim/trace.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data,
                                      std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  eventlet::sim::ParsedTrace parsed;
  eventlet::sim::TraceError error;
  const bool ok = eventlet::sim::parse_trace(text, &parsed, &error);
  if (ok ? parsed.lines.empty() : error.message.empty()) {
    std::fprintf(stderr, "FUZZ FINDING: parse_trace returned %s but %s\n",
                 ok ? "true" : "false",
                 ok ? "no header line" : "no error message");
    std::abort();
  }
  return 0;
}
