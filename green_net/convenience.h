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
// a GreenPool of `concurrency` greenthreads. The greenthread is the
// connection's for as long as the handler runs, idle waits included; a
// handler that wants to wait for its next bytes without one (as http::Server
// does) can return after moving the socket into spawn_when_readable's
// callable (greenthread/when_readable.h), which then runs outside the pool. A handler stops the server by
// throwing StopServe: serve() stops accepting, waits for the other handlers
// to finish, and returns. Any other exception escaping a handler is reported
// to the hub's exception hook and that connection is closed; the server goes
// on (eventlet would stop). Running out of fds (EMFILE/ENFILE) makes the
// accept loop back off (10 ms, doubling to 1 s), report it once per episode,
// and keep serving. serve() blocks the calling greenthread until it returns;
// killing that greenthread stops it too.
//
// On every core: with ServeOptions::hubs = N, serve() accepts on N hubs, one
// per OS thread (hub_listeners.h: hub 0 is the caller's and serves
// `listener`, each other hub its own SO_REUSEPORT listener on the same
// address, so `listener` needs reuse_port), each with its own GreenPool of
// `concurrency`. The handler runs on whichever hub accepted the connection,
// so what it shares must be thread-safe (hand-offs between hubs:
// greenthread/cross_hub.h). StopServe thrown by a handler on any hub, or
// ServeOptions::stop sent from any thread, stops every hub: each stops
// accepting, waits for its handlers, and once all have, serve() returns.
// An error on one hub (a bind that fails) stops the others and is rethrown.
//
//   net::Socket listener =   // port != 0: SO_REUSEPORT by default
//       net::listen(*net::Address::parse("127.0.0.1:8080"));
//   CrossHubEvent<> stop;    // stop.send() from any thread ends it
//   net::serve(listener, [](net::Socket conn, net::Address peer) { ... },
//              {.hubs = 4, .stop = &stop});
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
#include "greenthread/cross_hub.h"
#include "pool/green_pool.h"

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
// As above, calling `before_accept(handlers)` in the accepting greenthread
// before each accept, with the pool of handlers (handlers.running(): those
// spawned and not yet returned, counted from the accept on). It may park: a
// server whose connections outlive their handler (moved into
// spawn_when_readable, as http::Server's idle ones are) waits there while
// handlers.running() plus its own count of such connections is at its bound,
// so the bound holds for every open connection. Closing the listener does
// not wake a parked before_accept: whoever closes it to stop the server
// must wake it too. Its exceptions end serve() as a kill of the acceptor
// does (StopServe: as a handler's).
void serve(Socket& listener, Handler handler, std::size_t concurrency,
           const std::function<void(const GreenPool& handlers)>& before_accept);

struct ServeOptions {
  // OS threads, each with a hub and a listener of its own (>= 1).
  int hubs = 1;
  // Handlers at once, per hub.
  std::size_t concurrency = 1000;
  // listen() backlog of the listeners made for hubs 1..
  int backlog = 128;
  // Non-null: send() it (from any thread) to stop every hub, as a StopServe
  // would. Not owned; it must outlive serve(). serve() sends it itself when
  // it stops for another reason.
  CrossHubEvent<>* stop = nullptr;
};
// See "On every core" above. Returns when every hub has stopped; `listener`
// is closed by then. Rethrows the first hub's error (by hub index); throws
// std::invalid_argument if hubs < 1.
void serve(Socket& listener, const Handler& handler,
           const ServeOptions& options);

}  // namespace eventlet::net

#endif  // EVENTLET_GREEN_NET_CONVENIENCE_H_
