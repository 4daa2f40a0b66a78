// Copyright 2026 The eventlet-cpp Authors.
//
// http::Server with ServerOptions::hubs > 1 on real loopback: connections
// spread over the hubs' SO_REUSEPORT listeners, stop() from any thread ends
// every hub gracefully, a hub that cannot bind is reported, stats add up.
// Meant for ThreadSanitizer too (CI's tsan step runs it). Nothing here
// depends on timing: the clients run on a thread of their own and every step
// that must come before another waits for it by a hand-off (CrossHubEvent).
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "green_net/address.h"
#include "green_net/convenience.h"
#include "green_net/http/server.h"
#include "greenthread/cross_hub.h"
#include "greenthread/greenthread.h"
#include "gtest/gtest.h"
#include "hub/hub.h"
#include "pool/green_pool.h"

namespace eventlet::http {
namespace {

using ::testing::HasSubstr;

net::Socket reuseport_listener() {
  net::ListenOptions options;
  options.reuse_port = true;
  return net::listen(*net::Address::parse("127.0.0.1:0"), options);
}

// `request` sent on a new connection; everything read until the server
// closes it.
std::string round_trip(const net::Address& address,
                       const std::string& request) {
  net::Socket s = net::connect(address, absl::Seconds(30));
  s.set_timeout(absl::Seconds(30));
  s.sendall(request);
  std::string reply;
  for (;;) {
    std::string more = s.recv(4096);
    if (more.empty()) return reply;
    reply += more;
  }
}

std::string get(const net::Address& address, const std::string& path) {
  return round_trip(address, "GET " + path +
                                 " HTTP/1.1\r\nHost: t\r\nConnection: "
                                 "close\r\n\r\n");
}

// Runs `body` on a new thread with a hub of its own (the test's clients).
class ClientThread {
 public:
  template <typename F>
  explicit ClientThread(F body)
      : thread_([body = std::move(body)] {
          body();
          Hub::destroy_current();
        }) {}
  ~ClientThread() { join(); }
  // Waits for the clients: what they wrote may be read afterwards.
  void join() {
    if (thread_.joinable()) thread_.join();
  }

