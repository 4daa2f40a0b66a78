// Copyright 2026 The eventlet-cpp Authors.
//
// HostNetwork: the Network conformance suite on loopback, on a fresh epoll
// hub per test, and the host-only calls.
#include "green_net/host_network.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <memory>
#include <string>

#include "absl/functional/function_ref.h"
#include "green_net/address.h"
#include "green_net/network_conformance.h"
#include "gtest/gtest.h"
#include "hub/epoll_backend.h"
#include "hub/hub.h"

namespace eventlet::net {
namespace {

struct HostTraits {
  static void run(absl::FunctionRef<void()> body) {
    Hub::destroy_current();
    body();
    Hub::destroy_current();
  }
  static Address address() { return *Address::parse("127.0.0.1:0"); }
  static constexpr NetworkDifferences kDifferences{};  // it is the host
};

INSTANTIATE_TYPED_TEST_SUITE_P(Host, NetworkConformance,
                               ::testing::Types<HostTraits>);

TEST(HostNetworkTest, IsTheNetworkOfAHubWhoseBackendHasNone) {
  Hub::destroy_current();
  EXPECT_EQ(&current_network(), &HostNetwork::instance());
  Hub::destroy_current();
  HostNetwork injected;
  Hub::install(std::make_unique<EpollBackend>(&injected));
  EXPECT_EQ(&current_network(), &injected);
  Hub::destroy_current();
}

TEST(HostNetworkTest, SocketsAreNonBlockingAndCloseOnExec) {
  int err = 0;
  int fds[2];
  ASSERT_EQ(HostNetwork::socket_pair(fds, err), 0);
  const int s = HostNetwork::instance().socket(AF_INET, SOCK_STREAM, err);
  ASSERT_GE(s, 0);
  for (int fd : {fds[0], fds[1], s}) {
    EXPECT_TRUE(fcntl(fd, F_GETFL) & O_NONBLOCK) << fd;
    EXPECT_TRUE(fcntl(fd, F_GETFD) & FD_CLOEXEC) << fd;
  }
  ::close(s);
  ::close(fds[1]);
  // adopt() makes a blocking fd from elsewhere fit for the hub.
  ASSERT_EQ(::fcntl(fds[0], F_SETFL, 0), 0);
  ASSERT_EQ(::fcntl(fds[0], F_SETFD, 0), 0);
  HostNetwork::adopt(fds[0]);
  EXPECT_TRUE(fcntl(fds[0], F_GETFL) & O_NONBLOCK);
  EXPECT_TRUE(fcntl(fds[0], F_GETFD) & FD_CLOEXEC);
  ::close(fds[0]);
}

// Reads take socket calls (recv, recvmsg) but still read a pipe, as readv(2)
// did: a greenly read child's stdout is a pipe. Writes are for sockets only.
TEST(HostNetworkTest, ReadvAlsoReadsPipes) {
  int fds[2];
  ASSERT_EQ(::pipe2(fds, O_NONBLOCK | O_CLOEXEC), 0);
  ASSERT_EQ(::write(fds[1], "abcdefg", 7), 7);
  HostNetwork& net = HostNetwork::instance();
  int err = 0;
  char one[3];
  iovec single{one, sizeof one};
  EXPECT_EQ(net.readv(fds[0], &single, 1, err), 3);
  EXPECT_EQ(std::string(one, 3), "abc");
  char two[2];
  char three[2];
  iovec pair[2] = {{two, sizeof two}, {three, sizeof three}};
  EXPECT_EQ(net.readv(fds[0], pair, 2, err), 4);
  EXPECT_EQ(std::string(two, 2) + std::string(three, 2), "defg");
  EXPECT_EQ(net.readv(fds[0], &single, 1, err), -1);
  EXPECT_EQ(err, EAGAIN) << "empty pipe";
  iovec out{one, 1};
  EXPECT_EQ(net.writev(fds[1], &out, 1, err), -1);
  EXPECT_EQ(err, ENOTSOCK);
  ::close(fds[1]);
  EXPECT_EQ(net.readv(fds[0], &single, 1, err), 0) << "end of the pipe";
  ::close(fds[0]);
}

}  // namespace
}  // namespace eventlet::net
