// Copyright 2026 The eventlet-cpp Authors.
#include "green_net/socket.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/resource.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "green_net/convenience.h"
#include "green_net/resolver.h"
#include "greenthread/greenthread.h"
#include "greenthread/timeout.h"
#include "gtest/gtest.h"
#include "hub/hub.h"

namespace eventlet::net {
namespace {

Address loopback(int family = AF_INET) {
  return *Address::from_ip(family == AF_INET ? "127.0.0.1" : "::1", 0);
}

class SocketTest : public ::testing::Test {
 protected:
  void SetUp() override { Hub::destroy_current(); }
  void TearDown() override {
    EXPECT_EQ(Hub::current().listener_count(), 0u);
    Hub::destroy_current();
  }
};

TEST(Address, ParsesAndPrints) {
  EXPECT_EQ(Address::parse("127.0.0.1:80")->to_string(), "127.0.0.1:80");
  EXPECT_EQ(Address::parse("[::1]:8080")->to_string(), "[::1]:8080");
  EXPECT_EQ(Address::parse("unix:/tmp/x.sock")->to_string(),
            "unix:/tmp/x.sock");
  EXPECT_EQ(Address::parse("[::1]:8080")->family(), AF_INET6);
  EXPECT_FALSE(
      Address::parse("localhost:80").has_value());  // names need resolve()
  EXPECT_FALSE(Address::parse("127.0.0.1").has_value());
  EXPECT_FALSE(Address::parse("127.0.0.1:99999").has_value());
  EXPECT_FALSE(Address::parse("::1:80").has_value());
}

TEST_F(SocketTest, TcpEchoOverIpv4AndIpv6) {
  for (int family : {AF_INET, AF_INET6}) {
    Socket server = listen(loopback(family));
    const Address where = server.local_address();
    EXPECT_NE(where.port(), 0);
    auto echo = spawn([&] {
      Address peer;
      Socket conn = server.accept(&peer);
      EXPECT_EQ(peer.family(), family);
      std::string got;
      for (std::string chunk = conn.recv(4096); !chunk.empty();
           chunk = conn.recv(4096)) {
        got += chunk;
      }
      conn.sendall("echo:" + got);
    });
    Socket client = connect(where);
    client.sendall(std::string(100000, 'x'));  // more than one socket buffer
    client.shutdown(SHUT_WR);
    std::string reply;
    for (std::string chunk = client.recv(65536); !chunk.empty();
         chunk = client.recv(65536)) {
      reply += chunk;
    }
    echo.wait();
    EXPECT_EQ(reply, "echo:" + std::string(100000, 'x'));
  }
}

TEST_F(SocketTest, UdpAndUnixSockets) {
  Socket a = Socket::udp();
  a.bind(loopback());
  Socket b = Socket::udp();
  b.bind(loopback());
  auto receiver = spawn([&] {
    char buf[64];
    Address from;
    const std::size_t n = a.recvfrom(buf, sizeof buf, &from);
    return std::string(buf, n) + " from " + std::to_string(from.port());
  });
  sleep();
  b.sendto("datagram", a.local_address());
  EXPECT_EQ(receiver.wait(),
            "datagram from " + std::to_string(b.local_address().port()));

  const std::string path =
      "@eventlet-green-net-test-" + std::to_string(::getpid());
  Socket server = listen(Address::unix_path(path));
  EXPECT_EQ(server.local_address().to_string(), "unix:" + path);
  auto greeter = spawn([&] { server.accept().sendall("hello over unix"); });
  Socket client = connect(Address::unix_path(path));
  EXPECT_EQ(client.recv(100), "hello over unix");
  greeter.wait();
  EXPECT_THROW(Address::unix_path(std::string(200, 'p')),
               std::invalid_argument);
}

TEST_F(SocketTest, SocketTimeoutReportsTimedOut) {
  auto [a, b] = Socket::pair();
  a.set_timeout(absl::Milliseconds(5));
  char c;
  error_code ec;
  EXPECT_EQ(a.recv(&c, 1, ec), 0u);
  EXPECT_EQ(ec, boost::system::errc::timed_out);
  EXPECT_THROW(a.recv(1), boost::system::system_error);
}

// Python's settimeout(0): calls that would wait fail with EAGAIN at once
// (accept, reads, connect with EINPROGRESS); a timeout again waits.
TEST_F(SocketTest, ZeroTimeoutMakesTheSocketNonBlocking) {
  Socket server = listen(loopback());
  server.set_timeout(absl::ZeroDuration());
  error_code ec;
  EXPECT_FALSE(server.accept(nullptr, ec).is_open());
  EXPECT_EQ(ec, boost::system::errc::operation_would_block);

  auto [a, b] = Socket::pair();
  a.set_timeout(absl::ZeroDuration());
  char c;
  a.recv(&c, 1, ec);
  EXPECT_EQ(ec.value(), EAGAIN);
  EXPECT_THROW(a.recv(1), boost::system::system_error);
  b.sendall("x");
  EXPECT_EQ(a.recv(1), "x") << "ready bytes are read as usual";
  a.set_timeout(absl::Milliseconds(5));
  a.recv(&c, 1, ec);
  EXPECT_EQ(ec, boost::system::errc::timed_out);

  Socket client = Socket::tcp();
  client.set_timeout(absl::ZeroDuration());
  client.connect(server.local_address(), ec);
  EXPECT_TRUE(!ec || ec.value() == EINPROGRESS) << ec.message();
}

// recv of 0 bytes waits for readability (readv(2) would say 0 at once, which
// reads as end of stream) and consumes nothing.
TEST_F(SocketTest, ZeroByteRecvWaitsUntilReadable) {
  auto [a, b] = Socket::pair();
  a.set_timeout(absl::Milliseconds(5));
  error_code ec;
  EXPECT_EQ(a.recv(nullptr, 0, ec), 0u);
  EXPECT_EQ(ec, boost::system::errc::timed_out);
  auto reader = spawn([&a = a] { return a.recv(std::size_t{0}); });
  sleep();
  EXPECT_FALSE(reader.dead()) << "still waiting";
  b.sendall("y");
  EXPECT_EQ(reader.wait(), "");
  EXPECT_EQ(a.recv(1), "y") << "nothing was consumed";
  b.close();
  EXPECT_EQ(a.recv(nullptr, 0, ec), 0u);
  EXPECT_FALSE(ec) << "end of stream is readable";
}

TEST_F(SocketTest, GetOptionReadsWhatSetOptionWrote) {
  Socket udp = Socket::udp();
  EXPECT_EQ(udp.get_option(SOL_SOCKET, SO_REUSEADDR), 0);
  udp.set_option(SOL_SOCKET, SO_REUSEADDR, 1);
  EXPECT_EQ(udp.get_option(SOL_SOCKET, SO_REUSEADDR), 1);
  EXPECT_EQ(udp.get_option(SOL_SOCKET, SO_TYPE), SOCK_DGRAM);
  error_code ec;
  udp.get_option(IPPROTO_TCP, TCP_NODELAY, ec);
  EXPECT_TRUE(ec) << "a TCP option on a UDP socket";
  EXPECT_THROW(udp.get_option(IPPROTO_TCP, TCP_NODELAY),
               boost::system::system_error);
}

TEST_F(SocketTest, CloseWakesABlockedReaderWithOperationAborted) {
  auto [a, b] = Socket::pair();
  auto reader = spawn([&a = a] {
    char c;
    error_code ec;
    a.recv(&c, 1, ec);
    return ec;
  });
  sleep();
  a.close();
  const error_code ec = reader.wait();
  EXPECT_EQ(ec.value(), ECANCELED);
  EXPECT_EQ(ec.category(), boost::system::system_category());
}

TEST_F(SocketTest, AnEnclosingTimeoutInterruptsABlockingCall) {
  auto [a, b] = Socket::pair();
  bool expired = false;
  try {
    Timeout t(absl::Milliseconds(5));
    a.recv(10);
  } catch (const TimeoutExpired&) {
    expired = true;
  }
  EXPECT_TRUE(expired);
}

TEST_F(SocketTest, PeerResetAndRefusedConnectionsAreErrors) {
  Socket server = listen(loopback());
  const Address where = server.local_address();
  server.close();
  error_code ec;
  Socket s = Socket::tcp();
  s.connect(where, ec);
  EXPECT_EQ(ec.value(), ECONNREFUSED);

  auto [a, b] = Socket::pair();
  b.close();
  std::string big(1 << 20, 'y');
  a.sendall(big.data(), big.size(), ec);
  EXPECT_EQ(ec.value(), EPIPE);
  EXPECT_EQ(a.recv(10), "");
}

TEST_F(SocketTest, EveryOperationHasAnErrorCodeAndAThrowingForm) {
  auto [a, b] = Socket::pair();
  error_code ec;
  // On a working pair both forms succeed.
  EXPECT_EQ(a.send(std::string_view("ab"), ec), 2u);
  EXPECT_FALSE(ec);
  EXPECT_EQ(a.send("cd", 2), 2u);
  a.sendall(std::string_view("ef"), ec);
  EXPECT_FALSE(ec);
  a.sendall("gh", 2);
  const char more[] = "ij";
  iovec out{const_cast<char*>(more), 2};
  EXPECT_EQ(a.writev(&out, 1), 2u);
  char peeked[2];
  EXPECT_EQ(b.peek(peeked, 2), 2u);
  char buf[4];
  iovec in{buf, 4};
  EXPECT_EQ(b.readv(&in, 1), 4u);
  EXPECT_EQ(std::string(buf, 4), "abcd");
  EXPECT_EQ(b.recv(6, ec), "efghij");
  EXPECT_FALSE(ec);
  // Nothing to peek: the error_code form says would_block, the other throws.
  b.peek(peeked, 2, ec);
  EXPECT_EQ(ec.value(), EAGAIN);
  EXPECT_THROW(b.peek(peeked, 2), boost::system::system_error);
  // TCP options on a Unix socket: ENOTSUP-like errors, reported or thrown.
  a.set_nodelay(true, ec);
  EXPECT_TRUE(ec);
  EXPECT_THROW(a.set_nodelay(true), boost::system::system_error);
  a.set_keepalive(true, ec);
  EXPECT_FALSE(ec) << ec.message();
  // Writing to a closed peer: reported, or thrown.
  b.close();
  std::string big(1 << 20, 'y');
  a.send(std::string_view(big), ec);
  a.sendall(std::string_view(big), ec);
  EXPECT_EQ(ec.value(), EPIPE);
  EXPECT_THROW(a.sendall(big.data(), big.size()), boost::system::system_error);
  EXPECT_THROW(a.writev(&out, 1), boost::system::system_error);
  // Addresses: an unconnected TCP socket has no peer.
  Socket lone = Socket::tcp();
  EXPECT_TRUE(lone.peer_address(ec).empty());
  EXPECT_EQ(ec.value(), ENOTCONN);
  EXPECT_TRUE(lone.peer_address().empty()) << "the plain form never throws";
  EXPECT_FALSE(lone.local_address(ec).empty());
  EXPECT_FALSE(ec);
  // An IPv6 destination for an IPv4 socket.
  Socket udp = Socket::udp();
  const Address v6 = *Address::from_ip("::1", 9);
  udp.sendto(std::string_view("x"), v6, ec);
  EXPECT_TRUE(ec);
  EXPECT_THROW(udp.sendto("x", 1, v6), boost::system::system_error);
}

TEST_F(SocketTest, SecondReaderIsRefusedWithEventletsMessage) {
  auto [a, b] = Socket::pair();
  auto r1 = spawn([&a = a] { return a.recv(1); });
  auto r2 = spawn([&a = a] {
    try {
      a.recv(1);
      return std::string("no error");
    } catch (const std::runtime_error& e) {
      return std::string(e.what()).substr(0, 46);
    }
  });
  sleep();
  b.sendall("x");
  EXPECT_EQ(r1.wait(), "x");
  EXPECT_EQ(r2.wait(), "Second simultaneous read on fileno " +
                           std::to_string(a.fd()) + " detected.");
}

TEST_F(SocketTest, ResolverHandlesNumericNamesAndUnknownHosts) {
  std::vector<Address> v = resolve("127.0.0.1", 80);
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].to_string(), "127.0.0.1:80");
  EXPECT_EQ(resolve("[::1]", 81)[0].to_string(), "[::1]:81");
  std::vector<Address> local = resolve("localhost", 82, AF_INET);
  ASSERT_FALSE(local.empty());
  EXPECT_EQ(local[0].to_string(), "127.0.0.1:82");
  error_code ec;
  EXPECT_TRUE(resolve("no-such-host.invalid", 80, ec).empty());
  EXPECT_EQ(ec.category(), resolver_category());
  EXPECT_FALSE(ec.message().empty());
}

