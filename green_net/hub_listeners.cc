// Copyright 2026 The eventlet-cpp Authors.
#include "green_net/hub_listeners.h"

#include <sys/socket.h>

#include <stdexcept>
#include <string>

#include "greenthread/greenthread.h"
#include "hub/hub_group.h"

namespace eventlet::net {
namespace {

// Hub `hub`'s own listener on `address` (SO_REUSEPORT).
Socket bind_reuseport(const Address& address, int backlog, int hub) {
  error_code ec;
  Socket s = Socket::open(address.family(), SOCK_STREAM, ec);
  if (!ec) s.set_reuseaddr(true, ec);
  if (!ec) s.set_reuseport(true, ec);
  if (!ec) s.bind(address, ec);
  if (!ec) s.listen(backlog, ec);
  if (ec) {
    throw boost::system::system_error(
        ec, "listen on hub " + std::to_string(hub) + " at " +
                address.to_string() +
                " (every hub's listener, hub 0's included, needs "
                "SO_REUSEPORT: ListenOptions::reuse_port)");
  }
  return s;
}

// One hub's part: its listener, the greenthread that stops it, serve_one.
void run_hub(int hub, Socket& listener, const Address& address, int backlog,
             CrossHubEvent<>& stop, const HubListenerFn& serve_one,
             const HubListenerFn& stop_one) {
  Socket own;
  if (hub != 0) own = bind_reuseport(address, backlog, hub);
  Socket& mine = hub == 0 ? listener : own;
  GreenThread<void> stopper = spawn([&] {
    stop.wait();
    stop_one(hub, mine);
  });
  try {
    serve_one(hub, mine);
  } catch (...) {
    stop.try_send();
    stopper.kill();
    throw;
  }
  stop.try_send();
  stopper.wait();
}

}  // namespace

void listen_on_hubs(Socket& listener, int hubs, int backlog,
                    CrossHubEvent<>& stop, const HubListenerFn& serve_one,
                    const HubListenerFn& stop_one) {
  if (hubs < 1)
    throw std::invalid_argument("listen_on_hubs: hubs must be >= 1");
  const Address address = listener.local_address();
  run_on_hubs(hubs, [&](int hub) {
    try {
      run_hub(hub, listener, address, backlog, stop, serve_one, stop_one);
    } catch (...) {
      stop.try_send();  // a failed bind ends the other hubs too
      throw;
    }
  });
}

}  // namespace eventlet::net
