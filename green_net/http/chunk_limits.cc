// Copyright 2026 The eventlet-cpp Authors.
#include "green_net/http/chunk_limits.h"

namespace eventlet::http {

ChunkFramingCheck check_pending_chunk_framing(std::string_view pending,
                                              const ChunkLimits& limits) {
  // The CRLF after a chunk's data belongs to the data, not to the next line.
  if (pending.starts_with("\r\n")) pending.remove_prefix(2);
  const std::size_t eol = pending.find("\r\n");
  if (eol == std::string_view::npos) {
    return pending.size() > limits.max_line_bytes
               ? ChunkFramingCheck::kLineTooLong
               : ChunkFramingCheck::kOk;
  }
  if (eol + 2 > limits.max_line_bytes) return ChunkFramingCheck::kLineTooLong;
  // A complete line left unconsumed is the last chunk's ("0", any number of
  // zeros): what follows it is the trailer, kept until its empty line.
  return pending.size() - (eol + 2) > limits.max_trailer_bytes
             ? ChunkFramingCheck::kTrailerTooLarge
             : ChunkFramingCheck::kOk;
}

}  // namespace eventlet::http
