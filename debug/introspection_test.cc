// Copyright 2026 The eventlet-cpp Authors.
#include "debug/introspection.h"

#include <stdexcept>
#include <string>

#include "debug/debug.h"
#include "debug/testing.h"
#include "gmock/gmock.h"
#include "green_net/convenience.h"
#include "green_net/http/client.h"
#include "green_net/http/metrics.h"
#include "green_net/http/server.h"
#include "green_net/socket.h"
#include "greenthread/greenthread.h"
#include "gtest/gtest.h"
#include "hub/hub.h"

namespace {

using ::testing::HasSubstr;
namespace debug = eventlet::debug;
namespace http = eventlet::http;
namespace net = eventlet::net;

// Reads one answer: everything up to a line holding ".".
std::string ask(net::Socket& s, const std::string& command) {
  s.sendall(command + "\n");
  std::string got;
  char buf[1024];
  while (!got.ends_with("\n.\n") && got != ".\n") {
    const std::size_t n = s.recv(buf, sizeof buf);
    if (n == 0) break;
    got.append(buf, n);
  }
  return got;
}

TEST(Introspection, AnswersOverARealSocket) {
  debug::hub_timer_stacks(true);
  auto server = debug::serve_introspection(*net::Address::parse("127.0.0.1:0"));
  auto sleeper = eventlet::spawn([] { eventlet::sleep(absl::Seconds(30)); });
  sleeper.set_name("sleeper");
  net::Socket client = net::connect(server->address());
  const std::string ps = ask(client, "ps");
  std::printf("%s", ps.c_str());
  EXPECT_THAT(ps, HasSubstr("(sleeper)  suspended  waiting on \"sleep\""));
  EXPECT_THAT(ps, HasSubstr("(introspection server)"));
  EXPECT_THAT(ps, HasSubstr("(introspection)  running"));
  const std::string timers = ask(client, "timers");
  EXPECT_THAT(timers, HasSubstr("(sleeper) [sleep]"));
  EXPECT_THAT(timers, HasSubstr("scheduled by greenthread"));
  const std::string listeners = ask(client, "listeners");
  EXPECT_THAT(listeners, HasSubstr("(introspection server) [read fd]"));
  const std::string stats = ask(client, "stats");
  std::printf("%s", stats.c_str());
  EXPECT_THAT(stats, HasSubstr("COUNTS: greenthreads"));
  EXPECT_THAT(stats, HasSubstr("OBSERVED: spawned"));
  EXPECT_THAT(ask(client, "help"), HasSubstr("commands: ps"));
  EXPECT_THAT(ask(client, "bogus"), HasSubstr("unknown command: bogus"));
  client.sendall("quit\n");
  sleeper.kill();
  server->stop();
  debug::hub_timer_stacks(false);
  client.close();
  debug::ExpectHubEmpty(3);
}

TEST(Introspection, AddedCommandsComeAndGo) {
  auto server = debug::serve_introspection(*net::Address::parse("127.0.0.1:0"));
  net::Socket client = net::connect(server->address());
  {
    int asked = 0;
    debug::IntrospectionCommand count(
        "count", "how often it was asked", [&asked] {
          return "asked " + std::to_string(++asked) +
                 "\n.\nend";  // no final \n
        });
    EXPECT_THROW(debug::IntrospectionCommand("count", "again",
                                             [] { return std::string(); }),
                 std::invalid_argument);
    EXPECT_THROW(debug::IntrospectionCommand("ps", "built-in",
                                             [] { return std::string(); }),
                 std::invalid_argument);
    EXPECT_THROW(debug::IntrospectionCommand("two words", "",
                                             [] { return std::string(); }),
                 std::invalid_argument);
    EXPECT_EQ(ask(client, "count"), "asked 1\n. \nend\n.\n");
    EXPECT_EQ(ask(client, "count"), "asked 2\n. \nend\n.\n");
    EXPECT_THAT(ask(client, "help"),
                HasSubstr("\n  count: how often it was asked\n"));
  }
  EXPECT_THAT(ask(client, "count"), HasSubstr("unknown command: count"));
  client.sendall("quit\n");
  server->stop();
  client.close();
}

// An HTTP server's statistics on the port, as a program would add them.
TEST(Introspection, ServesAnHttpServersMetrics) {
  http::Server web(
      net::listen(*net::Address::parse("127.0.0.1:0")),
      [](const http::Request&) { return http::Response::text(200, "hi\n"); });
  auto runner = eventlet::spawn([&web] { web.run(); });
  debug::IntrospectionCommand metrics(
      "http", "the web server's statistics",
      [&web] { return http::format_prometheus(web.stats()); });
  EXPECT_EQ(http::fetch("http://" + web.address().to_string() + "/").status,
            200);
  auto server = debug::serve_introspection(*net::Address::parse("127.0.0.1:0"));
  net::Socket client = net::connect(server->address());
  const std::string answer = ask(client, "http");
  EXPECT_THAT(answer, HasSubstr("\neventlet_http_server_requests_total 1\n"));
  EXPECT_THAT(
      answer,
      HasSubstr("\neventlet_http_server_responses_total{code=\"2xx\"} 1\n"));
  EXPECT_TRUE(answer.ends_with("\n.\n"));
  client.sendall("quit\n");
  http::default_client().close_idle();
  web.stop();
  runner.wait();
  server->stop();
  client.close();
}

TEST(Introspection, RefusesNonLoopbackAddresses) {
  EXPECT_THROW(debug::serve_introspection(*net::Address::parse("0.0.0.0:0")),
               std::invalid_argument);
  EXPECT_THROW(debug::serve_introspection(*net::Address::parse("[::]:0")),
               std::invalid_argument);
}

}  // namespace
