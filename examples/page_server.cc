// Copyright 2026 The eventlet-cpp Authors.
#include "examples/page_server.h"

#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "absl/time/time.h"
#include "greenthread/greenthread.h"

namespace eventlet::examples {
namespace {

// "size=4096&delay_ms=3" -> the value of `key`: `fallback` when absent,
// nullopt when not a decimal number or above `max`.
std::optional<std::int64_t> query_int(std::string_view query,
                                      std::string_view key,
                                      std::int64_t fallback, std::int64_t max) {
  while (!query.empty()) {
    const std::size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view()
                                          : query.substr(amp + 1);
    const std::size_t eq = pair.find('=');
    if (eq == std::string_view::npos || pair.substr(0, eq) != key) continue;
    const std::string_view digits = pair.substr(eq + 1);
    if (digits.empty()) return std::nullopt;
    std::int64_t value = 0;
    for (char c : digits) {
      if (c < '0' || c > '9') return std::nullopt;
      value = value * 10 + (c - '0');
      if (value > max) return std::nullopt;
    }
    return value;
  }
  return fallback;
}

}  // namespace

http::Response serve_page(const http::Request& request) {
  const std::string_view path = request.path();
  if (!path.starts_with("/page/"))
    return http::Response::text(404, "no such page\n");
  const std::optional<std::int64_t> size =
      query_int(request.query(), "size", 1024, kMaxPageSize);
  if (!size) {
    return http::Response::text(400,
                                "size must be a number of bytes from 0 to " +
                                    std::to_string(kMaxPageSize) + "\n");
  }
  const std::optional<std::int64_t> delay_ms =
      query_int(request.query(), "delay_ms", 0, kMaxPageDelayMs);
  if (!delay_ms) {
    return http::Response::text(400, "delay_ms must be a number from 0 to " +
                                         std::to_string(kMaxPageDelayMs) +
                                         "\n");
  }
  if (*delay_ms > 0) sleep(absl::Milliseconds(*delay_ms));
  std::string body = "page " + std::string(path.substr(6)) + "\n";
  body.resize(static_cast<std::size_t>(*size), '.');
  return http::Response::text(200, std::move(body));
}

}  // namespace eventlet::examples
