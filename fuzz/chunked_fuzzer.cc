// Copyright 2026 The eventlet-cpp Authors.
//
// chunked_fuzzer: chunked transfer coding (RFC 9112, section 7.1), in both
// directions. The input is a chunked body (chunks, last chunk, trailer
// section), sent
//  * to the http::Server after "POST /echo HTTP/1.1 ... Transfer-Encoding:
//    chunked", and
//  * by a server to http::Client after "HTTP/1.1 200 OK ... Transfer-Encoding:
//    chunked",
// over the simulated network.
//
// Checked besides crashes: whenever the server's handler or the client got a
// body, it is exactly what a strict reference decoder (below) makes of the
// input. A difference means the two ends of a connection could disagree on
// where a message ends (request smuggling). The reference skips chunk
// extensions and trailer fields unparsed, so it accepts every framing Beast
// accepts, and more (Beast also checks their syntax).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

#include "fuzz/sim_http.h"
#include "green_net/http/client.h"
#include "green_net/http/server.h"

namespace {

using eventlet::http::Request;
using eventlet::http::Response;

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// The body a chunked message starting at `in` carries, or nullopt if `in`
// does not start with a complete one: chunk-size (hex, < 2^64), anything up
// to CRLF, chunk data, CRLF; ...; a zero size ends the chunks; then lines up
// to an empty one (the trailer section).
std::optional<std::string> decode_chunked(std::string_view in) {
  std::string body;
  for (;;) {
    std::uint64_t size = 0;
    std::size_t digits = 0;
    for (; digits < in.size() && hex_value(in[digits]) >= 0; ++digits) {
      if (size >> 60 != 0) return std::nullopt;  // would overflow
      size = size * 16 + static_cast<std::uint64_t>(hex_value(in[digits]));
    }
    if (digits == 0) return std::nullopt;
    const std::size_t eol = in.find("\r\n", digits);
    if (eol == std::string_view::npos) return std::nullopt;
    in.remove_prefix(eol + 2);
    if (size == 0) break;
    if (in.size() < size || in.size() - size < 2) return std::nullopt;
    if (in.substr(size, 2) != "\r\n") return std::nullopt;
    body.append(in.substr(0, size));
    in.remove_prefix(size + 2);
  }
  for (;;) {
    const std::size_t eol = in.find("\r\n");
    if (eol == std::string_view::npos) return std::nullopt;
    if (eol == 0) return body;
    in.remove_prefix(eol + 2);
  }
}

void check(const char* side, const std::string& got, std::string_view chunked) {
  const std::optional<std::string> expected = decode_chunked(chunked);
  if (expected == got) return;
  std::fprintf(stderr,
               "FUZZ FINDING: the %s decoded %zu bytes where the reference "
               "decoder %s\n",
               side, got.size(),
               expected ? ("decodes " + std::to_string(expected->size()) +
                           " other bytes")
                              .c_str()
                        : "rejects the input");
  std::abort();
}

void through_server(std::string_view chunked) {
  std::optional<std::string> first_body;
  auto handler = [&first_body](const Request& request) {
    if (!first_body) first_body = request.body;
    return Response::text(200, "ok\n");
  };
  eventlet::http::ServerOptions options;
  options.date_header = false;
  eventlet::fuzz::serve_bytes(
      "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" +
          std::string(chunked),
      options, handler);
  if (first_body) check("server", *first_body, chunked);
}

void through_client(std::string_view chunked) {
  const std::string response =
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" +
      std::string(chunked);
  eventlet::fuzz::with_byte_server(response, 1, [chunked] {
    eventlet::http::Client client;
    eventlet::http::FetchOptions options;
    options.follow_redirects = false;
    eventlet::http::error_code ec;
    const Response r = client.fetch("http://10.0.0.2/", options, ec);
    if (!ec) check("client", r.body, chunked);
  });
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data,
                                      std::size_t size) {
  const std::string_view chunked(reinterpret_cast<const char*>(data), size);
  through_server(chunked);
  through_client(chunked);
  return 0;
}
