// Copyright 2026 The eventlet-cpp Authors.
//
// http::Server's idle keep-alive connections without a greenthread: a plain
// connection idle for longer than the hot period (100 ms) gives its
// greenthread back and waits in a watch (spawn_when_readable); bytes
// arriving spawn one that serves on. On the simulated clock and network:
// the idle timeout still closes and counts, stop() and killing run() end
// parked connections, a pipelined pair after idling, a silent first request
// parks too. On loopback: 100 idle/wake cycles, a peer closing while parked,
// hub teardown with parked connections.
#include <memory>
#include <string>

#include "absl/functional/function_ref.h"
#include "absl/strings/numbers.h"
#include "absl/time/time.h"
#include "green_net/convenience.h"
#include "green_net/http/server.h"
#include "green_net/http/testing/raw_client.h"
#include "green_net/socket.h"
#include "greenthread/greenthread.h"
#include "greenthread/timeout.h"
#include "gtest/gtest.h"
#include "hub/hub.h"
#include "sim/sim.h"

namespace eventlet::http {
namespace {

using eventlet::testing::eventually;
using eventlet::testing::read_response;

constexpr char kGet[] = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";

// True once the peer has closed (recv returns 0 or an error).
bool closed_by_peer(net::Socket& s) {
  char c;
  net::error_code ec;
  Timeout t(absl::Seconds(5));
  return s.recv(&c, 1, ec) == 0 || ec;
}

Response answer(const Request& req) {
  return Response::text(200, "you asked for " + req.target + "\n");
}

// Greenthreads besides main: the server's runner only, so no connection
// holds one.
bool only_the_runner_is_left() { return Hub::current().greenlet_count() == 1; }

// ---- On the simulated clock and network --------------------------------------

void with_sim_server(const ServerOptions& options,
                     absl::FunctionRef<void(Server&)> body) {
  sim::Result result = sim::run({}, [&] {
    Server server(net::listen(*net::Address::parse("10.0.0.2:80")), answer,
                  options);
    auto runner = spawn([&] { server.run(); });
    body(server);
    server.stop();
    runner.wait();
    EXPECT_EQ(server.stats().connections_open, 0u);
    EXPECT_EQ(Hub::current().greenlet_count(), 0u);
    EXPECT_EQ(Hub::current().listener_count(), 0u);
  });
  EXPECT_TRUE(result.ok()) << result.summary();
}

TEST(ServerIdle, AParkedConnectionHoldsNoGreenthreadAndServesOnWhenWoken) {
  with_sim_server({}, [](Server& server) {
    net::Socket s = net::connect(server.address());
    for (int i = 0; i < 100; ++i) {
      const std::string path = "/" + std::to_string(i);
      s.sendall("GET " + path + " HTTP/1.1\r\nHost: x\r\n\r\n");
      const std::string r = read_response(s);
      EXPECT_NE(r.find("you asked for " + path), std::string::npos) << r;
      // Busy: the connection keeps its greenthread through the hot period.
      sleep(absl::Milliseconds(50));
      EXPECT_EQ(Hub::current().greenlet_count(), 2u) << "cycle " << i;
      // Idle: it has given it back.
      sleep(absl::Milliseconds(60));
      EXPECT_TRUE(only_the_runner_is_left()) << "cycle " << i;
      EXPECT_EQ(server.stats().connections_open, 1u);
    }
    EXPECT_EQ(server.stats().requests_served, 100u);
    EXPECT_EQ(server.stats().connections_accepted, 1u);
  });
}

TEST(ServerIdle, TheIdleTimeoutClosesAParkedConnectionAndCounts) {
  ServerOptions options;
  options.idle_timeout = absl::Seconds(2);
  with_sim_server(options, [](Server& server) {
    net::Socket s = net::connect(server.address());
    s.sendall(kGet);
    EXPECT_FALSE(read_response(s).empty());
    const absl::Duration answered = Hub::current().now();
    sleep(absl::Milliseconds(500));
    EXPECT_TRUE(only_the_runner_is_left());
    EXPECT_TRUE(closed_by_peer(s));
    // From the answer written (100 us before it arrived) to the close
    // arriving (100 us): the idle timeout exactly.
    EXPECT_EQ(Hub::current().now() - answered, absl::Seconds(2));
    EXPECT_EQ(server.stats().idle_timeouts, 1u);
    EXPECT_EQ(server.stats().read_timeouts, 0u);
    EXPECT_EQ(server.stats().connections_open, 0u);
  });
}

TEST(ServerIdle, ASilentFirstRequestParksAndItsReadTimeoutStillCounts) {
  ServerOptions options;
  options.read_timeout = absl::Seconds(1);
  with_sim_server(options, [](Server& server) {
    net::Socket late = net::connect(server.address());
    net::Socket silent = net::connect(server.address());
    sleep(absl::Milliseconds(300));
    EXPECT_TRUE(only_the_runner_is_left());
    late.sendall(kGet);
    EXPECT_FALSE(read_response(late).empty());
    EXPECT_TRUE(closed_by_peer(silent));
    EXPECT_EQ(server.stats().read_timeouts, 1u);
    EXPECT_EQ(server.stats().idle_timeouts, 0u);
    EXPECT_EQ(server.stats().requests_served, 1u);
  });
}

TEST(ServerIdle, APipelinedPairAfterIdlingIsAnsweredInOrder) {
  with_sim_server({}, [](Server& server) {
    net::Socket s = net::connect(server.address());
    s.sendall(kGet);
    EXPECT_FALSE(read_response(s).empty());
    sleep(absl::Milliseconds(200));
    EXPECT_TRUE(only_the_runner_is_left());
    s.sendall(
        "GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\n\r\n");
    // Both answers, in order (they may come in one segment).
    std::string both;
    while (both.find("you asked for /b") == std::string::npos) {
      const std::string more = read_response(s);
      ASSERT_FALSE(more.empty()) << both;
      both += more;
    }
    EXPECT_LT(both.find("you asked for /a"), both.find("you asked for /b"));
    EXPECT_EQ(server.stats().requests_served, 3u);
  });
}

TEST(ServerIdle, MaxConnectionsCountsParkedConnections) {
  ServerOptions options;
  options.max_connections = 2;
  with_sim_server(options, [](Server& server) {
    net::Socket a = net::connect(server.address());
    net::Socket b = net::connect(server.address());
    a.sendall(kGet);
    b.sendall(kGet);
    EXPECT_FALSE(read_response(a).empty());
    EXPECT_FALSE(read_response(b).empty());
    sleep(absl::Milliseconds(200));
    EXPECT_TRUE(only_the_runner_is_left());  // both parked
    // A third waits in the backlog: not accepted, not answered.
    net::Socket c = net::connect(server.address());
    c.sendall(kGet);
    sleep(absl::Seconds(1));
    EXPECT_EQ(server.stats().connections_accepted, 2u);
    EXPECT_EQ(server.stats().connections_open, 2u);
    // One closes: the third is accepted and answered.
    a.close();
    EXPECT_NE(read_response(c).find("you asked for /"), std::string::npos);
    EXPECT_EQ(server.stats().connections_accepted, 3u);
    EXPECT_EQ(server.stats().connections_open, 2u);
  });
}

TEST(ServerIdle, StopEndsAnAcceptLoopWaitingForRoom) {
  ServerOptions options;
  options.max_connections = 1;
  with_sim_server(options, [](Server& server) {
    net::Socket a = net::connect(server.address());
    a.sendall(kGet);
    EXPECT_FALSE(read_response(a).empty());
    sleep(absl::Milliseconds(200));
    EXPECT_EQ(server.stats().connections_open, 1u);
    // with_sim_server's stop() must end run() though no connection closed
    // first (it closes the parked one).
  });
}

TEST(ServerIdle, StopClosesParkedConnections) {
  with_sim_server({}, [](Server& server) {
    net::Socket s = net::connect(server.address());
    s.sendall(kGet);
    EXPECT_FALSE(read_response(s).empty());
    sleep(absl::Milliseconds(200));
    EXPECT_TRUE(only_the_runner_is_left());
    const absl::Duration stopped = Hub::current().now();
    server.stop();
    EXPECT_TRUE(closed_by_peer(s));
    EXPECT_LE(Hub::current().now() - stopped, absl::Milliseconds(1));
    EXPECT_EQ(server.stats().idle_timeouts, 0u);
  });
}

TEST(ServerIdle, KillingRunEndsParkedAndWokenConnections) {
  sim::Result result = sim::run({}, [&] {
    Server server(net::listen(*net::Address::parse("10.0.0.2:80")), answer);
    auto runner = spawn([&] { server.run(); });
    net::Socket parked = net::connect(server.address());
    net::Socket woken = net::connect(server.address());
    for (net::Socket* s : {&parked, &woken}) {
      s->sendall(kGet);
      EXPECT_FALSE(read_response(*s).empty());
    }
    sleep(absl::Milliseconds(200));
    EXPECT_TRUE(only_the_runner_is_left());
    // Bytes for `woken` arrive; its greenthread exists before run() dies.
    woken.sendall("GET / HTTP/1.1\r\n");
    sleep(absl::Milliseconds(1));
    EXPECT_EQ(Hub::current().greenlet_count(), 2u);
    runner.kill();
    try {
      runner.wait();
    } catch (const GreenletExit&) {
    }
    EXPECT_EQ(server.stats().connections_open, 0u);
    EXPECT_EQ(Hub::current().greenlet_count(), 0u);
    EXPECT_EQ(Hub::current().listener_count(), 0u);
    EXPECT_TRUE(closed_by_peer(parked));
    EXPECT_TRUE(closed_by_peer(woken));
  });
  EXPECT_TRUE(result.ok()) << result.summary();
}

// ---- On loopback ------------------------------------------------------------

class ServerIdleLoopback : public ::testing::Test {
 protected:
  void SetUp() override {
    Hub::destroy_current();
    server_ = std::make_unique<Server>(
        net::listen(*net::Address::parse("127.0.0.1:0")), answer);
    runner_ = spawn([this] { server_->run(); });
  }
  void TearDown() override {
    if (server_ && !runner_.dead()) {
      server_->stop();
      runner_.wait();
    }
    if (server_) {
      EXPECT_EQ(server_->stats().connections_open, 0u);
    }
    server_.reset();
    Hub::destroy_current();
  }

