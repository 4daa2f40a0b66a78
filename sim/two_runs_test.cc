// Copyright 2026 The eventlet-cpp Authors.
//
// Two simulations on two OS threads at once share no state without
// synchronisation (run under ThreadSanitizer in CI: --config=tsan): each
// opens connections on its own simulated network (socket serials are
// process-wide), and each is deterministic regardless of the other.
#include <string>
#include <thread>

#include "green_net/address.h"
#include "green_net/convenience.h"
#include "green_net/socket.h"
#include "greenthread/greenthread.h"
#include "gtest/gtest.h"
#include "sim/sim.h"

namespace eventlet::sim {
namespace {

// Echoes a few messages over fresh connections; returns the run's trace.
std::string echo_run() {
  Options options;
  options.seed = 5;
  options.strategy = Strategy::kRandom;
  options.trace_in_memory = true;
  Result r = run(options, [] {
    net::Socket listener = net::listen(*net::Address::parse("10.0.0.2:7"));
    auto server = spawn([&] {
      for (int i = 0; i < 10; ++i) {
        net::Socket conn = listener.accept();
        char buffer[64];
        const std::size_t n = conn.recv(buffer, sizeof buffer);
        conn.sendall(std::string(buffer, n));
      }
    });
    for (int i = 0; i < 10; ++i) {
      net::Socket s = net::connect(*net::Address::parse("10.0.0.2:7"));
      s.sendall("ping " + std::to_string(i));
      EXPECT_EQ(s.recv(64), "ping " + std::to_string(i));
    }
    server.wait();
  });
  EXPECT_TRUE(r.ok()) << r.summary();
  return r.trace;
}

TEST(TwoRuns, TwoSimulationsOnTwoThreadsAtOnce) {
  std::string a, b;
  std::thread first([&] { a = echo_run(); });
  std::thread second([&] { b = echo_run(); });
  first.join();
  second.join();
  EXPECT_FALSE(a.empty());
  EXPECT_EQ(a, b);  // same seed, same trace, whatever ran beside it
}

}  // namespace
}  // namespace eventlet::sim
