// Copyright 2026 The eventlet-cpp Authors.
//
// Conformance: eventlet's tests/convenience_test.py (see event_test.cc for how
// these ports are written; docs/conformance.md keeps the table). Real sockets
// on loopback, on a fresh epoll hub per test; nothing here depends on timing
// except as an upper bound.
#include "green_net/convenience.h"

#include <sys/socket.h>

#include <cerrno>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "green_net/host_network.h"
#include "green_net/socket.h"
#include "green_net/tls/context.h"
#include "green_net/tls/stream.h"
#include "green_net/tls/testing/test_pki.h"
#include "greenthread/event.h"
#include "greenthread/greenthread.h"
#include "greenthread/timeout.h"
#include "gtest/gtest.h"
#include "hub/epoll_backend.h"
#include "hub/hook_reports_for_test.h"
#include "hub/hub.h"

namespace eventlet::net {
namespace {

using ::testing::HasSubstr;
using ::testing::SizeIs;

class ConvenienceTest : public ::testing::Test {
 protected:
  void SetUp() override { Hub::destroy_current(); }
  void TearDown() override { Hub::destroy_current(); }
  static Address localhost() { return *Address::parse("127.0.0.1:0"); }
};

// True once the peer has closed: end of stream, or a reset (closing a socket
// with unread bytes makes the kernel send RST instead of FIN, depending on
// whether the client's bytes arrived first).
bool PeerClosed(Socket& client) {
  error_code ec;
  char buf[100];
  const std::size_t n = client.recv(buf, sizeof buf, ec);
  return (!ec && n == 0) || ec.value() == ECONNRESET;
}

// The server closes the client's connection when the handler returns.
TEST_F(ConvenienceTest, TestExitingServer) {
  Socket l = listen(localhost());
  auto gt = spawn([&] { serve(l, [](Socket, Address) {}); });
  Socket client = connect(l.local_address());
  client.sendall("a");
  EXPECT_TRUE(PeerClosed(client));
  gt.kill();
}

// eventlet's serve() re-raises a handler's exception and stops; ours reports
// it to the hub's hook, closes that connection and keeps serving.
TEST_F(ConvenienceTest, TestExceptingServer) {
  HookReports hook;
  Socket l = listen(localhost());
  auto gt = spawn([&] {
    serve(l, [](Socket sock, Address) {
      sock.recv(1024);
      throw std::domain_error("division by zero");
    });
  });
  Socket client = connect(l.local_address());
  client.sendall("a");
  EXPECT_TRUE(PeerClosed(client)) << "the connection is closed";
  EXPECT_FALSE(gt.dead()) << "the server goes on";
  Socket second = connect(l.local_address());
  second.sendall("b");
  EXPECT_TRUE(PeerClosed(second));
  gt.kill();
  ASSERT_THAT(hook.lines, SizeIs(2));
  EXPECT_THAT(hook.lines[0], HasSubstr("std::domain_error: division by zero"));
}

TEST_F(ConvenienceTest, TestExceptingServerAlreadyClosed) {
  HookReports hook;
  Socket l = listen(localhost());
  auto gt = spawn([&] {
    serve(l, [](Socket sock, Address) {
      sock.recv(1024);
      sock.close();
      throw std::domain_error("division by zero");
    });
  });
  Socket client = connect(l.local_address());
  client.sendall("a");
  EXPECT_TRUE(PeerClosed(client));
  EXPECT_FALSE(gt.dead());
  gt.kill();
  EXPECT_THAT(hook.lines, SizeIs(1));
}

TEST_F(ConvenienceTest, TestCalledForEachConnection) {
  int hits = 0;
  Socket l = listen(localhost());
  auto gt = spawn([&] { serve(l, [&](Socket, Address) { ++hits; }); });
  for (int i = 0; i < 100; ++i) {
    Socket client = connect(l.local_address());
    EXPECT_TRUE(PeerClosed(client));
  }
  gt.kill();
  EXPECT_EQ(hits, 100);
}

TEST_F(ConvenienceTest, TestBlocking) {
  Socket l = listen(localhost());
  const std::string x =
      with_timeout_or(absl::Milliseconds(10), std::string("timeout"), [&] {
        serve(l, [](Socket, Address) {});
        return std::string("returned");
      });
  EXPECT_EQ(x, "timeout");
}

TEST_F(ConvenienceTest, TestRaisingStopserve) {
  Socket l = listen(localhost());
  auto gt = spawn([&] { return connect(l.local_address()); });
  serve(l, [](Socket, Address) { throw StopServe(); });  // returns
  gt.wait();
}

TEST_F(ConvenienceTest, TestConcurrency) {
  Event<> evt;
  Socket l = listen(localhost());
  auto server = spawn([&] {
    serve(
        l,
        [&](Socket sock, Address) {
          sock.sendall("hi");
          evt.wait();
        },
        5);
  });
  auto test_client = [&] {
    Socket c = connect(l.local_address());
    EXPECT_EQ(c.recv(2), "hi") << "connected and served";
    return c;
  };
  std::vector<Socket> clients;
  for (int i = 0; i < 5; ++i) clients.push_back(test_client());
  // The pool is full: the sixth is accepted but never served.
  const std::string x =
      with_timeout_or(absl::Milliseconds(10), std::string("timed out"), [&] {
        Socket c = connect(l.local_address());
        return c.recv(2);
      });
  EXPECT_EQ(x, "timed out");
  evt.send();
  server.kill();
}

// eventlet's wrap_ssl around a listener and a client: here tls::Stream on
// each accepted connection and on the client's socket.
TEST_F(ConvenienceTest, TestWrapSsl) {
  const tls::testing::TestPki& pki = tls::testing::TestPki::get();
  const tls::Context server_context =
      tls::Context::server(pki.leaf.as_server());
  const tls::Context client_context = tls::Context::client(pki.trust());
  Socket l = listen(localhost());
  auto server = spawn([&] {
    serve(l, [&](Socket sock, Address) {
      tls::Stream stream(sock, server_context);
      stream.handshake(absl::Seconds(10));
      char buf[1024];
      const std::size_t n = stream.read_some(buf, sizeof buf);
      stream.write_all(std::string_view(buf, n));
      throw StopServe();
    });
  });
  Socket raw = connect(l.local_address());
  tls::Stream client(raw, client_context, "localhost");
  client.handshake(absl::Seconds(10));
  client.write_all("echo");
  char buf[1024];
  const std::size_t n = client.read_some(buf, sizeof buf);
  EXPECT_EQ(std::string_view(buf, n), "echo");
  server.wait();  // StopServe ended serve()
}

// A port first bound without SO_REUSEPORT can be bound again by two
// listeners that set it (listen() sets it unless the port is 0).
TEST_F(ConvenienceTest, TestSocketReuse) {
  Address addr;
  std::optional<Socket> first;
  for (int attempt = 0; attempt < 5 && !first; ++attempt) {
    Socket probe = listen(localhost());
    addr = probe.local_address();
    probe.close();
    try {
      first = listen(addr);
    } catch (const boost::system::system_error&) {
      // Someone else took the port meanwhile: try another.
    }
  }
  ASSERT_TRUE(first.has_value());
  Socket second = listen(addr);
  EXPECT_EQ(second.local_address().port(), addr.port());
}

// The host's sockets, but setsockopt(SO_REUSEPORT) fails with `error`, as
// eventlet's test patches socket.setsockopt to raise OSError(22).
class ReuseportFails final : public HostNetwork {
 public:
  explicit ReuseportFails(int error) : error_(error) {}
  int set_option(int s, int level, int name, int value, int& err) override {
    if (level != SOL_SOCKET || name != SO_REUSEPORT)
      return HostNetwork::set_option(s, level, name, value, err);
    ++refused;
    err = error_;
    return -1;
  }
  void close(int s) override {
    ++closed;
    HostNetwork::close(s);
  }
  int refused = 0;
  int closed = 0;