 private:
  std::thread thread_;
};

class ServerHubsTest : public ::testing::Test {
 protected:
  void SetUp() override { Hub::destroy_current(); }
  void TearDown() override { Hub::destroy_current(); }
};

TEST_F(ServerHubsTest, ManyClientsAreServedByEveryHubAndStatsAddUp) {
  constexpr int kHubs = 3;
  std::mutex mutex;
  std::map<std::thread::id, int> served_by_thread;
  auto hubs_that_answered = [&] {
    std::lock_guard lock(mutex);
    return served_by_thread.size();
  };
  int clients_sent = 0;
  ServerOptions options;
  options.hubs = kHubs;
  options.metrics_path = "/metrics";
  Server server(
      reuseport_listener(),
      [&](const Request&) {
        std::lock_guard lock(mutex);
        ++served_by_thread[std::this_thread::get_id()];
        return Response::text(200, "hi\n");
      },
      options);
  const net::Address address = server.address();
  std::string metrics;
  ClientThread clients([&] {
    // Batches of 90 clients until a second hub has answered: hubs 1 and 2
    // bind their listeners on threads of their own, maybe after the first
    // batch (then all of it went to hub 0's). Once three listeners share the
    // port, a batch all on one hub takes odds of 3^-89.
    GreenPool pool(30);
    int ok = 0;
    for (int batch = 0; batch < 100 && hubs_that_answered() < 2; ++batch) {
      for (int i = 0; i < 90; ++i, ++clients_sent) {
        pool.spawn_n([&] {
          if (get(address, "/").find("\r\n\r\nhi\n") != std::string::npos) ++ok;
        });
      }
      pool.waitall();
    }
    EXPECT_EQ(ok, clients_sent);
    metrics = get(address, "/metrics");
    server.stop();  // from a thread that is none of the server's hubs
  });
  server.run();
  clients.join();
  EXPECT_GE(served_by_thread.size(), 2u);
  EXPECT_LE(served_by_thread.size(), static_cast<std::size_t>(kHubs));
  // /metrics answered with every hub's counts added up.
  EXPECT_THAT(metrics, HasSubstr("eventlet_http_server_requests_total " +
                                 std::to_string(clients_sent) + "\n"));
  const std::vector<ServerStats> per_hub = server.hub_stats();
  ASSERT_EQ(per_hub.size(), static_cast<std::size_t>(kHubs));
  std::uint64_t served = 0;
  int hubs_that_served = 0;
  for (const ServerStats& s : per_hub) {
    served += s.requests_served;
    if (s.requests_served > 0) ++hubs_that_served;
    EXPECT_EQ(s.connections_open, 0u);
  }
  EXPECT_EQ(served, clients_sent + 1u);
  EXPECT_GE(hubs_that_served, 2);
  const ServerStats total = server.total_stats();
  EXPECT_EQ(total.requests_served, clients_sent + 1u);
  EXPECT_EQ(total.connections_accepted, clients_sent + 1u);
  EXPECT_EQ(total.latency.count, clients_sent + 1u);
  EXPECT_EQ(total.responses_by_class[1], clients_sent + 1u);
  EXPECT_TRUE(server.stopping());
}

TEST_F(ServerHubsTest, StopFromAHandlerLetsRequestsInFlightFinish) {
  CrossHubEvent<> slow_entered;
  CrossHubEvent<> release;
  ServerOptions options;
  options.hubs = 2;
  Server* server_ptr = nullptr;
  Server server(
      reuseport_listener(),
      [&](const Request& request) {
        if (request.target == "/slow") {
          slow_entered.send();
          release.wait();  // parks this connection only, on its hub
          return Response::text(200, "slow done\n");
        }
        if (request.target == "/stop") server_ptr->stop();  // on any hub
        return Response::text(200, "ok\n");
      },
      options);
  server_ptr = &server;
  const net::Address address = server.address();
  std::string slow_reply;
  std::string stop_reply;
  std::string idle_reply = "not closed";
  ClientThread clients([&] {
    GreenThread<void> slow = spawn([&] { slow_reply = get(address, "/slow"); });
    slow_entered.wait();
    // Connected and idle before the stop: stop() closes it unanswered.
    net::Socket idle = net::connect(address, absl::Seconds(30));
    idle.set_timeout(absl::Seconds(30));
    stop_reply = get(address, "/stop");
    net::error_code ec;
    idle_reply = idle.recv(4096, ec);
    // The slow request was in flight: it is answered, then closed.
    release.send();
    slow.wait();
  });
  server.run();
  clients.join();
  EXPECT_THAT(stop_reply, HasSubstr("200 OK"));
  EXPECT_THAT(stop_reply, HasSubstr("Connection: close"));
  EXPECT_THAT(slow_reply, HasSubstr("200 OK"));
  EXPECT_THAT(slow_reply, HasSubstr("Connection: close"));
  EXPECT_THAT(slow_reply, HasSubstr("slow done\n"));
  EXPECT_EQ(idle_reply, "");
  EXPECT_TRUE(server.stopping());
}

TEST_F(ServerHubsTest, AHubThatCannotBindIsReportedAndStopsTheOthers) {
  // Without SO_REUSEPORT on hub 0's listener, hub 1 cannot bind its own.
  ServerOptions options;
  options.hubs = 2;
  Server server(
      net::listen(*net::Address::parse("127.0.0.1:0")),
      [](const Request&) { return Response::text(200, "ok\n"); }, options);
  try {
    server.run();
    FAIL() << "run() returned";
  } catch (const boost::system::system_error& e) {
    EXPECT_EQ(e.code(), boost::system::errc::address_in_use);
    EXPECT_THAT(e.what(), HasSubstr("listen on hub 1 at 127.0.0.1:"));
    EXPECT_THAT(e.what(), HasSubstr("SO_REUSEPORT"));
  }
  EXPECT_TRUE(server.stopping());  // hub 0 was stopped too
}

TEST_F(ServerHubsTest, StatsAddUpFieldByField) {
  ServerStats a;
  a.connections_accepted = 1;
  a.requests_served = 2;
  a.responses_by_class[1] = 3;
  a.bytes_sent = 4;
  a.latency.record(50'000);
  ServerStats b = a;
  b.access_log_dropped = 5;
  b.latency.record(20'000'000'000);
  a += b;
  EXPECT_EQ(a.connections_accepted, 2u);
  EXPECT_EQ(a.requests_served, 4u);
  EXPECT_EQ(a.responses_by_class[1], 6u);
  EXPECT_EQ(a.bytes_sent, 8u);
  EXPECT_EQ(a.access_log_dropped, 5u);
  EXPECT_EQ(a.latency.count, 3u);
  EXPECT_EQ(a.latency.counts[0], 2u);
  EXPECT_EQ(a.latency.counts.back(), 1u);
  EXPECT_EQ(a.latency.sum_ns, 20'000'100'000);
}

TEST_F(ServerHubsTest, RejectsZeroHubs) {
  ServerOptions options;
  options.hubs = 0;
  EXPECT_THROW(
      Server(
          reuseport_listener(),
          [](const Request&) { return Response::text(200, ""); }, options),
      std::invalid_argument);
}

}  // namespace
}  // namespace eventlet::http
