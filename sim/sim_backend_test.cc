// Copyright 2026 The eventlet-cpp Authors.
//
// SimBackend: the Backend conformance suite on virtual stream pairs, plus the
// virtual clock and the stall (deadlock, time limit) rules.
#include "sim/sim_backend.h"

#include <array>
#include <memory>
#include <system_error>
#include <vector>

#include "gtest/gtest.h"
#include "hub/backend_conformance.h"

namespace eventlet {
namespace {

using sim::SimBackend;

struct SimTraits {
  static std::unique_ptr<Backend> make_backend() {
    return std::make_unique<SimBackend>();
  }
  static SimBackend& sim(Backend& b) { return static_cast<SimBackend&>(b); }
  static std::array<int, 2> make_pair(Backend& b) {
    return sim(b).socketpair();
  }
  static void write_byte(Backend& b, int fd) { sim(b).write(fd, 1); }
  static void drain(Backend& b, int fd) { sim(b).drain(fd); }
  static void close_fd(Backend& b, int fd) { sim(b).close(fd); }
  static constexpr bool kRealTime = false;
};

INSTANTIATE_TYPED_TEST_SUITE_P(Sim, BackendConformance,
                               ::testing::Types<SimTraits>);

TEST(SimBackendTest, WaitJumpsExactlyToTheDeadline) {
  SimBackend b(1000);
  std::vector<IoReady> ready;
  b.wait(1000 + 3'600'000'000'000, &ready);  // an hour
  EXPECT_EQ(b.now(), 1000 + 3'600'000'000'000);
  b.wait(5, &ready);  // in the past: a poll, the clock stays
  EXPECT_EQ(b.now(), 1000 + 3'600'000'000'000);
  EXPECT_TRUE(ready.empty());
  EXPECT_EQ(b.jumps(), 1u);
}

TEST(SimBackendTest, NoDeadlineAndNothingReadyIsADeadlock) {
  SimBackend b;
  std::vector<IoReady> ready;
  EXPECT_THROW(b.wait(Backend::kNoDeadline, &ready), sim::StallError);
  auto [x, y] = b.socketpair();
  b.watch(x, kRead);  // watched but nobody can ever write to y
  try {
    b.wait(Backend::kNoDeadline, &ready);
    FAIL() << "no stall";
  } catch (const sim::StallError& e) {
    EXPECT_EQ(e.why(), sim::Stall::kDeadlock);
  }
  (void)y;
}

TEST(SimBackendTest, StallHandlerInsteadOfThrowing) {
  SimBackend b;
  std::vector<sim::Stall> stalls;
  b.set_stall_handler([&](sim::Stall s) { stalls.push_back(s); });
  b.set_time_limit(100);
  std::vector<IoReady> ready;
  b.wait(50, &ready);
  EXPECT_EQ(b.now(), 50);
  b.wait(150, &ready);
  EXPECT_EQ(b.now(), 100) << "stops at the limit";
  b.wait(Backend::kNoDeadline, &ready);
  ASSERT_EQ(stalls.size(), 2u);
  EXPECT_EQ(stalls[0], sim::Stall::kTimeLimit);
  EXPECT_EQ(stalls[1], sim::Stall::kDeadlock);
}

TEST(SimBackendTest, ReadyFdsComeInFdOrderAndStopTheClock) {
  SimBackend b;
  auto [a, c] = b.socketpair();
  auto [d, e] = b.socketpair();
  b.watch(e, kRead);
  b.watch(c, kRead);
  b.write(d, 1);
  b.write(a, 3);
  std::vector<IoReady> ready;
  b.wait(1'000'000, &ready);
  ASSERT_EQ(ready.size(), 2u);
  EXPECT_EQ(ready[0].fd, c);
  EXPECT_EQ(ready[1].fd, e);
  EXPECT_EQ(b.now(), 0) << "something was ready: no time passes";
  EXPECT_EQ(b.read(c, 2), 2u);
  EXPECT_EQ(b.buffered(c), 1u);
  b.close(a);
  EXPECT_THROW(b.write(c, 1), std::system_error);  // EPIPE
}

}  // namespace
}  // namespace eventlet