 private:
  int error_;
};

// A platform that does not support SO_REUSEPORT says EINVAL (or
// ENOPROTOOPT): listen() goes on without it, as eventlet's does. Any other
// failure is reported by throwing, and the half-made socket is closed.
TEST_F(ConvenienceTest, TestReuseportOserror) {
  ListenOptions options;
  options.reuse_addr = false;
  options.reuse_port = true;
  for (int unsupported : {EINVAL, ENOPROTOOPT}) {
    ReuseportFails network(unsupported);
    Hub::install(std::make_unique<EpollBackend>(&network));
    Socket s = listen(localhost(), options);
    EXPECT_EQ(network.refused, 1);
    EXPECT_NE(s.local_address().port(), 0) << "it listens";
    s.close();
    EXPECT_EQ(network.closed, 1);
    Hub::destroy_current();
  }
  ReuseportFails network(EPERM);
  Hub::install(std::make_unique<EpollBackend>(&network));
  try {
    listen(localhost(), options);
    ADD_FAILURE() << "listen() hid the failure";
  } catch (const boost::system::system_error& e) {
    EXPECT_EQ(e.code().value(), EPERM);
    EXPECT_THAT(e.what(), HasSubstr("SO_REUSEPORT"));
  }
  EXPECT_EQ(network.refused, 1);
  EXPECT_EQ(network.closed, 1) << "the socket was closed";
  Hub::destroy_current();
}

}  // namespace
}  // namespace eventlet::net
