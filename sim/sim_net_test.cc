// Copyright 2026 The eventlet-cpp Authors.
//
// SimNetwork on its own: the calls net::Socket makes, with a hand-moved
// virtual clock standing in for the hosting backend.
#include "sim/sim_net.h"

#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "gtest/gtest.h"

namespace eventlet::sim {
namespace {

class SimNetTest : public ::testing::Test {
 protected:
  SimNetTest() : net_([this] { return now_; }, Rng(42, Stream::kNetwork)) {}

  // Moves the clock to the next delivery and delivers (what a backend does).
  bool step() {
    const std::int64_t next = net_.next_delivery();
    if (next == Backend::kNoDeadline) return false;
    now_ = next;
    net_.deliver_due(now_);
    return true;
  }
  void run() {
    while (step()) {
    }
  }
  std::uint32_t ready(int s) {
    net_.watch(s, kRead | kWrite);
    std::vector<IoReady> out;
    net_.collect_ready(&out);
    net_.unwatch(s);
    for (const IoReady& r : out) {
      if (r.fd == s) return r.events;
    }
    return 0;
  }
  int listener(const char* host, std::uint16_t port) {
    int err = 0;
    const int s = net_.socket(AF_INET, SOCK_STREAM, err);
    EXPECT_EQ(net_.bind(s, *net::Address::from_ip(host, port), err), 0);
    EXPECT_EQ(net_.listen(s, 8, err), 0);
    return s;
  }
  long write(int s, const std::string& data) {
    int err = 0;
    iovec iov{const_cast<char*>(data.data()), data.size()};
    return net_.writev(s, &iov, 1, err);
  }
  std::string read(int s) {
    char buf[256];
    iovec iov{buf, sizeof buf};
    int err = 0;
    const long n = net_.readv(s, &iov, 1, err);
    return n < 0 ? "errno " + std::to_string(err)
                 : std::string(buf, static_cast<std::size_t>(n));
  }

