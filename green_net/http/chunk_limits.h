// Copyright 2026 The eventlet-cpp Authors.
//
// chunk_limits.h: bounds on the framing of a chunked body, which Beast 1.74's
// parser leaves unbounded. Its parser keeps a chunk's size line (with any
// chunk extensions) and the whole trailer section unconsumed in the caller's
// buffer until their last CRLF arrives, asking for more input meanwhile; a
// peer that never sends that CRLF would make the buffer grow without end.
// The client and the server call check_pending_chunk_framing() each time the
// parser, inside a chunked body, asks for more input, and fail the message
// when the unconsumed bytes pass a limit.
#ifndef EVENTLET_GREEN_NET_HTTP_CHUNK_LIMITS_H_
#define EVENTLET_GREEN_NET_HTTP_CHUNK_LIMITS_H_

#include <cstddef>
#include <string_view>

namespace eventlet::http {

struct ChunkLimits {
  // A chunk-size line: the size in hex, any extensions and the CRLF.
  std::size_t max_line_bytes;
  // The trailer section after the last chunk's line (its fields and the
  // final empty line).
  std::size_t max_trailer_bytes;
};

enum class ChunkFramingCheck {
  kOk,               // within the limits (or not a chunk line at all)
  kLineTooLong,      // a chunk-size line longer than max_line_bytes
  kTrailerTooLarge,  // a trailer section larger than max_trailer_bytes
};

// `pending`: the bytes the parser left unconsumed when it asked for more
// input in a chunked body — the start of a chunk-size line (possibly after
// the CRLF that ends the previous chunk's data), or the last chunk's line
// and the start of the trailer. Pure function; never throws.
ChunkFramingCheck check_pending_chunk_framing(std::string_view pending,
                                              const ChunkLimits& limits);

}  // namespace eventlet::http

#endif  // EVENTLET_GREEN_NET_HTTP_CHUNK_LIMITS_H_
