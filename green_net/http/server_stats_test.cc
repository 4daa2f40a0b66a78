// Copyright 2026 The eventlet-cpp Authors.
//
// A real server on loopback, with /metrics and an access log: requests from
// our client and a raw socket, then its statistics, the metrics endpoint and
// the log's lines. Only counts are asserted, never timings (the latency
// histogram is checked for its count and its bounds, not its buckets).
#include <fstream>
#include <memory>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <string>

#include "gmock/gmock.h"
#include "green_net/convenience.h"
#include "green_net/http/access_log.h"
#include "green_net/http/client.h"
#include "green_net/http/metrics.h"
#include "green_net/http/server.h"
#include "green_net/socket.h"
#include "greenthread/greenthread.h"
#include "gtest/gtest.h"
#include "hub/hub.h"

namespace eventlet::http {
namespace {

using ::testing::HasSubstr;

Response route(const Request& req) {
  if (req.path() == "/ok") return Response::text(200, "hello\n");
  if (req.path() == "/boom") throw std::runtime_error("boom");
  return Response::text(404, "not here\n");
}

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream all;
  all << in.rdbuf();
  return all.str();
}

class ServerStatsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Hub::destroy_current();
    Hub::current().set_exception_hook([](const HubException&) {});
  }
  void TearDown() override { Hub::destroy_current(); }
};

TEST_F(ServerStatsTest, CountsServesMetricsAndLogs) {
  const std::string log_path = ::testing::TempDir() + "/server_access.log";
  std::remove(log_path.c_str());
  auto log = std::make_unique<AccessLog>(log_path);
  ServerOptions options;
  options.metrics_path = "/metrics";
  options.access_log = log.get();
  Server server(net::listen(*net::Address::parse("127.0.0.1:0")), route,
                options);
  auto runner = spawn([&] { server.run(); });
  const std::string base = "http://" + server.address().to_string();

  FetchOptions fetch_options;
  EXPECT_EQ(fetch(base + "/ok", fetch_options).status, 200);
  EXPECT_EQ(fetch(base + "/missing?q=1", fetch_options).status, 404);
  EXPECT_EQ(fetch(base + "/boom", fetch_options).status, 500);
  // A request the server refuses itself: 400, then the connection closes.
  {
    net::Socket raw = net::connect(server.address());
    raw.sendall(std::string("BAD REQUEST LINE\r\n\r\n"));
    char buf[512];
    std::string answer;
    for (std::size_t n; (n = raw.recv(buf, sizeof buf)) != 0;)
      answer.append(buf, n);
    EXPECT_THAT(answer, HasSubstr("HTTP/1.1 400 Bad Request"));
  }

  const ServerStats& stats = server.stats();
  EXPECT_EQ(stats.requests_served, 3u);
  EXPECT_EQ(stats.requests_rejected, 1u);
  EXPECT_EQ(stats.handler_errors, 1u);
  EXPECT_EQ(stats.responses_by_class[1], 1u);  // 2xx
  EXPECT_EQ(stats.responses_by_class[3], 2u);  // 404, 400
  EXPECT_EQ(stats.responses_by_class[4], 1u);  // 500
  EXPECT_EQ(stats.latency.count, 4u);
  EXPECT_GE(stats.latency.sum_ns, 0);
  EXPECT_GE(stats.connections_accepted, 2u);
  EXPECT_GT(stats.bytes_received, 0u);
  EXPECT_GT(stats.bytes_sent, 0u);

  // /metrics: the Prometheus text, counting the requests before it.
  const Response metrics = fetch(base + "/metrics", fetch_options);
  EXPECT_EQ(metrics.status, 200);
  EXPECT_EQ(metrics.header("Content-Type"), kPrometheusContentType);
  EXPECT_THAT(metrics.body,
              HasSubstr("\neventlet_http_server_requests_total 4\n"));
  EXPECT_THAT(
      metrics.body,
      HasSubstr("\neventlet_http_server_responses_total{code=\"4xx\"} 2\n"));
  EXPECT_THAT(metrics.body,
              HasSubstr("\neventlet_http_server_request_duration_seconds_"
                        "bucket{le=\"+Inf\"} 4\n"));
  EXPECT_THAT(metrics.body,
              HasSubstr("\neventlet_http_server_connections_open 1\n"));
  // Only GET and HEAD of that exact path; anything else goes to the handler.
  FetchOptions post;
  post.method = "POST";
  EXPECT_EQ(fetch(base + "/metrics", post).status, 404);
  EXPECT_EQ(fetch(base + "/metrics/x", fetch_options).status, 404);

  default_client().close_idle();
  server.stop();
  runner.wait();
  EXPECT_EQ(server.stats().connections_open, 0u);

  log->flush();
  const std::string text = read_file(log_path);
  std::printf("%s", text.c_str());
  const std::string when =
      R"(\[\d\d/[A-Z][a-z][a-z]/\d{4}:\d\d:\d\d:\d\d \+0000\])";
  const std::string lines[] = {
      R"(127\.0\.0\.1 - - )" + when + R"( "GET /ok HTTP/1\.1" 200 6)",
      R"(127\.0\.0\.1 - - )" + when + R"( "GET /missing\?q=1 HTTP/1\.1" 404 9)",
      R"(127\.0\.0\.1 - - )" + when + R"( "GET /boom HTTP/1\.1" 500 22)",
      R"(127\.0\.0\.1 - - )" + when + R"( "-" 400 12)",
      R"(127\.0\.0\.1 - - )" + when + R"( "GET /metrics HTTP/1\.1" 200 \d+)",
      R"(127\.0\.0\.1 - - )" + when + R"( "POST /metrics HTTP/1\.1" 404 9)",
      R"(127\.0\.0\.1 - - )" + when + R"( "GET /metrics/x HTTP/1\.1" 404 9)",
  };
  std::string pattern;
  for (const std::string& line : lines) pattern += line + "\n";
  EXPECT_TRUE(std::regex_match(text, std::regex(pattern))) << text;
  EXPECT_EQ(server.stats().access_log_dropped, 0u);
}

TEST_F(ServerStatsTest, OffByDefault) {
  Server server(net::listen(*net::Address::parse("127.0.0.1:0")), route);
  auto runner = spawn([&] { server.run(); });
  const std::string base = "http://" + server.address().to_string();
  EXPECT_EQ(fetch(base + "/metrics").status, 404);  // the handler's
  EXPECT_EQ(server.stats().responses_by_class[3], 1u);
  default_client().close_idle();
  server.stop();
  runner.wait();
}

}  // namespace
}  // namespace eventlet::http
