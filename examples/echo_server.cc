// Copyright 2026 The eventlet-cpp Authors.
//
// echo_server: eventlet's classic TCP echo server — net::serve runs one
// greenthread per connection, each echoing what it reads until the peer
// closes.
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
  net::serve(listener, [](net::Socket connection, net::Address) {
    char buffer[4096];
    for (;;) {
      const std::size_t n = connection.recv(buffer, sizeof buffer);
      if (n == 0) return;  // the peer closed
      connection.sendall(std::string_view(buffer, n));
    }
  });
}
