// Copyright 2026 The eventlet-cpp Authors.
//
// hub_listeners.h: one listening socket per hub on the same address, the
// frame of serve() and http::Server with `hubs` > 1 — nginx's workers, each
// accepting on its own SO_REUSEPORT socket, done with hubs on OS threads.
//
//   net::Socket listener =   // port != 0: SO_REUSEPORT by default
//       net::listen(*net::Address::parse("127.0.0.1:8080"));
//   CrossHubEvent<> stop;    // send() it from any thread to stop every hub
//   net::listen_on_hubs(
//       listener, 4, /*backlog=*/128, stop,
//       [](int hub, net::Socket& l) {
//         net::serve(l, [](net::Socket conn, net::Address peer) { ... });
//       },
//       [](int hub, net::Socket& l) { l.close(); });  // ends that serve()
//
// listen_on_hubs(listener, hubs, backlog, stop, serve_one, stop_one) runs
// serve_one(hub_index, its_listener) on `hubs` hubs (run_on_hubs, so hub 0
// is the calling thread's): hub 0 serves `listener` itself; every other hub
// binds a new socket to listener.local_address() with SO_REUSEPORT and
// listens with `backlog`. The kernel then spreads new connections over the
// listeners by hashing each connection's addresses and ports, so a
// connection is served, start to end, on the hub whose listener accepted it
// (no work stealing). `listener` must have been bound with SO_REUSEPORT
// (ListenOptions::reuse_port = true, the default for a nonzero port);
// otherwise the other hubs' binds fail with EADDRINUSE (reported as below).
//
// Stopping: once `stop` is sent (from any thread, or by any hub), each hub
// runs stop_one(hub_index, its_listener) in a greenthread of its own, which
// must make its serve_one return (close the listener, stop a server...).
// Whenever one hub's serve_one returns or throws, or its bind fails, that
// hub sends `stop` itself, so one hub ending ends them all. listen_on_hubs
// returns when every hub's serve_one has returned and hubs 1.. have
// finished (their threads joined).
//
// Errors: the first exception by hub index (a failed bind: a
// boost::system::system_error naming the hub and the address) is rethrown
// once every hub has finished; the others are dropped. Throws
// std::invalid_argument if hubs < 1.
//
// Threading: serve_one and stop_one are called on every hub's thread at
// once: what they share must be thread-safe. Blocking: the calling OS thread
// blocks in run_on_hubs (its hub runs only serve_one(0, listener) and what
// that parks for).
#ifndef EVENTLET_GREEN_NET_HUB_LISTENERS_H_
#define EVENTLET_GREEN_NET_HUB_LISTENERS_H_

#include <functional>

#include "green_net/socket.h"
#include "greenthread/cross_hub.h"

namespace eventlet::net {

using HubListenerFn = std::function<void(int hub_index, Socket& listener)>;

void listen_on_hubs(Socket& listener, int hubs, int backlog,
                    CrossHubEvent<>& stop, const HubListenerFn& serve_one,
                    const HubListenerFn& stop_one);

}  // namespace eventlet::net

#endif  // EVENTLET_GREEN_NET_HUB_LISTENERS_H_
