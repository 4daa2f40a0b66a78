// Copyright 2026 The eventlet-cpp Authors.
//
// One fast stream cannot starve a hub: a greenthread reading a socket that
// never says EAGAIN yields every Hub::coop_budget() reads (hub.h), so other
// greenthreads and timers keep running. On the real kernel (epoll) and on
// the simulated network.
#include <sys/socket.h>

#include <cstdint>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "green_net/address.h"
#include "green_net/convenience.h"
#include "green_net/socket.h"
#include "greenthread/greenthread.h"
#include "gtest/gtest.h"
#include "hub/hub.h"
#include "sim/sim.h"

namespace eventlet::net {
namespace {

constexpr std::size_t kChunk = 16;  // bytes per read: many reads per stream

struct Ticks {
  int ready = 0;  // runs of a greenthread that only yields (sleep(0))
  int timer = 0;  // wake-ups of one that sleeps 50 us at a time
};

// Reads `stream` to its end, kChunk bytes at a time, while two tickers run.
// Returns the reads and the tickers' counts when the reading ended.
Ticks read_to_end_beside_tickers(Socket& stream, std::size_t* reads) {
  Ticks ticks;
  bool finished = false;
  auto ready_ticker = spawn([&] {
    while (!finished) {
      ++ticks.ready;
      sleep();
    }
  });
  auto timer_ticker = spawn([&] {
    while (!finished) {
      sleep(absl::Microseconds(50));
      ++ticks.timer;
    }
  });
  char buffer[kChunk];
  *reads = 0;
  while (stream.recv(buffer, sizeof buffer) != 0) ++*reads;
  const Ticks seen = ticks;
  finished = true;
  ready_ticker.wait();
  timer_ticker.wait();
  return seen;
}

// A socketpair whose reading end holds as much as the kernel would take,
// followed by end of stream: every read completes at once, none says EAGAIN.
Socket full_stream(std::size_t* bytes) {
  auto [reader, writer] = Socket::pair();
  char block[4096] = {};
  *bytes = 0;
  for (;;) {
    const ssize_t n = ::send(writer.fd(), block, sizeof block, MSG_DONTWAIT);
    if (n <= 0) break;
    *bytes += static_cast<std::size_t>(n);
  }
  writer.close();
  return std::move(reader);
}

TEST(CoopBudget, AStreamThatNeverBlocksDoesNotStarveTheHubOnEpoll) {
  Hub::destroy_current();
  Hub& hub = Hub::current();
  const std::uint32_t budget = hub.coop_budget();
  ASSERT_EQ(budget, Hub::kDefaultCoopBudget);
  std::size_t bytes = 0;
  Socket stream = full_stream(&bytes);
  ASSERT_GE(bytes / kChunk, 16u * budget) << "socket buffer too small";

  std::size_t reads = 0;
  const Ticks ticks = read_to_end_beside_tickers(stream, &reads);
  // Whatever the machine's speed: the reader yielded after every `budget`
  // reads, and each yield ran the ready ticker once (the first yield also
  // started both tickers).
  EXPECT_EQ(reads, (bytes + kChunk - 1) / kChunk);
  EXPECT_GE(static_cast<std::size_t>(ticks.ready), reads / budget - 1);
  // Each yield also went through the hub's loop, which reads the clock and
  // fires due timers: tens of thousands of system calls take far more than
  // the ticker's 50 us.
  EXPECT_GE(ticks.timer, 1);
  EXPECT_GE(hub.coop_yields(), reads / budget - 1);
  Hub::destroy_current();
}

TEST(CoopBudget, WithTheBudgetOffTheSameStreamStarvesTheHubOnEpoll) {
  // Eventlet's behaviour, and this test's proof that the one above can fail.
  Hub::destroy_current();
  Hub::current().set_coop_budget(0);
  std::size_t bytes = 0;
  Socket stream = full_stream(&bytes);
  std::size_t reads = 0;
  const Ticks ticks = read_to_end_beside_tickers(stream, &reads);
  EXPECT_GT(reads, 0u);
  EXPECT_EQ(ticks.ready, 0);
  EXPECT_EQ(ticks.timer, 0);
  Hub::destroy_current();
}

TEST(CoopBudget, AStreamThatNeverBlocksYieldsEveryBudgetOnTheSimulator) {
  constexpr std::size_t kReads = 1000;
  std::vector<std::size_t> seen;  // the reader's count at each ticker run
  std::size_t reads = 0;
  std::uint32_t budget = 0;
  sim::Result r = sim::run({}, [&] {
    budget = Hub::current().coop_budget();
    Socket listener = listen(*Address::parse("10.0.0.2:80"));
    auto writer = spawn([&] {
      Socket conn = listener.accept();
      conn.sendall(std::string(kReads * kChunk, 'x'));
    });  // closes: the stream ends
    Socket stream = connect(*Address::parse("10.0.0.2:80"));
    writer.wait();
    sleep(absl::Seconds(1));  // everything has arrived
    bool finished = false;
    auto ticker = spawn([&] {
      while (!finished) {
        seen.push_back(reads);
        sleep();
      }
    });
    char buffer[kChunk];
    while (stream.recv(buffer, sizeof buffer) != 0) ++reads;
    finished = true;
    ticker.wait();
  });
  ASSERT_TRUE(r.ok()) << r.summary();
  EXPECT_EQ(reads, kReads);
  std::vector<std::size_t> expected;
  for (std::size_t k = budget; k <= kReads; k += budget) expected.push_back(k);
  EXPECT_EQ(seen, expected);
}

}  // namespace
}  // namespace eventlet::net
