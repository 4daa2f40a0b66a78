// Copyright 2026 The eventlet-cpp Authors.
//
// page_server.h: the fetch demo's local pages (examples/fetch.cc).
//
//   GET /page/<n>?size=<bytes>&delay_ms=<ms>
//
// answers, after `delay_ms` (a green sleep: other requests go on; at most
// kMaxPageDelayMs), a text page "page <n>\n" padded with '.' to `size`
// bytes (default 1024). The size is capped at kMaxPageSize (1 MiB), so that
// nobody can make the server build huge answers: a larger size, or a size
// or delay that is not a decimal number, is answered 400 with the reason.
// Other paths: 404.
#ifndef EVENTLET_EXAMPLES_PAGE_SERVER_H_
#define EVENTLET_EXAMPLES_PAGE_SERVER_H_

#include <cstdint>

#include "green_net/http/message.h"

namespace eventlet::examples {

inline constexpr std::int64_t kMaxPageSize = 1 << 20;
inline constexpr std::int64_t kMaxPageDelayMs = 60000;

// The http::Handler of the demo's server. May park the calling greenthread
// (the delay).
http::Response serve_page(const http::Request& request);

}  // namespace eventlet::examples

#endif  // EVENTLET_EXAMPLES_PAGE_SERVER_H_
