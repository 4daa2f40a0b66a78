// Copyright 2026 The eventlet-cpp Authors.
//
// network_conformance.h: the typed test suite every net::Network must pass.
//
// Each test drives the network under test through its Network interface on a
// real hub: it opens sockets with Network::socket(), and where a call says
// EAGAIN or EINPROGRESS it waits for readiness with Hub::wait_for_io(), as
// net::Socket does. The suite is parameterised by a *traits* type; a
// network's own test instantiates it:
//
//   struct HostTraits {
//     // Runs `body` on a hub whose sockets live in the network under test
//     // (net::current_network()) and returns once it has returned.
//     static void run(absl::FunctionRef<void()> body);
//     // Where the tests bind listeners and datagram sockets (port 0).
//     static net::Address address();
//     // Where the network legitimately differs from the host's (below).
//     static constexpr NetworkDifferences kDifferences{};
//   };
//   INSTANTIATE_TYPED_TEST_SUITE_P(Host, NetworkConformance,
//                                  ::testing::Types<HostTraits>);
//
// The host's network passes on loopback (green_net/host_network_test.cc),
// SimNetwork under sim::run (sim/sim_network_conformance_test.cc). Waits are
// bounded by kWait, far above any scheduling delay on a loaded machine, so a
// broken network fails instead of hanging; the tests assert no timing.
#ifndef EVENTLET_GREEN_NET_NETWORK_CONFORMANCE_H_
#define EVENTLET_GREEN_NET_NETWORK_CONFORMANCE_H_

#include <sys/socket.h>
#include <sys/uio.h>

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/time/time.h"
#include "green_net/address.h"
#include "green_net/host_network.h"
#include "green_net/network.h"
#include "gtest/gtest.h"
#include "hub/hub.h"

namespace eventlet::net {

// What a network may do otherwise than the host's; the defaults are the
// host's behaviour, and the suite checks each way.
struct NetworkDifferences {
  // get_option() reads back what set_option() set (else it fails with
  // ENOPROTOOPT: the network models no options).
  bool models_options = true;
  // An unbound socket's local_address() names the wildcard address with
  // port 0 (else it is empty: no address yet).
  bool names_unbound_sockets = true;
  // socket(AF_UNIX, SOCK_STREAM) works (else EAFNOSUPPORT).
  bool unix_sockets = true;
};

template <typename Traits>
class NetworkConformance : public ::testing::Test {
 protected:
  static constexpr absl::Duration kWait = absl::Seconds(30);

  // A connected stream: the client's socket and the one its listener
  // accepted.
  struct Connection {
    int client = -1;
    int server = -1;
  };

  // Runs body(network) on a hub of the network under test, then closes the
  // sockets it opened and left open.
  void Run(absl::FunctionRef<void(Network&)> body) {
    Traits::run([&] {
      net_ = &current_network();
      body(*net_);
      for (int s : open_) forget_and_close(s);
      open_.clear();
      net_ = nullptr;
    });
  }

  // A new socket of the address's family, closed at the end of Run().
  int Open(int type) {
    int err = 0;
    const int s = net_->socket(Traits::address().family(), type, err);
    EXPECT_GE(s, 0) << std::strerror(err);
    if (s >= 0) open_.push_back(s);
    return s;
  }
  void Close(int s) {
    forget_and_close(s);
    open_.erase(std::remove(open_.begin(), open_.end(), s), open_.end());
  }
  // A socket of `type` bound to Traits::address(); its address in `*bound`.
  int Bound(int type, Address* bound) {
    const int s = Open(type);
    int err = 0;
    EXPECT_EQ(net_->bind(s, Traits::address(), err), 0) << std::strerror(err);
    *bound = net_->local_address(s);
    EXPECT_NE(bound->port(), 0) << "bind to port 0 picks a port";
    return s;
  }
  // A listening stream socket; its address in `*bound`.
  int Listener(Address* bound) {
    const int s = Bound(SOCK_STREAM, bound);
    int err = 0;
    EXPECT_EQ(net_->listen(s, 16, err), 0) << std::strerror(err);
    return s;
  }
  // True when `s` became ready for `event` within kWait.
  bool Wait(int s, IoEvents event) {
    return Hub::current().wait_for_io(s, event, kWait) == IoWaitResult::kReady;
  }