TEST_F(SocketTest, ServeRunsHandlersConcurrentlyAndStopsOnStopServe) {
  Socket server = listen(loopback());
  const Address where = server.local_address();
  std::vector<std::string> seen;
  Hub::current().set_exception_hook([&](const HubException& e) {
    seen.push_back("HOOK " + describe_exception(e.error));
  });
  auto srv = spawn([&] {
    serve(server, [&](Socket conn, Address) {
      std::string msg = conn.recv(100);
      if (msg == "stop") throw StopServe();
      if (msg == "boom") throw std::runtime_error("handler failed");
      conn.sendall("echo:" + msg);
    });
  });
  for (const char* msg : {"hello", "boom", "world"}) {
    Socket c = connect(where);
    c.sendall(msg);
    seen.push_back(c.recv(100));  // "" when the handler failed and closed it
  }
  Socket c = connect(where);
  c.sendall("stop");
  srv.wait();  // serve returned
  Hub::current().set_exception_hook(nullptr);
  std::vector<std::string> want = {"echo:hello",
                                   "HOOK std::runtime_error: handler failed",
                                   "", "echo:world"};
  EXPECT_EQ(seen, want);
}

TEST_F(SocketTest, ServeSurvivesRunningOutOfFileDescriptors) {
  Socket server = listen(loopback());
  const Address where = server.local_address();
  int reports = 0;
  Hub::current().set_exception_hook([&](const HubException&) { ++reports; });
  rlimit old;
  getrlimit(RLIMIT_NOFILE, &old);
  auto srv = spawn([&] {
    serve(server, [](Socket conn, Address) {
      if (conn.recv(100) == "stop") throw StopServe();
    });
  });
  Socket client = Socket::tcp();  // its fd exists before the table fills up
  // Fill the fd table (under a low limit) so that accept() cannot get an fd.
  std::vector<int> hogs;
  rlimit low = old;
  low.rlim_cur = 64;
  ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &low), 0);
  for (int fd; (fd = ::dup(0)) >= 0;) hogs.push_back(fd);
  client.connect(where);  // completes in the kernel's backlog...
  // ...accept fails with EMFILE, is reported, and backs off (retrying, and
  // failing again, without another report) until fds are free again.
  const absl::Duration give_up = Hub::current().now() + absl::Seconds(20);
  while (reports == 0 && Hub::current().now() < give_up) {
    sleep(absl::Milliseconds(1));
  }
  for (int fd : hogs) ::close(fd);
  setrlimit(RLIMIT_NOFILE, &old);
  client.sendall("stop");  // accepted once fds are free again
  srv.wait();
  Hub::current().set_exception_hook(nullptr);
  EXPECT_EQ(reports, 1);  // once per episode
}

}  // namespace
}  // namespace eventlet::net
