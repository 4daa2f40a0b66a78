// Copyright 2026 The eventlet-cpp Authors.
//
// convenience.h: eventlet's listen / connect / serve.
//
//   net::Socket server = net::listen(*net::Address::parse("127.0.0.1:0"));
//   net::serve(server, [](net::Socket conn, net::Address peer) {
//     conn.sendall(conn.recv(4096));      // echo once
//   });
//
// serve() accepts connections and runs handler(connection, peer) for each in
// a GreenPool of `concurrency` greenthreads. A handler stops the server by
// throwing StopServe: serve() stops accepting, waits for the other handlers
// to finish, and returns. Any other exception escaping a handler is reported
// to the hub's exception hook and that connection is closed; the server goes
// on (eventlet would stop). Running out of fds (EMFILE/ENFILE) makes the
// accept loop back off (10 ms, doubling to 1 s), report it once per episode,
// and keep serving. serve() blocks the calling greenthread until it returns;
// killing that greenthread stops it too.
#ifndef EVENTLET_GREEN_NET_CONVENIENCE_H_
#define EVENTLET_GREEN_NET_CONVENIENCE_H_

#include <sys/socket.h>

#include <cstddef>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string_view>

#include "absl/time/time.h"
#include "green_net/address.h"
#include "green_net/socket.h"

namespace eventlet::net {

// Thrown by a serve() handler to stop the server.
class StopServe : public std::exception {
 public:
  const char* what() const noexcept override { return "StopServe"; }
};

struct ListenOptions {
  int backlog = 128;
  bool reuse_addr = true;
  // SO_REUSEPORT; eventlet sets it unless the port is 0. Where the
  // platform does not support it (setsockopt fails with EINVAL or
  // ENOPROTOOPT) the socket listens without it, as in eventlet; any other
  // failure is thrown.
  std::optional<bool> reuse_port;
};

// A listening TCP (or Unix) socket bound to `address`. Throws
// boost::system::system_error if a step fails (the socket is closed then).
Socket listen(const Address& address, const ListenOptions& options = {});
// A TCP (or Unix) socket connected to `address` within `timeout`.
Socket connect(const Address& address,
               std::optional<absl::Duration> timeout = std::nullopt);
// Resolves `host` (without blocking the hub) and connects to the first
// address that accepts within `timeout`.
Socket connect(std::string_view host, std::uint16_t port,
               std::optional<absl::Duration> timeout = std::nullopt);

using Handler = std::function<void(Socket connection, Address peer)>;
// See above. Returns when a handler throws StopServe.
void serve(Socket& listener, Handler handler, std::size_t concurrency = 1000);

}  // namespace eventlet::net

#endif  // EVENTLET_GREEN_NET_CONVENIENCE_H_