  // Connects a new socket to `listener` (at `address`) and accepts it.
  Connection Connect(int listener, const Address& address) {
    Connection c;
    c.client = Open(SOCK_STREAM);
    int err = 0;
    if (net_->connect(c.client, address, err) != 0) {
      EXPECT_EQ(err, EINPROGRESS) << std::strerror(err);
      EXPECT_TRUE(Wait(c.client, kWrite)) << "the connect never completed";
      EXPECT_EQ(net_->connect_error(c.client), 0);
    }
    EXPECT_TRUE(Wait(listener, kRead)) << "no connection to accept";
    c.server = net_->accept(listener, nullptr, err);
    EXPECT_GE(c.server, 0) << std::strerror(err);
    if (c.server >= 0) open_.push_back(c.server);
    return c;
  }
  Connection Connected() {
    Address address;
    return Connect(Listener(&address), address);
  }

  void Write(int s, std::string_view data) {
    iovec iov{const_cast<char*>(data.data()), data.size()};
    int err = 0;
    EXPECT_EQ(net_->writev(s, &iov, 1, err), static_cast<long>(data.size()))
        << std::strerror(err);
  }
  // Reads until `size` bytes came, the stream ended or it failed ("errno N").
  std::string Read(int s, std::size_t size) {
    std::string out;
    char buffer[4096];
    while (out.size() < size) {
      iovec iov{buffer, std::min(sizeof buffer, size - out.size())};
      int err = 0;
      const long n = net_->readv(s, &iov, 1, err);
      if (n == 0) break;
      if (n > 0) {
        out.append(buffer, static_cast<std::size_t>(n));
      } else if (err != EAGAIN || !Wait(s, kRead)) {
        return out + "errno " + std::to_string(err);
      }
    }
    return out;
  }
  // The next datagram on `s` into a buffer of `size` bytes, waiting for it.
  std::string Receive(int s, std::size_t size, Address* from) {
    std::string buffer(size, '\0');
    int err = 0;
    long n;
    while ((n = net_->recvfrom(s, buffer.data(), size, from, err)) < 0) {
      if (err != EAGAIN || !Wait(s, kRead))
        return "errno " + std::to_string(err);
    }
    buffer.resize(static_cast<std::size_t>(n));
    return buffer;
  }

  Network* net_ = nullptr;

