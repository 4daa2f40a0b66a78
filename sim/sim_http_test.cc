// Copyright 2026 The eventlet-cpp Authors.
//
// The green HTTP server and client, unchanged, on the simulated network:
// virtual hosts, virtual time, deterministic schedules.
#include <string>

#include "green_net/address.h"
#include "green_net/convenience.h"
#include "green_net/http/client.h"
#include "green_net/http/server.h"
#include "greenthread/greenthread.h"
#include "gtest/gtest.h"
#include "hub/hub.h"
#include "sim/sim.h"
#include "sim/sim_net.h"

namespace eventlet::sim {
namespace {

// A server on 10.0.0.2:80 answering /hello, and `requests` fetches from the
// default client host, 10.0.0.1. Returns the concatenated bodies.
std::string serve_and_fetch(int requests) {
  http::Server server(net::listen(*net::Address::parse("10.0.0.2:80")),
                      [](const http::Request& req) {
                        return http::Response::text(
                            200, "hello from " + std::string(req.path()));
                      });
  auto running = spawn([&] { server.run(); });
  std::string bodies;
  for (int i = 0; i < requests; ++i) {
    bodies += http::fetch("http://10.0.0.2/hello").body + ";";
  }
  server.stop();
  running.wait();
  return bodies;
}

TEST(SimHttp, ServerAndClientRunOnTheSimulatedNetwork) {
  Options options;
  options.seed = 1;
  std::string bodies;
  std::int64_t elapsed = 0;
  Result r = run(options, [&] {
    network().set_default_link({absl::Milliseconds(20)});
    const absl::Duration start = Hub::current().now();
    bodies = serve_and_fetch(3);
    elapsed = absl::ToInt64Milliseconds(Hub::current().now() - start);
  });
  ASSERT_TRUE(r.ok()) << r.summary();
  EXPECT_EQ(bodies, "hello from /hello;hello from /hello;hello from /hello;");
  // Connect (2 x 20 ms) + three request/response round trips (3 x 40 ms) on
  // one kept-alive connection: 160 ms of virtual time, whatever the machine.
  EXPECT_EQ(elapsed, 160);
}

TEST(SimHttp, SameSeedSameTrace) {
  auto once = [](std::uint64_t seed) {
    Options options;
    options.seed = seed;
    options.strategy = Strategy::kRandom;
    options.trace_in_memory = true;
    Result r = run(options, [] {
      network().set_default_link(
          {absl::Milliseconds(1), absl::Milliseconds(5)});
      serve_and_fetch(2);
    });
    EXPECT_TRUE(r.ok()) << r.summary();
    return r.trace;
  };
  const std::string a = once(7);
  EXPECT_FALSE(a.empty());
  EXPECT_EQ(a, once(7));
}

TEST(SimHttp, APartitionMakesTheClientTimeOut) {
  Options options;
  std::string error;
  Result r = run(options, [&] {
    http::Server server(
        net::listen(*net::Address::parse("10.0.0.2:80")),
        [](const http::Request&) { return http::Response::text(200, "ok"); });
    auto running = spawn([&] { server.run(); });
    network().partition("10.0.0.1", "10.0.0.2");
    http::FetchOptions fetch_options;
    fetch_options.connect_timeout = absl::Seconds(3);
    net::error_code ec;
    http::fetch("http://10.0.0.2/", fetch_options, ec);
    error = ec.message();
    server.stop();
    running.wait();
  });
  ASSERT_TRUE(r.ok()) << r.summary();
  EXPECT_NE(error.find("timed out"), std::string::npos) << error;
  EXPECT_GE(r.virtual_time, absl::Seconds(3));
}

// An idle kept-alive connection is probed before reuse (after probe_after,
// or always before a POST): the probe reads the simulated socket, so a quiet,
// open connection is reused and one the server closed is not.
TEST(SimHttp, IdleConnectionsAreProbedOnTheSimulatedNetwork) {
  Result r = run({}, [] {
    http::ServerOptions server_options;
    server_options.idle_timeout = absl::Seconds(5);
    http::Server server(
        net::listen(*net::Address::parse("10.0.0.2:80")),
        [](const http::Request&) { return http::Response::text(200, "ok"); },
        server_options);
    auto running = spawn([&] { server.run(); });
    http::Client client;
    EXPECT_EQ(client.fetch("http://10.0.0.2/a").status, 200);
    eventlet::sleep(absl::Seconds(2));  // past probe_after (1 s)
    EXPECT_EQ(client.fetch("http://10.0.0.2/b").status, 200);
    EXPECT_EQ(client.stats().connections_opened, 1u);
    EXPECT_EQ(client.stats().connections_reused, 1u);
    eventlet::sleep(absl::Seconds(6));  // the server closes it after 5 s
    EXPECT_EQ(client.fetch("http://10.0.0.2/c").status, 200);
    EXPECT_EQ(client.stats().connections_opened, 2u);
    EXPECT_EQ(client.stats().retries, 0u);  // the probe saw the FIN first
    server.stop();
    running.wait();
  });
  EXPECT_TRUE(r.ok()) << r.summary();
}

}  // namespace
}  // namespace eventlet::sim
