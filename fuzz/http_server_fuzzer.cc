// Copyright 2026 The eventlet-cpp Authors.
//
// http_server_fuzzer: the input is what one client sends to the real
// http::Server (request parsing, limits, Expect: 100-continue, keep-alive,
// pipelining, error answers, linger), over the simulated network.
//
// Checked besides crashes and sanitizer reports: the connection ends after
// the client's half-close (sim_http.h), everything the server sent starts
// with a status line, and no connection is left open once the server
// stopped.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <string_view>

#include "absl/time/time.h"
#include "fuzz/sim_http.h"
#include "green_net/http/server.h"
#include "greenthread/greenthread.h"

namespace {

using eventlet::http::Request;
using eventlet::http::Response;

// A few behaviours a handler can have, chosen by path, so the fuzzer reaches
// the server's different ways of answering.
Response handle(const Request& request) {
  const std::string_view path = request.path();
  if (path == "/echo") return Response::text(200, request.body);
  if (path == "/big") return Response::text(200, std::string(5000, 'x'));
  if (path == "/empty") return Response::text(204, "");
  if (path == "/throw") throw std::runtime_error("handler failed");
  if (path == "/sleep") eventlet::sleep(absl::Seconds(1));
  if (path == "/close") {
    Response r = Response::text(200, "bye\n");
    r.headers.push_back({"Connection", "close"});
    return r;
  }
  return Response::text(200, "ok\n");
}

[[noreturn]] void fail(const char* what) {
  std::fprintf(stderr, "FUZZ FINDING: %s\n", what);
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data,
                                      std::size_t size) {
  const std::string_view request(reinterpret_cast<const char*>(data), size);
  eventlet::http::ServerOptions options;
  // Small limits, so inputs of fuzzing size reach them.
  options.max_header_bytes = 2048;
  options.max_body_bytes = 4096;
  options.date_header = false;  // the wall clock is no input
  const eventlet::fuzz::ServedBytes served =
      eventlet::fuzz::serve_bytes(request, options, handle);
  if (!served.response.empty() &&
      !std::string_view(served.response).starts_with("HTTP/1.1 ")) {
    fail("the server's first bytes are not a status line");
  }
  if (served.stats.connections_open != 0) fail("a connection is still open");
  return 0;
}
