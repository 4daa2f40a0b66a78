// Copyright 2026 The eventlet-cpp Authors.
//
// https on loopback: http::Client against http::Server with TLS (keep-alive
// pooling, large bodies), curl against our server, each failure the client
// must name, and https under the simulator. Certificates are made at test
// time (green_net/tls/testing/test_pki.h). Timeouts are upper bounds only.
#include <cstdio>
#include <memory>
#include <stdexcept>
#include <string>

#include "absl/time/time.h"
#include "green_net/address.h"
#include "green_net/convenience.h"
#include "green_net/http/client.h"
#include "green_net/http/server.h"
#include "green_net/http/testing/child_process.h"
#include "green_net/http/testing/raw_client.h"
#include "green_net/socket.h"
#include "green_net/tls/context.h"
#include "green_net/tls/error.h"
#include "green_net/tls/stream.h"
#include "green_net/tls/testing/test_pki.h"
#include "greenthread/event.h"
#include "greenthread/greenthread.h"
#include "gtest/gtest.h"
#include "hub/hub.h"
#include "sim/sim.h"
#include "tpool/tpool.h"

namespace eventlet::http {
namespace {

using tls::testing::TestPki;

// Our server with TLS on 127.0.0.1:<port 0>, in a greenthread: "/echo"
// answers the request body, anything else "hello <path>".
class TlsServer {
 public:
  explicit TlsServer(const tls::PemCertificate& certificate)
      : server_(net::listen(*net::Address::parse("127.0.0.1:0")), handle,
                options(certificate)),
        running_(spawn([this] { server_.run(); })) {}
  ~TlsServer() {
    server_.stop();
    running_.wait();
  }
  int port() const { return server_.address().port(); }
  std::string url(std::string_view path,
                  std::string_view host = "127.0.0.1") const {
    return "https://" + std::string(host) + ":" + std::to_string(port()) +
           std::string(path);
  }
  const Server& server() const { return server_; }

 private:
  static ServerOptions options(const tls::PemCertificate& certificate) {
    ServerOptions o;
    o.tls = certificate.as_server();
    o.max_body_bytes = 4 << 20;
    return o;
  }
  static Response handle(const Request& req) {
    if (req.target == "/echo") return Response::text(200, req.body);
    return Response::text(200, "hello " + req.target);
  }

