// Copyright 2026 The eventlet-cpp Authors.
//
// http_client_fuzzer: the input is what a server answers, to every request of
// every connection (twice per connection at most): http::Client's response
// path (status line and headers, interim 1xx responses, Content-Length,
// chunked and read-until-close bodies, limits, keep-alive reuse, HEAD) over
// the simulated network. Two fetches run on one Client: a GET, then a HEAD
// that reuses the connection when the GET left it reusable.
//
// Redirects are not followed (a Location naming a host would be resolved for
// real); url_fuzzer covers how a Location is resolved.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "fuzz/sim_http.h"
#include "green_net/http/client.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data,
                                      std::size_t size) {
  const std::string_view response(reinterpret_cast<const char*>(data), size);
  eventlet::fuzz::with_byte_server(response, 2, [] {
    eventlet::http::Client client;
    eventlet::http::FetchOptions options;
    options.follow_redirects = false;
    // Small limits, so inputs of fuzzing size reach them.
    options.max_body_size = 4096;
    options.max_header_size = 2048;
    for (const char* method : {"GET", "HEAD"}) {
      options.method = method;
      eventlet::http::error_code ec;
      const eventlet::http::Response r =
          client.fetch("http://10.0.0.2/", options, ec);
      if (!ec && r.body.size() > options.max_body_size) {
        std::fprintf(stderr, "FUZZ FINDING: body over max_body_size\n");
        std::abort();
      }
    }
  });
  return 0;
}