  std::int64_t now_ = 0;
  SimNetwork net_;
};

TEST_F(SimNetTest, ConnectAcceptExchangeAndCloseTakeTheLinkLatency) {
  net_.set_default_link({absl::Milliseconds(5)});
  const int server = listener("10.0.0.2", 80);
  int err = 0;
  const int client = net_.socket(AF_INET, SOCK_STREAM, err);
  EXPECT_EQ(net_.connect(client, *net::Address::parse("10.0.0.2:80"), err), -1);
  EXPECT_EQ(err, EINPROGRESS);
  EXPECT_EQ(ready(client), 0u);
  ASSERT_TRUE(step());  // SYN arrives: the listener has a connection
  EXPECT_EQ(now_, 5'000'000);
  EXPECT_EQ(ready(server), std::uint32_t{kRead});
  net::Address peer;
  const int conn = net_.accept(server, &peer, err);
  ASSERT_GE(conn, SimNetwork::kFirstSocket);
  EXPECT_EQ(peer.host(), "10.0.0.1");
  ASSERT_TRUE(step());  // the answer: connect completes
  EXPECT_EQ(now_, 10'000'000);
  EXPECT_EQ(net_.connect_error(client), 0);
  EXPECT_EQ(ready(client), std::uint32_t{kWrite});

  EXPECT_EQ(write(client, "hello"), 5);
  EXPECT_EQ(read(conn), "errno " + std::to_string(EAGAIN));
  run();
  EXPECT_EQ(read(conn), "hello");
  net_.close(client);
  run();
  EXPECT_EQ(read(conn), "");  // end of stream
  EXPECT_EQ(write(conn, "late"), -1) << "the peer is gone";
}

TEST_F(SimNetTest, NobodyListeningIsRefused) {
  int err = 0;
  const int client = net_.socket(AF_INET, SOCK_STREAM, err);
  net_.connect(client, *net::Address::parse("10.0.0.9:81"), err);
  run();
  EXPECT_EQ(net_.connect_error(client), ECONNREFUSED);
  EXPECT_EQ(ready(client), kRead | kWrite);
}

TEST_F(SimNetTest, APartitionHoldsStreamsUntilHealedAndDropsDatagrams) {
  const int server = listener("10.0.0.2", 80);
  int err = 0;
  const int client = net_.socket(AF_INET, SOCK_STREAM, err);
  net_.connect(client, *net::Address::parse("10.0.0.2:80"), err);
  run();
  const int conn = net_.accept(server, nullptr, err);
  net_.partition("10.0.0.1", "10.0.0.2", /*one_way=*/true);
  write(client, "held");
  run();
  EXPECT_EQ(read(conn), "errno " + std::to_string(EAGAIN));
  write(conn, "back");  // the other direction still works
  run();
  EXPECT_EQ(read(client), "back");
  net_.heal("10.0.0.1", "10.0.0.2");
  run();
  EXPECT_EQ(read(conn), "held");

  const int u1 = net_.socket(AF_INET, SOCK_DGRAM, err);
  net_.bind(u1, *net::Address::parse("10.0.0.2:53"), err);
  const int u2 = net_.socket(AF_INET, SOCK_DGRAM, err);
  net_.partition("10.0.0.1", "10.0.0.2");
  net_.sendto(u2, "lost", 4, *net::Address::parse("10.0.0.2:53"), err);
  net_.heal("10.0.0.1", "10.0.0.2");
  net_.sendto(u2, "kept", 4, *net::Address::parse("10.0.0.2:53"), err);
  run();
  char buf[16];
  net::Address from;
  EXPECT_EQ(net_.recvfrom(u1, buf, sizeof buf, &from, err), 4);
  EXPECT_EQ(std::string(buf, 4), "kept");
  EXPECT_EQ(net_.recvfrom(u1, buf, sizeof buf, &from, err), -1);
  EXPECT_EQ(net_.stats().datagrams_dropped, 1u);
}

TEST_F(SimNetTest, JitterAndLossAreDrawnFromTheSeed) {
  // Same seed, same schedule: two networks deliver at identical times.
  auto deliveries = [](std::uint64_t seed) {
    std::int64_t now = 0;
    SimNetwork net([&now] { return now; }, Rng(seed, Stream::kNetwork));
    net.set_default_link({absl::Milliseconds(1), absl::Milliseconds(3), 0.3});
    int err = 0;
    const int rx = net.socket(AF_INET, SOCK_DGRAM, err);
    net.bind(rx, *net::Address::parse("10.0.0.2:9"), err);
    const int tx = net.socket(AF_INET, SOCK_DGRAM, err);
    for (int i = 0; i < 50; ++i)
      net.sendto(tx, "x", 1, *net::Address::parse("10.0.0.2:9"), err);
    std::vector<std::int64_t> times;
    for (std::int64_t t; (t = net.next_delivery()) != Backend::kNoDeadline;) {
      now = t;
      net.deliver_due(now);
      times.push_back(t);
    }
    return std::make_pair(times, net.stats().datagrams_dropped);
  };
  EXPECT_EQ(deliveries(7), deliveries(7));
  EXPECT_NE(deliveries(7), deliveries(8));
  EXPECT_GT(deliveries(7).second, 0u);
}

TEST_F(SimNetTest, TheWindowBoundsUnreadBytes) {
  const int server = listener("10.0.0.2", 80);
  int err = 0;
  const int client = net_.socket(AF_INET, SOCK_STREAM, err);
  net_.connect(client, *net::Address::parse("10.0.0.2:80"), err);
  run();
  const int conn = net_.accept(server, nullptr, err);
  const std::string chunk(64 * 1024, 'z');
  std::size_t sent = 0;
  for (long n; (n = write(client, chunk)) > 0;)
    sent += static_cast<std::size_t>(n);
  EXPECT_EQ(sent, SimNetwork::kWindowBytes);
  EXPECT_EQ(ready(client) & kWrite, 0u);
  run();
  read(conn);  // the reader makes room
  EXPECT_NE(ready(client) & kWrite, 0u);
}

}  // namespace
}  // namespace eventlet::sim