 private:
  void forget_and_close(int s) {
    Hub::current().notify_close(s);
    net_->close(s);
  }
  std::vector<int> open_;
};

TYPED_TEST_SUITE_P(NetworkConformance);

TYPED_TEST_P(NetworkConformance, ListenAcceptConnectAndTheirAddresses) {
  this->Run([&](Network& net) {
    Address address;
    const int listener = this->Listener(&address);
    int err = 0;
    Address peer;
    EXPECT_EQ(net.accept(listener, &peer, err), -1);
    EXPECT_EQ(err, EAGAIN) << "nobody has connected yet";
    const int client = this->Open(SOCK_STREAM);
    const int rc = net.connect(client, address, err);
    if (rc != 0) {
      ASSERT_EQ(err, EINPROGRESS) << "a non-blocking connect";
      ASSERT_TRUE(this->Wait(client, kWrite));
      EXPECT_EQ(net.connect_error(client), 0);
    }
    ASSERT_TRUE(this->Wait(listener, kRead));
    const int server = net.accept(listener, &peer, err);
    ASSERT_GE(server, 0) << std::strerror(err);
    this->Close(server);
    EXPECT_EQ(peer, net.local_address(client));
    EXPECT_EQ(net.peer_address(client), address);
    // Connecting again starts nothing (the host may report the completed
    // connect once more, as 0, before it says EISCONN).
    if (net.connect(client, address, err) != 0) {
      EXPECT_EQ(err, EISCONN);
    }
    EXPECT_EQ(net.connect(client, address, err), -1);
    EXPECT_EQ(err, EISCONN);
    EXPECT_EQ(net.accept(listener, &peer, err), -1);
    EXPECT_EQ(err, EAGAIN) << "the one connection was taken";
  });
}

TYPED_TEST_P(NetworkConformance, AcceptedSocketsKnowBothEnds) {
  this->Run([&](Network& net) {
    Address address;
    const int listener = this->Listener(&address);
    auto [client, server] = this->Connect(listener, address);
    EXPECT_EQ(net.local_address(server), address);
    EXPECT_EQ(net.peer_address(server), net.local_address(client));
    EXPECT_NE(server, client);
    EXPECT_NE(server, listener);
  });
}

TYPED_TEST_P(NetworkConformance, ConnectToAPortNobodyListensOnIsRefused) {
  this->Run([&](Network& net) {
    Address address;
    this->Bound(SOCK_STREAM, &address);  // holds the port, never listens
    const int client = this->Open(SOCK_STREAM);
    int err = 0;
    ASSERT_EQ(net.connect(client, address, err), -1);
    if (err == EINPROGRESS) {
      ASSERT_TRUE(this->Wait(client, kWrite)) << "a refusal makes it writable";
      err = net.connect_error(client);
    }
    EXPECT_EQ(err, ECONNREFUSED);
  });
}

TYPED_TEST_P(NetworkConformance, ScatterGatherAndEagainWhenNothingArrived) {
  this->Run([&](Network& net) {
    auto [client, server] = this->Connected();
    char buffer[16];
    iovec one{buffer, sizeof buffer};
    int err = 0;
    EXPECT_EQ(net.readv(server, &one, 1, err), -1);
    EXPECT_EQ(err, EAGAIN);
    std::string hello = "hello", world = " world";
    iovec out[2] = {{hello.data(), hello.size()}, {world.data(), world.size()}};
    EXPECT_EQ(net.writev(client, out, 2, err), 11);
    ASSERT_TRUE(this->Wait(server, kRead));
    char head[4], tail[32];
    iovec in[2] = {{head, sizeof head}, {tail, sizeof tail}};
    const long n = net.readv(server, in, 2, err);
    ASSERT_GE(n, 4L) << "one segment on its way: all of it or a prefix";
    const std::string got =
        std::string(head, 4) +
        std::string(tail, static_cast<std::size_t>(n - 4)) +
        this->Read(server, static_cast<std::size_t>(11 - n));
    EXPECT_EQ(got, "hello world");
    EXPECT_EQ(net.readv(server, &one, 1, err), -1);
    EXPECT_EQ(err, EAGAIN) << "all of it was read";
  });
}

TYPED_TEST_P(NetworkConformance, PeekCopiesWithoutConsuming) {
  this->Run([&](Network& net) {
    auto [client, server] = this->Connected();
    char buffer[8];
    int err = 0;
    EXPECT_EQ(net.peek(server, buffer, sizeof buffer, err), -1);
    EXPECT_EQ(err, EAGAIN);
    this->Write(client, "hello");
    ASSERT_TRUE(this->Wait(server, kRead));
    ASSERT_EQ(net.peek(server, buffer, 3, err), 3);
    EXPECT_EQ(std::string_view(buffer, 3), "hel");
    ASSERT_EQ(net.peek(server, buffer, 3, err), 3) << "peek again: the same";
    EXPECT_EQ(std::string_view(buffer, 3), "hel");
    EXPECT_EQ(this->Read(server, 5), "hello");
  });
}

TYPED_TEST_P(NetworkConformance, ShutdownWriteEndsTheStreamOneWay) {
  this->Run([&](Network& net) {
    auto [client, server] = this->Connected();
    this->Write(client, "last");
    int err = 0;
    ASSERT_EQ(net.shutdown(client, SHUT_WR, err), 0) << std::strerror(err);
    EXPECT_EQ(this->Read(server, 100), "last") << "then end of stream";
    char byte;
    EXPECT_EQ(net.peek(server, &byte, 1, err), 0) << "end of stream";
    iovec iov{&byte, 1};
    EXPECT_EQ(net.readv(server, &iov, 1, err), 0) << "and it stays ended";
    std::string more = "more";
    iovec out{more.data(), more.size()};
    EXPECT_EQ(net.writev(client, &out, 1, err), -1);
    EXPECT_EQ(err, EPIPE) << "the writing side is shut";
    this->Write(server, "back");
    EXPECT_EQ(this->Read(client, 4), "back") << "the other way stays open";
  });
}

TYPED_TEST_P(NetworkConformance, CloseEndsThePeersStreamAndItsWrites) {
  this->Run([&](Network& net) {
    auto [client, server] = this->Connected();
    this->Close(client);
    EXPECT_EQ(this->Read(server, 100), "");
    // The host may accept a write or two before the peer's reset comes back.
    std::string data = "x";
    iovec iov{data.data(), data.size()};
    int err = 0;
    long rc = 0;
    for (int i = 0; i < 100 && rc >= 0; ++i) {
      rc = net.writev(server, &iov, 1, err);
      if (rc >= 0) {
        ASSERT_TRUE(this->Wait(server, kWrite));
      }
    }
    ASSERT_EQ(rc, -1) << "writes to a closed peer never fail";
    EXPECT_TRUE(err == EPIPE || err == ECONNRESET) << std::strerror(err);
  });
}

TYPED_TEST_P(NetworkConformance, ClosingAListenerResetsConnectionsNotAccepted) {
  this->Run([&](Network& net) {
    Address address;
    const int listener = this->Listener(&address);
    const int client = this->Open(SOCK_STREAM);
    int err = 0;
    if (net.connect(client, address, err) != 0) {
      ASSERT_EQ(err, EINPROGRESS);
      ASSERT_TRUE(this->Wait(client, kWrite));
      ASSERT_EQ(net.connect_error(client), 0) << "queued on the listener";
    }
    this->Close(listener);
    EXPECT_EQ(this->Read(client, 1), "errno " + std::to_string(ECONNRESET));
  });
}

TYPED_TEST_P(NetworkConformance, AFullWindowSaysEagainUntilThePeerReads) {
  this->Run([&](Network& net) {
    auto [client, server] = this->Connected();
    const std::string chunk(64 * 1024, 'w');
    iovec iov{const_cast<char*>(chunk.data()), chunk.size()};
    std::size_t written = 0;
    int err = 0;
    for (;;) {
      const long n = net.writev(client, &iov, 1, err);
      if (n < 0) break;
      written += static_cast<std::size_t>(n);
      ASSERT_LT(written, std::size_t{256} << 20) << "never said EAGAIN";
    }
    ASSERT_EQ(err, EAGAIN);
    EXPECT_EQ(this->Read(server, written), std::string(written, 'w'));
    ASSERT_TRUE(this->Wait(client, kWrite)) << "writable once read";
    EXPECT_GT(net.writev(client, &iov, 1, err), 0) << std::strerror(err);
  });
}

TYPED_TEST_P(NetworkConformance, DatagramsKeepTheirBoundariesAndSender) {
  this->Run([&](Network& net) {
    Address a_address, b_address;
    const int a = this->Bound(SOCK_DGRAM, &a_address);
    const int b = this->Bound(SOCK_DGRAM, &b_address);
    char buffer[8];
    Address from;
    int err = 0;
    EXPECT_EQ(net.recvfrom(b, buffer, sizeof buffer, &from, err), -1);
    EXPECT_EQ(err, EAGAIN);
    const std::string first = "first datagram", second = "second";
    EXPECT_EQ(net.sendto(a, first.data(), first.size(), b_address, err),
              static_cast<long>(first.size()));
    EXPECT_EQ(net.sendto(a, second.data(), second.size(), b_address, err),
              static_cast<long>(second.size()));
    EXPECT_EQ(this->Receive(b, 5, &from), "first") << "the rest is discarded";
    EXPECT_EQ(from, a_address);
    EXPECT_EQ(this->Receive(b, 100, &from), "second");
  });
}

TYPED_TEST_P(NetworkConformance, AConnectedDatagramSocketHasADefaultPeer) {
  this->Run([&](Network& net) {
    Address a_address, b_address;
    const int a = this->Bound(SOCK_DGRAM, &a_address);
    const int b = this->Bound(SOCK_DGRAM, &b_address);
    std::string data = "to b";
    iovec iov{data.data(), data.size()};
    int err = 0;
    EXPECT_EQ(net.writev(a, &iov, 1, err), -1);
    EXPECT_EQ(err, EDESTADDRREQ) << "no destination yet";
    ASSERT_EQ(net.connect(a, b_address, err), 0) << std::strerror(err);
    EXPECT_EQ(net.peer_address(a), b_address);
    EXPECT_EQ(net.writev(a, &iov, 1, err), 4);
    Address from;
    EXPECT_EQ(this->Receive(b, 100, &from), "to b");
    EXPECT_EQ(from, a_address);
  });
}

TYPED_TEST_P(NetworkConformance, CallsInTheWrongStateFail) {
  this->Run([&](Network& net) {
    Address address;
    const int bound = this->Bound(SOCK_STREAM, &address);
    const int fresh = this->Open(SOCK_STREAM);
    int err = 0;
    EXPECT_EQ(net.bind(fresh, address, err), -1);
    EXPECT_EQ(err, EADDRINUSE);
    EXPECT_EQ(net.bind(bound, TypeParam::address(), err), -1);
    EXPECT_EQ(err, EINVAL) << "bound already";
    Address peer;
    EXPECT_EQ(net.accept(bound, &peer, err), -1);
    EXPECT_EQ(err, EINVAL) << "not listening";
    char buffer[4];
    iovec iov{buffer, sizeof buffer};
    EXPECT_EQ(net.readv(fresh, &iov, 1, err), -1);
    EXPECT_EQ(err, ENOTCONN);
    EXPECT_EQ(net.shutdown(fresh, SHUT_WR, err), -1);
    EXPECT_EQ(err, ENOTCONN);
    EXPECT_TRUE(net.peer_address(fresh).empty());
    const int datagram = this->Open(SOCK_DGRAM);
    EXPECT_EQ(net.listen(datagram, 1, err), -1);
    EXPECT_EQ(err, EOPNOTSUPP);
  });
}

TYPED_TEST_P(NetworkConformance, CallsOnNoSocketSayEbadf) {
  this->Run([&](Network& net) {
    constexpr int kNone = -1;
    char buffer[4];
    iovec iov{buffer, sizeof buffer};
    Address address = TypeParam::address();
    int err = 0;
    auto expect_ebadf = [&err](const char* call, long rc) {
      EXPECT_EQ(rc, -1) << call;
      EXPECT_EQ(err, EBADF) << call;
      err = 0;
    };
    expect_ebadf("bind", net.bind(kNone, address, err));
    expect_ebadf("listen", net.listen(kNone, 1, err));
    expect_ebadf("accept", net.accept(kNone, &address, err));
    expect_ebadf("connect", net.connect(kNone, address, err));
    expect_ebadf("readv", net.readv(kNone, &iov, 1, err));
    expect_ebadf("peek", net.peek(kNone, buffer, sizeof buffer, err));
    expect_ebadf("writev", net.writev(kNone, &iov, 1, err));
    expect_ebadf("recvfrom", net.recvfrom(kNone, buffer, 1, &address, err));
    expect_ebadf("sendto", net.sendto(kNone, buffer, 1, address, err));
    expect_ebadf("shutdown", net.shutdown(kNone, SHUT_RDWR, err));
    expect_ebadf("set_option",
                 net.set_option(kNone, SOL_SOCKET, SO_REUSEADDR, 1, err));
    EXPECT_EQ(net.connect_error(kNone), EBADF);
    EXPECT_TRUE(net.local_address(kNone).empty());
    EXPECT_TRUE(net.peer_address(kNone).empty());
    net.close(kNone);  // harmless
  });
}

TYPED_TEST_P(NetworkConformance, OptionsAreAcceptedAndModelledOrNot) {
  this->Run([&](Network& net) {
    const int s = this->Open(SOCK_STREAM);
    int err = 0;
    EXPECT_EQ(net.set_option(s, SOL_SOCKET, SO_REUSEADDR, 1, err), 0);
    EXPECT_EQ(net.set_option(s, SOL_SOCKET, SO_REUSEPORT, 1, err), 0);
    EXPECT_EQ(net.set_option(s, SOL_SOCKET, SO_KEEPALIVE, 1, err), 0);
    int value = 0;
    const int rc = net.get_option(s, SOL_SOCKET, SO_REUSEADDR, value, err);
    if constexpr (TypeParam::kDifferences.models_options) {
      EXPECT_EQ(rc, 0) << std::strerror(err);
      EXPECT_EQ(value, 1);
    } else {
      EXPECT_EQ(rc, -1);
      EXPECT_EQ(err, ENOPROTOOPT);
    }
  });
}

TYPED_TEST_P(NetworkConformance, UnboundAndUnixSocketsAsTheTraitsSay) {
  this->Run([&](Network& net) {
    const int s = this->Open(SOCK_STREAM);
    const Address local = net.local_address(s);
    if constexpr (TypeParam::kDifferences.names_unbound_sockets) {
      EXPECT_FALSE(local.empty());
      EXPECT_EQ(local.port(), 0);
    } else {
      EXPECT_TRUE(local.empty()) << local.to_string();
    }
    int err = 0;
    const int unix_socket = net.socket(AF_UNIX, SOCK_STREAM, err);
    if constexpr (TypeParam::kDifferences.unix_sockets) {
      EXPECT_GE(unix_socket, 0) << std::strerror(err);
      net.close(unix_socket);
    } else {
      EXPECT_EQ(unix_socket, -1);
      EXPECT_EQ(err, EAFNOSUPPORT);
    }
  });
}

REGISTER_TYPED_TEST_SUITE_P(
    NetworkConformance, ListenAcceptConnectAndTheirAddresses,
    AcceptedSocketsKnowBothEnds, ConnectToAPortNobodyListensOnIsRefused,
    ScatterGatherAndEagainWhenNothingArrived, PeekCopiesWithoutConsuming,
    ShutdownWriteEndsTheStreamOneWay, CloseEndsThePeersStreamAndItsWrites,
    ClosingAListenerResetsConnectionsNotAccepted,
    AFullWindowSaysEagainUntilThePeerReads,
    DatagramsKeepTheirBoundariesAndSender,
    AConnectedDatagramSocketHasADefaultPeer, CallsInTheWrongStateFail,
    CallsOnNoSocketSayEbadf, OptionsAreAcceptedAndModelledOrNot,
    UnboundAndUnixSocketsAsTheTraitsSay);

}  // namespace eventlet::net

#endif  // EVENTLET_GREEN_NET_NETWORK_CONFORMANCE_H_