  Server server_;
  GreenThread<void> running_;
};

class HttpsTest : public ::testing::Test {
 protected:
  void SetUp() override { Hub::destroy_current(); }
  void TearDown() override {
    EXPECT_EQ(Hub::current().listener_count(), 0u);
    Hub::destroy_current();
  }
  // Trusting the test CA only.
  static FetchOptions trusting() {
    FetchOptions o;
    o.tls = TestPki::get().trust();
    return o;
  }
};

TEST_F(HttpsTest, FetchesAndReusesConnections) {
  TlsServer server(TestPki::get().leaf);
  Client client;
  FetchInfo info;
  Response r = client.fetch(server.url("/a"), trusting(), &info);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "hello /a");
  EXPECT_FALSE(info.reused);
  EXPECT_EQ(client.idle_count(), 1u);
  r = client.fetch(server.url("/b", "localhost"), trusting(), &info);
  EXPECT_EQ(r.body, "hello /b");
  EXPECT_FALSE(info.reused) << "another host name: another pool";
  for (int i = 0; i < 5; ++i) {
    r = client.fetch(server.url("/c"), trusting(), &info);
    EXPECT_EQ(r.body, "hello /c");
    EXPECT_TRUE(info.reused) << i;
  }
  EXPECT_EQ(client.stats().connections_opened, 2u);
  EXPECT_EQ(client.stats().requests, 7u);
  client.close_idle();
}

// An https connection idle for longer than 100 ms parks as a plain one
// does: no greenthread, only its record, TLS stream and a watch; the next
// request over the same TLS session wakes it. (Real time on loopback: the
// 100 ms threshold is the server's own; eventually() only waits for it.)
TEST_F(HttpsTest, AnIdleTlsConnectionHoldsNoGreenthreadAndServesOnWhenWoken) {
  TlsServer server(TestPki::get().leaf);
  Client client;
  for (int i = 0; i < 20; ++i) {
    FetchInfo info;
    const Response r =
        client.fetch(server.url("/" + std::to_string(i)), trusting(), &info);
    ASSERT_EQ(r.body, "hello /" + std::to_string(i));
    EXPECT_EQ(info.reused, i > 0) << i;
    ASSERT_TRUE(testing::eventually([] {
      return Hub::current().greenlet_count() == 1;
    })) << "only run() is left once the connection parks, cycle "
        << i;
    EXPECT_EQ(Hub::current().listener_count(), 2u) << "accept + the watch";
  }
  EXPECT_EQ(server.server().stats().connections_accepted, 1u);
  EXPECT_EQ(server.server().stats().requests_served, 20u);
  client.close_idle();
}

// The idle timeout still ends a parked https connection, counted, with
// close_notify first: the client's next read sees a clean end of stream.
TEST_F(HttpsTest, TheIdleTimeoutEndsAParkedTlsConnectionCleanly) {
  ServerOptions options;
  options.tls = TestPki::get().leaf.as_server();
  options.idle_timeout = absl::Milliseconds(300);
  Server server(
      net::listen(*net::Address::parse("127.0.0.1:0")),
      [](const Request&) { return Response::text(200, "hi"); },
      std::move(options));
  auto running = spawn([&] { server.run(); });
  net::Socket s = net::connect(server.address());
  const tls::Context context = tls::Context::client(TestPki::get().trust());
  tls::Stream stream(s, context, "127.0.0.1");
  stream.handshake(absl::Seconds(30));
  stream.write_all("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
  std::string response;
  char buffer[4096];
  while (response.find("\r\n\r\nhi") == std::string::npos) {
    const std::size_t n = stream.read_some(buffer, sizeof buffer);
    ASSERT_GT(n, 0u) << response;
    response.append(buffer, n);
  }
  ASSERT_TRUE(testing::eventually([] {
    return Hub::current().greenlet_count() == 1;
  })) << "parked";
  error_code ec;
  EXPECT_EQ(stream.read_some(buffer, sizeof buffer, ec), 0u);
  EXPECT_FALSE(ec) << ec.message();
  EXPECT_EQ(server.stats().idle_timeouts, 1u);
  EXPECT_TRUE(testing::eventually(
      [&] { return server.stats().connections_open == 0; }));
  server.stop();
  running.wait();
}

TEST_F(HttpsTest, StopEndsIdleTlsConnections) {
  auto server = std::make_unique<TlsServer>(TestPki::get().leaf);
  Client client;
  const std::string url = server->url("/");
  client.fetch(url, trusting());
  EXPECT_EQ(client.idle_count(), 1u);
  server.reset();  // stop() and wait for run(): must not wait for the client
  error_code ec;
  client.fetch(url, trusting(), ec);
  EXPECT_EQ(ec, boost::system::errc::connection_refused) << ec.message();
  client.close_idle();
}

TEST_F(HttpsTest, LargeBodiesBothWays) {
  TlsServer server(TestPki::get().leaf);
  Client client;
  FetchOptions post = trusting();
  post.method = "POST";
  post.body.assign(3 << 20, 'z');  // many TLS records each way
  for (char& c : post.body)
    c = static_cast<char>('a' + (&c - &post.body[0]) % 26);
  const Response r = client.fetch(server.url("/echo"), post);
  EXPECT_EQ(r.status, 200);
  EXPECT_TRUE(r.body == post.body) << r.body.size();
  client.close_idle();
}

TEST_F(HttpsTest, PlainHttpToTheTlsPortIsAnswered400AndNotPooledWithHttps) {
  TlsServer server(TestPki::get().leaf);
  Client client;
  client.fetch(server.url("/"), trusting());
  EXPECT_EQ(client.idle_count(), 1u);
  const std::string plain =
      "http://127.0.0.1:" + std::to_string(server.port()) + "/";
  FetchInfo info;
  const Response r = client.fetch(plain, {}, &info);
  EXPECT_FALSE(info.reused) << "an https connection served an http URL";
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.body,
            "This port speaks HTTPS: the plain HTTP request was refused.\n");
  EXPECT_EQ(server.server().stats().tls_handshake_failures, 1u);
  EXPECT_EQ(server.server().stats().requests_rejected, 1u);
  client.close_idle();
}

TEST_F(HttpsTest, RetriesAnIdempotentRequestOnAClosedTlsConnection) {
  // Answers one request per connection as if keeping it alive; once the
  // client has pooled the first connection, sends close_notify and closes
  // it: that pooled connection is stale.
  net::Socket listener = net::listen(*net::Address::parse("127.0.0.1:0"));
  const tls::Context context =
      tls::Context::server(TestPki::get().leaf.as_server());
  Event<> pooled;
  Event<> closed;
  auto server = spawn([&] {
    for (int i = 0; i < 2; ++i) {
      net::Socket peer = listener.accept();
      tls::Stream stream(peer, context);
      stream.handshake(absl::Seconds(30));
      std::string request;
      char buffer[4096];
      while (request.find("\r\n\r\n") == std::string::npos) {
        const std::size_t n = stream.read_some(buffer, sizeof buffer);
        ASSERT_GT(n, 0u);
        request.append(buffer, n);
      }
      stream.write_all("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
      if (i == 0) pooled.wait();
      error_code ignored;
      stream.shutdown(ignored);
      peer.close();
      if (i == 0) closed.send();
    }
  });
  const std::string url =
      "https://127.0.0.1:" + std::to_string(listener.local_address().port()) +
      "/";
  Client client;
  EXPECT_EQ(client.fetch(url, trusting()).body, "ok");
  EXPECT_EQ(client.idle_count(), 1u);
  pooled.send();
  closed.wait();
  FetchInfo info;
  EXPECT_EQ(client.fetch(url, trusting(), &info).body, "ok");
  EXPECT_FALSE(info.reused);
  EXPECT_EQ(client.stats().retries, 1u);
  EXPECT_EQ(client.stats().connections_opened, 2u);
  server.wait();
  client.close_idle();
}

struct Failure {
  const char* name;
  const tls::PemCertificate* certificate;
  bool system_store;
  tls::Errc expected;
};

TEST_F(HttpsTest, NamesCertificateFailures) {
  const TestPki& pki = TestPki::get();
  const Failure failures[] = {
      {"test CA vs the system store", &pki.leaf, true, tls::Errc::kUnknownCa},
      {"unknown CA", &pki.stranger, false, tls::Errc::kUnknownCa},
      {"expired", &pki.expired, false, tls::Errc::kCertificateExpired},
      {"wrong name", &pki.wrong_name, false, tls::Errc::kHostnameMismatch},
  };
  for (const Failure& f : failures) {
    TlsServer server(*f.certificate);
    Client client;
    const FetchOptions options = f.system_store ? FetchOptions() : trusting();
    try {
      client.fetch(server.url("/"), options);
      ADD_FAILURE() << f.name << ": no throw";
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), f.expected) << f.name;
      EXPECT_EQ(std::string(e.what()),
                "GET " + server.url("/") + ": " +
                    tls::make_error_code(f.expected).message())
          << f.name;
    }
  }
  // --insecure.
  TlsServer server(pki.stranger);
  Client client;
  FetchOptions insecure;
  insecure.tls.verify = false;
  EXPECT_EQ(client.fetch(server.url("/x"), insecure).body, "hello /x");
  client.close_idle();
}

