// Copyright 2026 The eventlet-cpp Authors.
//
// echo_server: eventlet's classic TCP echo server — net::serve runs one
// greenthread per connection, each echoing what it reads until the peer
// closes.
//
// A connection that ends by an error (the peer reset it, mostly) is counted,
// not logged one by one: a peer resetting thousands of connections cannot
// flood stderr. One line on stderr at most every 10 s says how many ended so
// since the last such line, and with which last error.
//
//   ./bazelw run //examples:echo_server -- --port=6000
//   nc 127.0.0.1 6000
#include <cstdio>
#include <string>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "green_net/address.h"
#include "green_net/convenience.h"
#include "green_net/socket.h"
#include "hub/hub.h"

ABSL_FLAG(std::string, address, "127.0.0.1", "numeric address to listen on");
ABSL_FLAG(int, port, 6000, "TCP port (0: any free port)");

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  namespace net = eventlet::net;
  const auto address = net::Address::from_ip(
      absl::GetFlag(FLAGS_address),
      static_cast<std::uint16_t>(absl::GetFlag(FLAGS_port)));
  if (!address) {
    std::fprintf(stderr, "echo_server: --address must be a numeric IP\n");
    return 2;
  }
  net::Socket listener = net::listen(*address);
  std::printf("echo_server: listening on %s\n",
              listener.local_address().to_string().c_str());
  std::fflush(stdout);
  std::uint64_t errors = 0;  // since the last report
  absl::Duration last_report = -absl::InfiniteDuration();
  net::serve(listener, [&](net::Socket connection, net::Address) {
    char buffer[4096];
    net::error_code ec;
    for (;;) {
      const std::size_t n = connection.recv(buffer, sizeof buffer, ec);
      if (ec || n == 0) break;  // an error, or the peer closed
      connection.sendall(buffer, n, ec);
      if (ec) break;
    }
    if (!ec) return;
    ++errors;
    const absl::Duration now = eventlet::Hub::current().now();
    if (now - last_report < absl::Seconds(10)) return;
    std::fprintf(stderr,
                 "echo_server: %llu connection(s) ended by an error (last: "
                 "%s)\n",
                 static_cast<unsigned long long>(errors), ec.message().c_str());
    errors = 0;
    last_report = now;
  });
}
