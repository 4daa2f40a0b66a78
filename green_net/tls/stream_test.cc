// Copyright 2026 The eventlet-cpp Authors.
//
// tls::Stream on loopback: our client against our server and against
// `openssl s_server`, and each failure a user must be able to tell apart.
// Certificates are made at test time (testing/test_pki.h). Timeouts are
// upper bounds only.
#include "green_net/tls/stream.h"

#include <stdexcept>
#include <string>

#include "absl/time/time.h"
#include "green_net/address.h"
#include "green_net/convenience.h"
#include "green_net/http/testing/child_process.h"
#include "green_net/socket.h"
#include "green_net/tls/context.h"
#include "green_net/tls/error.h"
#include "green_net/tls/testing/test_pki.h"
#include "greenthread/greenthread.h"
#include "gtest/gtest.h"
#include "hub/hub.h"
#include "sim/sim.h"

namespace eventlet::tls {
namespace {

using testing::TestPki;

class StreamTest : public ::testing::Test {
 protected:
  void SetUp() override { Hub::destroy_current(); }
  void TearDown() override {
    EXPECT_EQ(Hub::current().listener_count(), 0u);
    Hub::destroy_current();
  }
};

net::Socket loopback_listener() {
  return net::listen(*net::Address::parse("127.0.0.1:0"));
}

// Accepts one connection on `listener` and runs a server handshake with
// `certificate`; `ec` receives its outcome. Returns the greenthread.
GreenThread<void> serve_handshake(net::Socket& listener,
                                  const PemCertificate& certificate,
                                  error_code& ec) {
  return spawn(
      [&listener, &ec, context = Context::server(certificate.as_server())] {
        net::Socket peer = listener.accept();
        Stream stream(peer, context);
        stream.handshake(ec, absl::Seconds(30));
      });
}

// A client handshake to `listener` for `host`, trusting `config`.
error_code client_handshake(net::Socket& listener, const ClientConfig& config,
                            const std::string& host) {
  net::Socket socket = net::connect(listener.local_address());
  Stream stream(socket, Context::client(config), host);
  error_code ec;
  stream.handshake(ec, absl::Seconds(30));
  return ec;
}

TEST_F(StreamTest, ExchangesDataBothWaysAndEndsWithCloseNotify) {
  net::Socket listener = loopback_listener();
  const TestPki& pki = TestPki::get();
  const std::string payload(300000, 'x');  // many records, more than a buffer
  auto server = spawn([&] {
    net::Socket peer = listener.accept();
    Stream stream(peer, Context::server(pki.leaf.as_server()));
    stream.handshake(absl::Seconds(30));
    std::string got;
    char buffer[8192];
    while (got.size() < payload.size()) {
      const std::size_t n = stream.read_some(buffer, sizeof buffer);
      ASSERT_GT(n, 0u);
      got.append(buffer, n);
    }
    EXPECT_EQ(got, payload);
    stream.write_all("echo:" + got);
    error_code ec;
    stream.shutdown(ec);
    EXPECT_FALSE(ec) << ec.message();
  });
  net::Socket socket = net::connect(listener.local_address());
  Stream stream(socket, Context::client(pki.trust()), "127.0.0.1");
  stream.handshake(absl::Seconds(30));
  EXPECT_TRUE(stream.connected());
  stream.write_all(payload);
  std::string reply;
  char buffer[8192];
  for (;;) {
    error_code ec;
    const std::size_t n = stream.read_some(buffer, sizeof buffer, ec);
    ASSERT_FALSE(ec) << ec.message();
    if (n == 0) break;
    reply.append(buffer, n);
  }
  EXPECT_EQ(reply, "echo:" + payload);
  server.wait();
}

TEST_F(StreamTest, VerifiesDnsNamesAndIpAddresses) {
  const TestPki& pki = TestPki::get();
  for (const std::string host : {"localhost", "127.0.0.1"}) {
    net::Socket listener = loopback_listener();
    error_code server_ec;
    auto server = serve_handshake(listener, pki.leaf, server_ec);
    EXPECT_FALSE(client_handshake(listener, pki.trust(), host)) << host;
    server.wait();
    EXPECT_FALSE(server_ec) << server_ec.message();
  }
}

struct Refusal {
  const char* name;
  const PemCertificate* certificate;
  bool system_store;  // verify against the system store, not the test CA
  Errc expected;
  const char* message;
};

TEST_F(StreamTest, NamesEachVerificationFailure) {
  const TestPki& pki = TestPki::get();
  const Refusal refusals[] = {
      {"unknown CA", &pki.stranger, false, Errc::kUnknownCa,
       "certificate verify failed: unknown certificate authority (the chain "
       "does not lead to a trusted CA)"},
      {"test CA vs system store", &pki.leaf, true, Errc::kUnknownCa, nullptr},
      {"expired", &pki.expired, false, Errc::kCertificateExpired,
       "certificate verify failed: the certificate has expired"},
      {"wrong name", &pki.wrong_name, false, Errc::kHostnameMismatch,
       "certificate verify failed: the certificate does not match the host "
       "name"},
  };
  for (const Refusal& r : refusals) {
    net::Socket listener = loopback_listener();
    error_code server_ec;
    auto server = serve_handshake(listener, *r.certificate, server_ec);
    const error_code ec = client_handshake(
        listener, r.system_store ? ClientConfig() : pki.trust(), "127.0.0.1");
    server.wait();
    EXPECT_EQ(ec, r.expected) << r.name << ": " << ec.message();
    if (r.message != nullptr) {
      EXPECT_EQ(ec.message(), r.message) << r.name;
    }
    EXPECT_TRUE(server_ec) << r.name << ": the server saw a handshake";
  }
}

TEST_F(StreamTest, LoadsCredentialsAndTrustFromFiles) {
  const TestPki& pki = TestPki::get();
  ServerCredentials files;
  files.certificate_file =
      TestPki::write_pem("files_cert.pem", pki.leaf.certificate);
  files.key_file = TestPki::write_pem("files_key.pem", pki.leaf.key);
  ClientConfig trust;
  trust.ca_file = TestPki::write_pem("files_ca.pem", pki.ca.certificate);
  net::Socket listener = loopback_listener();
  auto server = spawn([&] {
    net::Socket peer = listener.accept();
    Stream stream(peer, Context::server(files));
    stream.handshake(absl::Seconds(30));
  });
  EXPECT_FALSE(client_handshake(listener, trust, "localhost"));
  server.wait();
  // A key that is not the certificate's is refused when the context is made.
  ServerCredentials mismatched = files;
  mismatched.key_file = TestPki::write_pem("other_key.pem", pki.expired.key);
  EXPECT_THROW(Context::server(mismatched), std::runtime_error);
}

TEST_F(StreamTest, InsecureClientAcceptsAnyCertificate) {
  const TestPki& pki = TestPki::get();
  net::Socket listener = loopback_listener();
  error_code server_ec;
  auto server = serve_handshake(listener, pki.stranger, server_ec);
  ClientConfig insecure;
  insecure.verify = false;
  EXPECT_FALSE(client_handshake(listener, insecure, "wrong.example"));
  server.wait();
  EXPECT_FALSE(server_ec) << server_ec.message();
}

TEST_F(StreamTest, HandshakeTimesOutWhenTheServerSaysNothing) {
  // Connections complete in the kernel's backlog; nobody ever answers.
  net::Socket mute = loopback_listener();
  net::Socket socket = net::connect(mute.local_address());
  Stream stream(socket, Context::client(TestPki::get().trust()), "localhost");
  error_code ec;
  stream.handshake(ec, absl::Milliseconds(100));
  EXPECT_EQ(ec, Errc::kHandshakeTimeout);
  EXPECT_EQ(ec, boost::system::errc::timed_out);
  EXPECT_EQ(ec.message(), "TLS handshake timed out");
  EXPECT_FALSE(stream.connected());
  EXPECT_EQ(socket.timeout(), std::nullopt) << "the socket's own is restored";
}

TEST_F(StreamTest, ClientSeesPlainHttpFromTheServer) {
  net::Socket listener = loopback_listener();
  auto server = spawn([&] {
    net::Socket peer = listener.accept();
    char buffer[4096];
    peer.recv(buffer, sizeof buffer);  // the ClientHello, as garbage
    peer.sendall(
        "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n"
        "Connection: close\r\n\r\n");
  });
  const error_code ec =
      client_handshake(listener, TestPki::get().trust(), "localhost");
  server.wait();
  EXPECT_EQ(ec, Errc::kPlainHttpResponse);
  EXPECT_EQ(ec.message(),
            "the server answered in plain HTTP, not TLS (is this an http:// "
            "port?)");
}

TEST_F(StreamTest, ServerSeesPlainHttpFromTheClient) {
  net::Socket listener = loopback_listener();
  error_code server_ec;
  auto server = serve_handshake(listener, TestPki::get().leaf, server_ec);
  net::Socket socket = net::connect(listener.local_address());
  socket.sendall("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n");
  server.wait();
  EXPECT_EQ(server_ec, Errc::kPlainHttpRequest) << server_ec.message();
}

TEST_F(StreamTest, ClosedDuringHandshakeIsNamed) {
  net::Socket listener = loopback_listener();
  auto server = spawn([&] { listener.accept().close(); });
  const error_code ec =
      client_handshake(listener, TestPki::get().trust(), "localhost");
  server.wait();
  // The close may come before or after the ClientHello is written: either
  // way the handshake reports it (a reset surfaces as the socket's error).
  EXPECT_TRUE(ec == Errc::kClosedDuringHandshake ||
              ec == boost::system::errc::connection_reset ||
              ec == boost::system::errc::broken_pipe)
      << ec.message();
}

TEST_F(StreamTest, UnusableBeforeTheHandshake) {
  auto [a, b] = net::Socket::pair();
  Stream stream(a, Context::client(TestPki::get().trust()), "localhost");
  char byte;
  error_code ec;
  EXPECT_EQ(stream.read_some(&byte, 1, ec), 0u);
  EXPECT_EQ(ec, Errc::kNotConnected);
  stream.write_some("x", 1, ec);
  EXPECT_EQ(ec, Errc::kNotConnected);
}

TEST_F(StreamTest, TalksToOpensslSServer) {
  const TestPki& pki = TestPki::get();
  const std::string cert =
      TestPki::write_pem("s_server_cert.pem", pki.leaf.certificate);
  const std::string key = TestPki::write_pem("s_server_key.pem", pki.leaf.key);
  eventlet::testing::ChildProcess s_server(
      {"/usr/bin/openssl", "s_server", "-accept", "127.0.0.1:0", "-cert", cert,
       "-key", key, "-www", "-naccept", "1"});
  // "ACCEPT 127.0.0.1:PORT"
  std::string line;
  do {
    line = s_server.read_line(absl::Seconds(30));
  } while (line.rfind("ACCEPT ", 0) != 0);
  const auto address = net::Address::parse(line.substr(7));
  ASSERT_TRUE(address) << line;

  net::Socket socket = net::connect(*address);
  Stream stream(socket, Context::client(pki.trust()), "localhost");
  stream.handshake(absl::Seconds(30));
  stream.write_all("GET / HTTP/1.0\r\n\r\n");
  std::string reply;
  char buffer[4096];
  for (;;) {
    error_code ec;
    const std::size_t n = stream.read_some(buffer, sizeof buffer, ec);
    if (ec || n == 0) break;  // s_server may close without close_notify
    reply.append(buffer, n);
  }
  EXPECT_EQ(reply.rfind("HTTP/1.0 200 ok", 0), 0u) << reply.substr(0, 200);
  EXPECT_NE(reply.find("TLSv1.3"), std::string::npos) << reply.substr(0, 2000);
}

TEST(StreamSimTest, HandshakeIsRefusedUnderTheSimulator) {
  sim::Result result = sim::run({}, [] {
    net::Socket listener = net::listen(*net::Address::parse("10.0.0.2:443"));
    net::Socket socket = net::connect(listener.local_address());
    Stream stream(socket, Context::client(TestPki::get().trust()), "10.0.0.2");
    error_code ec;
    stream.handshake(ec);
    EXPECT_EQ(ec, Errc::kNotSupportedUnderSimulator);
    EXPECT_EQ(ec.message(),
              "TLS is not supported under the simulator (sim::run): its "
              "in-memory network carries plain bytes only");
  });
  EXPECT_TRUE(result.ok()) << result.summary();
}

}  // namespace
}  // namespace eventlet::tls