TEST_F(HttpsTest, HandshakeTimeout) {
  net::Socket mute = net::listen(*net::Address::parse("127.0.0.1:0"));
  Client client;
  FetchOptions quick = trusting();
  quick.handshake_timeout = absl::Milliseconds(100);
  error_code ec;
  client.fetch(
      "https://127.0.0.1:" + std::to_string(mute.local_address().port()) + "/",
      quick, ec);
  EXPECT_EQ(ec, tls::Errc::kHandshakeTimeout);
  EXPECT_EQ(ec.message(), "TLS handshake timed out");
}

TEST_F(HttpsTest, HttpsToAPlainHttpPort) {
  Server plain(net::listen(*net::Address::parse("127.0.0.1:0")),
               [](const Request&) { return Response::text(200, "plain"); });
  auto running = spawn([&] { plain.run(); });
  Client client;
  error_code ec;
  client.fetch(
      "https://127.0.0.1:" + std::to_string(plain.address().port()) + "/",
      trusting(), ec);
  EXPECT_EQ(ec, tls::Errc::kPlainHttpResponse) << ec.message();
  plain.stop();
  running.wait();
}

// Runs a command on a native thread (the hub keeps serving); its stdout.
std::string run_command(const std::string& command) {
  return tpool::execute([command] {
    FILE* pipe = ::popen(command.c_str(), "r");
    if (pipe == nullptr) throw std::runtime_error("popen " + command);
    std::string out;
    char buffer[4096];
    std::size_t n;
    while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0)
      out.append(buffer, n);
    const int status = ::pclose(pipe);
    return out + "[exit " + std::to_string(WEXITSTATUS(status)) + "]";
  });
}