namespace eventlet::sim {
namespace {

TEST_F(SimNetTest, EveryPacketIsReportedSentThenDeliveredOrDropped) {
  std::vector<std::string> log;
  net_.set_event_listener([&log](const NetEvent& e) {
    static const char* kKinds[] = {"send", "deliver", "drop"};
    log.push_back(std::string(kKinds[static_cast<int>(e.kind)]) + " #" +
                  std::to_string(e.id) + " " + e.what + " " + e.from + "->" +
                  e.to + " " + std::to_string(e.bytes));
  });
  const int server = listener("10.0.0.2", 80);
  int err = 0;
  const int client = net_.socket(AF_INET, SOCK_STREAM, err);
  net_.connect(client, *net::Address::parse("10.0.0.2:80"), err);
  run();
  net_.accept(server, nullptr, err);
  write(client, "abc");
  run();
  std::vector<std::string> want = {"send #1 syn 10.0.0.1->10.0.0.2 0",
                                   "deliver #1 syn 10.0.0.1->10.0.0.2 0",
                                   "send #2 synack 10.0.0.2->10.0.0.1 0",
                                   "deliver #2 synack 10.0.0.2->10.0.0.1 0",
                                   "send #3 data 10.0.0.1->10.0.0.2 3",
                                   "deliver #3 data 10.0.0.1->10.0.0.2 3"};
  EXPECT_EQ(log, want);
}

}  // namespace
}  // namespace eventlet::sim

// ---- Faults
// -------------------------------------------------------------------