  std::unique_ptr<Server> server_;
  GreenThread<void> runner_;
};

TEST_F(ServerIdleLoopback, IdlesWakesAndIdlesAgainAHundredTimes) {
  net::Socket s = net::connect(server_->address());
  for (int i = 0; i < 100; ++i) {
    const std::string path = "/" + std::to_string(i);
    s.sendall("GET " + path + " HTTP/1.1\r\nHost: x\r\n\r\n");
    const std::string r = read_response(s);
    ASSERT_NE(r.find("you asked for " + path), std::string::npos) << r;
    ASSERT_TRUE(eventually(only_the_runner_is_left)) << "cycle " << i;
    EXPECT_EQ(Hub::current().listener_count(), 2u);  // accept + the watch
  }
  EXPECT_EQ(server_->stats().requests_served, 100u);
  EXPECT_EQ(server_->stats().connections_accepted, 1u);
}

TEST_F(ServerIdleLoopback, APeerClosingWhileParkedLeavesNothing) {
  {
    net::Socket s = net::connect(server_->address());
    s.sendall(kGet);
    EXPECT_FALSE(read_response(s).empty());
    ASSERT_TRUE(eventually(only_the_runner_is_left));
  }
  EXPECT_TRUE(eventually([&] {
    return server_->stats().connections_open == 0 &&
           Hub::current().listener_count() == 1;  // the accept
  }));
  EXPECT_TRUE(only_the_runner_is_left());
}

TEST_F(ServerIdleLoopback, HubTeardownEndsParkedConnections) {
  net::Socket s = net::connect(server_->address());
  s.sendall(kGet);
  EXPECT_FALSE(read_response(s).empty());
  ASSERT_TRUE(eventually(only_the_runner_is_left));
  // The runner is unwound: run() ends its parked connection on the way out.
  Hub::destroy_current();
  EXPECT_EQ(server_->stats().connections_open, 0u);
  server_.reset();
}

}  // namespace
}  // namespace eventlet::http
