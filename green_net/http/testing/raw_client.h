// Copyright 2026 The eventlet-cpp Authors.
//
// raw_client.h (tests only): what tests that talk to http::Server over a
// raw net::Socket need on the client side.
//
// read_response(s): reads one HTTP/1.1 response, as far as its
// Content-Length says (no chunked bodies). Parks the calling greenthread at
// most 5 seconds in all (a Timeout, which escapes if the server never
// answers). Returns what arrived: the whole response, or less (possibly "")
// if the peer closed or the read failed first. A Content-Length that is not
// a number fails the calling test (EXPECT) and is read as 0.
//
// eventually(done): sleeps greenly (1 ms steps) until done() holds; false if
// it still does not after 20 s of hub time, a bound only a broken program
// reaches (a busy machine delays a peer's packets, never that long).
#ifndef EVENTLET_GREEN_NET_HTTP_TESTING_RAW_CLIENT_H_
#define EVENTLET_GREEN_NET_HTTP_TESTING_RAW_CLIENT_H_

#include <cstddef>
#include <string>

#include "absl/strings/numbers.h"
#include "absl/time/time.h"
#include "green_net/socket.h"
#include "greenthread/greenthread.h"
#include "greenthread/timeout.h"
#include "gtest/gtest.h"
#include "hub/hub.h"

namespace eventlet::testing {

inline std::string read_response(net::Socket& s) {
  std::string text;
  Timeout t(absl::Seconds(5));
  char buffer[4096];
  for (;;) {
    const std::size_t end = text.find("\r\n\r\n");
    if (end != std::string::npos) {
      std::size_t length = 0;
      const std::size_t at = text.find("Content-Length: ");
      if (at != std::string::npos && at < end) {
        const std::size_t eol = text.find("\r\n", at);
        EXPECT_TRUE(
            absl::SimpleAtoi(text.substr(at + 16, eol - at - 16), &length));
      }
      if (text.size() >= end + 4 + length) return text;
    }
    net::error_code ec;
    const std::size_t n = s.recv(buffer, sizeof buffer, ec);
    if (ec || n == 0) return text;
    text.append(buffer, n);
  }
}

template <typename Pred>
bool eventually(Pred done) {
  const absl::Duration give_up = Hub::current().now() + absl::Seconds(20);
  while (!done()) {
    if (Hub::current().now() > give_up) return false;
    sleep(absl::Milliseconds(1));
  }
  return true;
}

}  // namespace eventlet::testing

#endif  // EVENTLET_GREEN_NET_HTTP_TESTING_RAW_CLIENT_H_