namespace eventlet::sim {
namespace {

class SimNetFaultTest : public SimNetTest {
 protected:
  // A connected pair: {client, the server's accepted socket}.
  std::pair<int, int> connected() {
    const int server = listener("10.0.0.2", 80);
    int err = 0;
    const int client = net_.socket(AF_INET, SOCK_STREAM, err);
    net_.connect(client, *net::Address::parse("10.0.0.2:80"), err);
    run();
    return {client, net_.accept(server, nullptr, err)};
  }
  // Sends `n` one-byte datagrams "0", "1"... to 10.0.0.2:9, `gap` apart;
  // returns what arrives, in order.
  std::string datagrams(int n, std::int64_t gap) {
    int err = 0;
    const int rx = net_.socket(AF_INET, SOCK_DGRAM, err);
    net_.bind(rx, *net::Address::parse("10.0.0.2:9"), err);
    const int tx = net_.socket(AF_INET, SOCK_DGRAM, err);
    for (int i = 0; i < n; ++i) {
      const char c = static_cast<char>('0' + i);
      net_.sendto(tx, &c, 1, *net::Address::parse("10.0.0.2:9"), err);
      now_ += gap;
      net_.deliver_due(now_);
    }
    run();
    std::string got;
    char buf[4];
    while (net_.recvfrom(rx, buf, sizeof buf, nullptr, err) == 1) {
      got.push_back(buf[0]);
    }
    return got;
  }
  std::vector<std::string> log_;
  void record() {
    net_.set_event_listener([this](const NetEvent& e) {
      static const char* kKinds[] = {"send",      "deliver",   "drop",
                                     "reset",     "duplicate", "reorder",
                                     "partition", "heal"};
      std::string s = std::string(kKinds[static_cast<int>(e.kind)]) + " #" +
                      std::to_string(e.id) + " " + e.from + "->" + e.to;
      if (e.reason != nullptr) s += std::string(" ") + e.reason;
      log_.push_back(s);
    });
  }
};

TEST_F(SimNetFaultTest, AResetFailsTheLocalEndAtOnceAndThePeerOnArrival) {
  auto [client, conn] = connected();
  write(client, "before");
  run();
  record();
  EXPECT_TRUE(net_.reset_connection(client, "test"));
  EXPECT_FALSE(net_.reset_connection(client)) << "already reset";
  EXPECT_EQ(read(client), "errno " + std::to_string(ECONNRESET));
  EXPECT_EQ(write(client, "x"), -1);
  EXPECT_EQ(ready(client), kRead | kWrite);
  EXPECT_EQ(read(conn), "before") << "bytes already received stay readable";
  EXPECT_EQ(read(conn), "errno " + std::to_string(EAGAIN)) << "rst in flight";
  run();
  EXPECT_EQ(read(conn), "errno " + std::to_string(ECONNRESET));
  EXPECT_EQ(net_.stats().resets, 1u);
  EXPECT_EQ(log_, (std::vector<std::string>{"reset #0 10.0.0.1->10.0.0.2 test",
                                            "send #4 10.0.0.1->10.0.0.2",
                                            "deliver #4 10.0.0.1->10.0.0.2"}));
}

TEST_F(SimNetFaultTest, ResetConnectionsResetsEveryConnectionOfAHost) {
  auto [c1, s1] = connected();
  int err = 0;
  const int c2 = net_.socket(AF_INET, SOCK_STREAM, err);
  net_.connect(c2, *net::Address::parse("10.0.0.2:80"), err);
  run();
  EXPECT_EQ(net_.reset_connections("10.0.0.2", "10.0.0.7"), 0);
  EXPECT_EQ(net_.reset_connections("10.0.0.2"), 2) << "not the listener";
  run();
  EXPECT_EQ(read(c1), "errno " + std::to_string(ECONNRESET));
  EXPECT_EQ(read(c2), "errno " + std::to_string(ECONNRESET));
  EXPECT_EQ(read(s1), "errno " + std::to_string(ECONNRESET));
}

TEST_F(SimNetFaultTest, AResetRateResetsConnectionsInsteadOfCarryingData) {
  auto [client, conn] = connected();
  LinkOptions l;
  l.reset = 1;
  net_.set_link("10.0.0.1", "10.0.0.2", l);
  record();
  EXPECT_EQ(write(client, "lost"), 4) << "the write itself succeeds";
  EXPECT_EQ(read(client), "errno " + std::to_string(ECONNRESET));
  run();
  EXPECT_EQ(read(conn), "errno " + std::to_string(ECONNRESET));
  ASSERT_FALSE(log_.empty());
  EXPECT_EQ(log_[0], "reset #3 10.0.0.1->10.0.0.2 chance");
  // The other direction has no reset rate: nothing drawn there.
  EXPECT_EQ(net_.stats().resets, 1u);
}

TEST_F(SimNetFaultTest, DuplicatedDatagramsArriveTwice) {
  LinkOptions l;
  l.duplicate = 1;
  net_.set_default_link(l);
  EXPECT_EQ(datagrams(3, 1'000'000), "001122");
  EXPECT_EQ(net_.stats().duplicates, 3u);
}

TEST_F(SimNetFaultTest, ReorderingHoldsDatagramsBackPastLaterOnes) {
  LinkOptions l;
  l.reorder = 0.5;
  l.reorder_delay = absl::Milliseconds(10);
  net_.set_default_link(l);
  const std::string got = datagrams(10, 1'000'000);
  EXPECT_EQ(got.size(), 10u);
  EXPECT_NE(got, "0123456789");
  EXPECT_GT(net_.stats().reorders, 0u);
  EXPECT_LT(net_.stats().reorders, 10u);
}

TEST_F(SimNetFaultTest, AScheduledPartitionCutsAndHealsOnTime) {
  auto [client, conn] = connected();  // at t = 200 us
  record();
  net_.schedule_partition("10.0.0.1", "10.0.0.2", absl::Milliseconds(1),
                          absl::Milliseconds(3), /*one_way=*/true);
  EXPECT_THROW(net_.schedule_partition("a", "b", absl::Milliseconds(2),
                                       absl::Milliseconds(2)),
               std::invalid_argument);
  EXPECT_EQ(net_.next_delivery(), 1'000'000) << "the backend wakes for it";
  ASSERT_TRUE(step());
  write(client, "held");
  write(conn, "back");  // one way: the other direction works
  run();
  EXPECT_EQ(now_, 3'100'000) << "healed at 3 ms, then one latency";
  EXPECT_EQ(read(client), "back");
  EXPECT_EQ(read(conn), "held") << "released at the heal";
  EXPECT_EQ(log_.front(), "partition #0 10.0.0.1->10.0.0.2 schedule");
  EXPECT_NE(std::find(log_.begin(), log_.end(),
                      "heal #0 10.0.0.1->10.0.0.2 schedule"),
            log_.end());
}

}  // namespace
}  // namespace eventlet::sim