TEST_F(HttpsTest, CurlAgainstOurServer) {
  const TestPki& pki = TestPki::get();
  const std::string ca = TestPki::write_pem("curl_ca.pem", pki.ca.certificate);
  TlsServer server(pki.leaf);
  const std::string curl =
      "/usr/bin/curl --silent --show-error --max-time 60 --cacert " + ca + " ";
  // Two URLs: the second request goes over the kept-alive connection.
  EXPECT_EQ(run_command(curl + server.url("/one", "localhost") + " " +
                        server.url("/two", "localhost")),
            "hello /onehello /two[exit 0]");
  EXPECT_EQ(server.server().stats().connections_accepted, 1u);
  // curl refuses our certificate without the CA (60: peer certificate cannot
  // be authenticated).
  EXPECT_EQ(run_command("/usr/bin/curl --silent --max-time 60 " +
                        server.url("/", "localhost")),
            "[exit 60]");
}

TEST_F(HttpsTest, FetchesFromOpensslSServer) {
  const TestPki& pki = TestPki::get();
  const std::string cert =
      TestPki::write_pem("fetch_s_server_cert.pem", pki.leaf.certificate);
  const std::string key =
      TestPki::write_pem("fetch_s_server_key.pem", pki.leaf.key);
  // -www: answers "GET /" with an HTTP/1.0 status page, then closes.
  eventlet::testing::ChildProcess s_server(
      {"/usr/bin/openssl", "s_server", "-accept", "127.0.0.1:0", "-cert", cert,
       "-key", key, "-www", "-naccept", "1"});
  std::string line;
  do {
    line = s_server.read_line(absl::Seconds(30));
  } while (line.rfind("ACCEPT ", 0) != 0);
  const std::string port = line.substr(line.rfind(':') + 1);
  Client client;
  FetchInfo info;
  const Response r =
      client.fetch("https://localhost:" + port + "/", trusting(), &info);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(info.version, 10);
  EXPECT_NE(r.body.find("TLSv1.3"), std::string::npos) << r.body.substr(0, 500);
  EXPECT_EQ(client.idle_count(), 0u) << "HTTP/1.0 without keep-alive";
}

TEST(HttpsSimTest, HttpsIsRefusedUnderTheSimulator) {
  sim::Result result = sim::run({}, [] {
    Server server(net::listen(*net::Address::parse("10.0.0.2:80")),
                  [](const Request&) { return Response::text(200, "x"); });
    auto running = spawn([&] { server.run(); });
    Client client;
    error_code ec;
    client.fetch("https://10.0.0.2:80/", {}, ec);
    EXPECT_EQ(ec, Errc::kHttpsNotSupported);
    EXPECT_EQ(ec.message(),
              "https is not supported under the simulator (sim::run): its "
              "in-memory network carries plain bytes only (use http://)");
    EXPECT_EQ(client.stats().connections_opened, 0u);
    server.stop();
    running.wait();

    ServerOptions tls;
    tls.tls = TestPki::get().leaf.as_server();
    Server https(
        net::listen(*net::Address::parse("10.0.0.2:443")),
        [](const Request&) { return Response::text(200, "x"); }, tls);
    try {
      https.run();
      ADD_FAILURE() << "no throw";
    } catch (const std::logic_error& e) {
      EXPECT_STREQ(e.what(),
                   "http::Server::run: https is not supported under the "
                   "simulator (sim::run): its in-memory network carries plain "
                   "bytes only");
    }
  });
  EXPECT_TRUE(result.ok()) << result.summary();
}

TEST(HttpsServerOptions, BadCertificateFilesAreNamed) {
  ServerOptions options;
  options.tls = tls::ServerCredentials();
  options.tls->certificate_file = "/nonexistent/cert.pem";
  options.tls->key_file = "/nonexistent/key.pem";
  try {
    Server server(
        net::listen(*net::Address::parse("127.0.0.1:0")),
        [](const Request&) { return Response::text(200, "x"); }, options);
    ADD_FAILURE() << "no throw";
  } catch (const std::runtime_error& e) {
    EXPECT_EQ(std::string(e.what()).rfind(
                  "tls::Context: cannot load certificate file "
                  "/nonexistent/cert.pem",
                  0),
              0u)
        << e.what();
  }
  Hub::destroy_current();
}

}  // namespace
}  // namespace eventlet::http
