// Copyright 2026 The eventlet-cpp Authors.
#include "sim/testdata/step_demo.h"

#include <stdexcept>
#include <string>

#include "absl/time/time.h"
#include "green_net/address.h"
#include "green_net/convenience.h"
#include "green_net/socket.h"
#include "greenthread/greenthread.h"
#include "sim/sim_net.h"

namespace eventlet::sim::testdata {

void StepDemo() {
  network().set_default_link({absl::Milliseconds(1)});
  const net::Address address = *net::Address::parse("10.0.0.2:7");
  net::Socket listener = net::listen(address);
  auto server = spawn([&listener] {
    net::Socket conn = listener.accept();
    const std::string got = conn.recv(16);
    conn.sendall(got);
  });
  auto sleeper = spawn([] { eventlet::sleep(absl::Milliseconds(5)); });
  net::Socket client = net::connect(address);
  client.sendall("hi");
  const std::string echo = client.recv(16);
  if (echo != "hi") throw std::runtime_error("bad echo: " + echo);
  server.wait();
  sleeper.wait();
}

Options StepDemoOptions() {
  Options options;
  options.seed = 7;
  options.strategy = Strategy::kFifo;
  return options;
}

}  // namespace eventlet::sim::testdata
