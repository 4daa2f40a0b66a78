// Copyright 2026 The eventlet-cpp Authors.
//
// Tutorial 4 (docs/tutorials/04-trampoline.md): read/write -> trampoline ->
// add listener, with green sockets on the simulated network.
#include <stdexcept>
#include <string>

#include "absl/time/time.h"
#include "examples/tutorials/tutorials.h"
#include "green_net/address.h"
#include "green_net/convenience.h"
#include "green_net/socket.h"
#include "greenthread/greenthread.h"
#include "sim/sim.h"
#include "sim/sim_net.h"

namespace eventlet::tutorials {

void Trampoline() {
  // Every link takes 1 ms (virtual).
  sim::network().set_default_link({absl::Milliseconds(1)});
  const net::Address address = *net::Address::parse("10.0.0.2:7");
  net::Socket listener = net::listen(address);
  // The echo server: accept one connection, echo one message.
  auto server = spawn([&listener] {
    net::Socket conn = listener.accept();  // waits to read the listener
    conn.sendall(conn.recv(16));           // waits to read, then writes
  });
  net::Socket client = net::connect(address);  // waits to write (connected)
  client.sendall("hi");
  if (client.recv(16) != "hi") throw std::runtime_error("bad echo");
  server.wait();
}

}  // namespace eventlet::tutorials
