// Copyright 2026 The eventlet-cpp Authors.
//
// EpollBackend: the Backend conformance suite on real socketpairs, plus what
// is particular to epoll (kept registrations, narrowing, wanted_count()).
#include "hub/epoll_backend.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <memory>
#include <system_error>
#include <vector>

#include "gtest/gtest.h"
#include "hub/backend_conformance.h"

namespace eventlet {
namespace {

struct EpollTraits {
  static std::unique_ptr<Backend> make_backend() {
    return std::make_unique<EpollBackend>();
  }
  static std::array<int, 2> make_pair(Backend&) {
    int fds[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0,
                   fds) != 0) {
      throw std::system_error(errno, std::generic_category(), "socketpair");
    }
    return {fds[0], fds[1]};
  }
  static void write_byte(Backend&, int fd) {
    const char c = 'x';
    if (write(fd, &c, 1) != 1) {
      throw std::system_error(errno, std::generic_category(), "write");
    }
  }
  static void drain(Backend&, int fd) {
    char buf[4096];
    while (read(fd, buf, sizeof buf) > 0) {
    }
  }
  static void close_fd(Backend&, int fd) { close(fd); }
  static constexpr bool kRealTime = true;
};

INSTANTIATE_TYPED_TEST_SUITE_P(Epoll, BackendConformance,
                               ::testing::Types<EpollTraits>);

// ---- Epoll only -------------------------------------------------------------

class EpollBackendTest : public BackendConformance<EpollTraits> {
 protected:
  EpollBackend& epoll() { return static_cast<EpollBackend&>(backend()); }
  // How many wait() calls it takes to reach a deadline `ns` away, collecting
  // reports. A level-triggered registration nobody narrows would make this
  // a busy loop.
  int CallsToReach(std::int64_t ns, std::vector<IoReady>* ready) {
    const std::int64_t deadline = now() + ns;
    int calls = 0;
    while (now() < deadline && calls < 1000) {
      backend().wait(deadline, ready);
      ++calls;
    }
    return calls;
  }
};

TEST_F(EpollBackendTest, Name) { EXPECT_STREQ(backend().name(), "epoll"); }

TEST_F(EpollBackendTest, WantedCountFollowsWatchAndUnwatch) {
  auto [a, b] = Pair();
  EXPECT_EQ(epoll().wanted_count(), 0u);
  epoll().watch(a, kRead);
  epoll().watch(b, kWrite);
  EXPECT_EQ(epoll().wanted_count(), 2u);
  epoll().watch(a, kRead | kWrite);  // same fd: still one
  EXPECT_EQ(epoll().wanted_count(), 2u);
  epoll().watch(a, kNoEvents);
  EXPECT_EQ(epoll().wanted_count(), 1u);
  epoll().unwatch(a);  // already unwanted
  EXPECT_EQ(epoll().wanted_count(), 1u);
  epoll().unwatch(b);
  epoll().unwatch(b);
  EXPECT_EQ(epoll().wanted_count(), 0u);
}

TEST_F(EpollBackendTest, FailedWatchLeavesCountUnchanged) {
  auto [a, b] = Pair();
  Close(a);
  EXPECT_THROW(epoll().watch(a, kRead), std::system_error);
  EXPECT_EQ(epoll().wanted_count(), 0u);
  epoll().watch(b, kRead);
  EXPECT_EQ(epoll().wanted_count(), 1u);
}

// watch(fd, kNoEvents) keeps the registration; the first event nobody wants
// narrows it, after which wait() blocks again instead of spinning.
TEST_F(EpollBackendTest, UnwantedKeptRegistrationDoesNotSpin) {
  auto [a, b] = Pair();
  epoll().watch(a, kRead);
  WriteByte(b);
  EXPECT_EQ(EventsFor(WaitFor(1000 * kMs), a), std::uint32_t{kRead});
  epoll().watch(a, kNoEvents);  // still readable, nobody wants it
  std::vector<IoReady> ready;
  EXPECT_LE(CallsToReach(30 * kMs, &ready), 3);
  EXPECT_TRUE(ready.empty());
}

// A reader left, a writer stays: the read interest is dropped lazily, and
// readable data does not keep waking the writer's wait.
TEST_F(EpollBackendTest, NarrowedRegistrationDoesNotSpin) {
  auto [a, b] = Pair();
  epoll().watch(a, kRead | kWrite);
  EXPECT_EQ(EventsFor(WaitFor(1000 * kMs), a), std::uint32_t{kWrite});
  epoll().watch(a, kRead);  // registration still has EPOLLOUT: a is writable
  std::vector<IoReady> ready;
  EXPECT_LE(CallsToReach(30 * kMs, &ready), 3);
  EXPECT_TRUE(ready.empty()) << "reported kWrite nobody wanted";
  WriteByte(b);
  EXPECT_EQ(EventsFor(WaitFor(1000 * kMs), a), std::uint32_t{kRead});
}

// The fd is closed without unwatch() while its registration is kept and its
// number is reused: a later watch() must register the new file.
TEST_F(EpollBackendTest, ReusedNumberAfterCloseWithoutUnwatch) {
  auto [a, b] = Pair();
  epoll().watch(a, kRead);
  epoll().watch(a, kNoEvents);  // registration kept
  close(a);
  close(b);
  open_.clear();
  auto [c, d] = Pair();
  ASSERT_TRUE(c == a || d == a);
  const int reused = c == a ? c : d;
  epoll().watch(reused, kWrite);
  EXPECT_EQ(EventsFor(WaitFor(1000 * kMs), reused), std::uint32_t{kWrite});
  epoll().watch(reused, kRead);
  EXPECT_EQ(EventsFor(WaitFor(5 * kMs), reused), 0u);
  WriteByte(c == a ? d : c);
  EXPECT_EQ(EventsFor(WaitFor(1000 * kMs), reused), std::uint32_t{kRead});
}

TEST_F(EpollBackendTest, ManyReadyFdsInOneWait) {
  // More than the initial event buffer (256): all are reported, over one or
  // more waits.
  constexpr int kPairs = 300;
  std::vector<int> readers;
  for (int i = 0; i < kPairs; ++i) {
    auto [a, b] = Pair();
    epoll().watch(a, kRead);
    WriteByte(b);
    readers.push_back(a);
  }
  std::vector<IoReady> ready;
  backend().wait(now(), &ready);
  backend().wait(now(), &ready);
  for (int fd : readers) EXPECT_EQ(EventsFor(ready, fd), std::uint32_t{kRead});
}

}  // namespace
}  // namespace eventlet
