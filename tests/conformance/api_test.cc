// Copyright 2026 The eventlet-cpp Authors.
//
// Conformance: eventlet's tests/api_test.py (see event_test.cc for how these
// ports are written; docs/conformance.md keeps the table). SIM_TESTs run on
// the simulated clock; the socket cases use real loopback sockets on a fresh
// epoll hub (FreshHub) and assert nothing that depends on timing.
#include <cstddef>
#include <exception>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "green_net/address.h"
#include "green_net/convenience.h"
#include "green_net/socket.h"
#include "green_net/tls/context.h"
#include "green_net/tls/stream.h"
#include "green_net/tls/testing/test_pki.h"
#include "greenthread/event.h"
#include "greenthread/greenthread.h"
#include "greenthread/timeout.h"
#include "gtest/gtest.h"
#include "hub/errors.h"
#include "hub/hub.h"
#include "sim/sim_gtest.h"

namespace eventlet {
namespace {

using ::testing::ElementsAre;

// For the tests on the kernel (TEST, since SIM_TEST cases share the suite):
// a fresh epoll hub for the test's scope.
struct FreshHub {
  FreshHub() { Hub::destroy_current(); }
  ~FreshHub() { Hub::destroy_current(); }
};

// eventlet's check_hub(): after two passes, nothing waits on an fd any more.
void ExpectHubClear() {
  sleep();
  sleep();
  EXPECT_EQ(Hub::current().listener_count(), 0u);
}

net::Address AnyAddress() { return *net::Address::parse("0.0.0.0:0"); }

// Where a client reaches a listener bound to 0.0.0.0.
net::Address LoopbackTo(const net::Socket& listener) {
  return *net::Address::parse("127.0.0.1:" +
                              std::to_string(listener.local_address().port()));
}

// Reads one byte at a time up to and including '\n', or to end of stream.
// `read_some(buffer, size)` returns 0 at end of stream.
template <typename ReadSome>
std::string ReadLine(ReadSome read_some) {
  std::string line;
  char c;
  while (read_some(&c, 1) == 1) {
    line.push_back(c);
    if (c == '\n') break;
  }
  return line;
}

TEST(ApiTest, TestTcpListener) {
  FreshHub fresh;
  net::Socket socket = net::listen(AnyAddress());
  EXPECT_EQ(socket.local_address().host(), "0.0.0.0");
  socket.close();
  ExpectHubClear();
}

// The server writes a line and closes; the client reads the line, then the
// end of the stream.
TEST(ApiTest, TestConnectTcp) {
  FreshHub fresh;
  net::Socket server = net::listen(AnyAddress());
  spawn_n([&] {
    net::Socket conn = server.accept();
    conn.sendall("hello\n");
    conn.close();
    server.close();
  });
  net::Socket client = net::connect(LoopbackTo(server));
  EXPECT_EQ(ReadLine([&](char* b, std::size_t n) { return client.recv(b, n); }),
            "hello\n");
  EXPECT_EQ(client.recv(100), "");
  client.close();
  ExpectHubClear();
}

// As TestConnectTcp over TLS: the server sends close_notify after its line,
// so the client's next read is a clean end of stream (0, no error).
TEST(ApiTest, TestConnectSsl) {
  FreshHub fresh;
  const tls::testing::TestPki& pki = tls::testing::TestPki::get();
  const tls::Context server_context =
      tls::Context::server(pki.leaf.as_server());
  net::Socket server = net::listen(AnyAddress());
  spawn_n([&] {
    net::Socket conn = server.accept();
    tls::Stream stream(conn, server_context);
    stream.handshake(absl::Seconds(20));
    stream.write_all("hello\r\n");
    tls::error_code ignored;
    stream.shutdown(ignored);
    conn.close();
    server.close();
  });
  net::Socket raw_client = net::connect(LoopbackTo(server));
  tls::Stream client(raw_client, tls::Context::client(pki.trust()),
                     "127.0.0.1");
  client.handshake(absl::Seconds(20));
  EXPECT_EQ(
      ReadLine([&](char* b, std::size_t n) { return client.read_some(b, n); }),
      "hello\r\n");
  tls::error_code ec;
  char buffer[10];
  EXPECT_EQ(client.read_some(buffer, sizeof buffer, ec), 0u);
  EXPECT_FALSE(ec) << ec.message();
  client.shutdown(ec);
  raw_client.close();
  ExpectHubClear();
}

// Nothing is ever sent to the client, so its wait for readability can only
// end by the timeout: with TimeoutError (eventlet: eventlet.Timeout), which
// is_timeout() recognises.
TEST(ApiTest, Test001TrampolineTimeout) {
  FreshHub fresh;
  net::Socket server_sock = net::listen(*net::Address::parse("127.0.0.1:0"));
  Event<> finished;
  auto server_evt = spawn([&] {
    net::Socket client = server_sock.accept();
    finished.wait();  // keeps the connection open, silent
  });
  sleep();
  net::Socket desc = net::connect(server_sock.local_address());
  std::exception_ptr error;
  try {
    Hub::current().trampoline(desc.fd(), kRead, absl::Milliseconds(1));
  } catch (const TimeoutError&) {
    error = std::current_exception();
  }
  ASSERT_TRUE(error) << "didn't time out";
  EXPECT_TRUE(is_timeout(error));
  finished.send();
  server_evt.wait();
  ExpectHubClear();
}

// The client's wait for readability ends when the server closes the
// connection, long before its (generous) timeout; that timeout's timer is
// gone as soon as the wait returns, so it can never fire later.
TEST(ApiTest, TestTimeoutCancel) {
  FreshHub fresh;
  Hub& hub = Hub::current();
  net::Socket server = net::listen(AnyAddress());
  bool done = false;
  auto go = [&] {
    net::Socket desc = net::connect(LoopbackTo(server));
    const std::size_t timers = hub.timer_count();
    try {
      hub.trampoline(desc.fd(), kRead, absl::Seconds(20));
    } catch (const TimeoutError&) {
      ADD_FAILURE() << "timed out";
    }
    EXPECT_EQ(hub.timer_count(), timers) << "the wait's timer is still queued";
    server.close();
    desc.close();
    done = true;
  };
  spawn_after_local(absl::ZeroDuration(), go);
  // Ends when `server` is closed under it (operation_canceled).
  auto server_coro = spawn([&] {
    for (;;) {
      net::error_code ec;
      net::Socket conn = server.accept(nullptr, ec);
      if (ec) return;
      conn.close();
    }
  });
  while (!done) sleep();
  kill(server_coro);
  ExpectHubClear();
}

// A greenthread killed while it sleeps catches GreenletExit at once (kill
// switches into it), then goes on at its next turn. FIFO only: that the
// killer resumes before the victim's sleep(0) is scheduling order (kill
// queues the killer's return first).
SIM_TEST_OPTS(ApiTest, TestKillingDormant, .sweep = false) {
  const absl::Duration kDelay = absl::Milliseconds(100);
  std::vector<std::string> state;
  auto g = spawn([&] {
    try {
      state.push_back("start");
      sleep(kDelay);
    } catch (const GreenletExit&) {
      state.push_back("except");
    }
    sleep();
    state.push_back("finished");
  });
  sleep(kDelay / 2);
  EXPECT_THAT(state, ElementsAre("start"));
  kill(g);
  EXPECT_THAT(state, ElementsAre("start", "except"));
  sleep(kDelay);
  EXPECT_THAT(state, ElementsAre("start", "except", "finished"));
}

// The outer with_timeout (0.1 s) fires first: the inner one's timeout_value
// does not swallow it, and it ends the call at 0.1 s.
SIM_TEST(ApiTest, TestNestedWithTimeout) {
  auto func = [] {
    return with_timeout_or(absl::Milliseconds(200), 1, [] {
      sleep(absl::Seconds(2));
      return 0;
    });
  };
  const absl::Duration start = Hub::current().now();
  EXPECT_THROW(with_timeout(absl::Milliseconds(100), func), TimeoutExpired);
  EXPECT_EQ(Hub::current().now() - start, absl::Milliseconds(100));
}

// sleep(0) from a callback (the hub greenlet) blocks nothing: it returns at
// once; a real sleep there is still refused.
SIM_TEST(ApiTest, TestZeroSecondSleep) {
  std::vector<std::string> failures;
  auto zero_second_sleep = [&failures] {
    try {
      sleep();
    } catch (const HubUsageError& e) {
      failures.push_back(e.what());
    }
  };
  Hub::current().schedule_call_local(absl::ZeroDuration(), zero_second_sleep);
  zero_second_sleep();
  sleep();
  EXPECT_TRUE(failures.empty()) << failures.front();
  std::string refused;
  Hub::current().schedule_call_global(absl::ZeroDuration(), [&refused] {
    try {
      sleep(absl::Milliseconds(1));
    } catch (const HubUsageError& e) {
      refused = e.what();
    }
  });
  sleep();
  EXPECT_EQ(refused, "do not call blocking functions from the mainloop");
}

// eventlet's wrap_is_timeout(cls) marks a class; here a class derives from
// TimeoutTag.
TEST(ApiTest, TestWrapIsTimeout) {
  struct A : TimeoutTag {};
  struct B {};
  EXPECT_TRUE(is_timeout(std::make_exception_ptr(A{})));
  EXPECT_FALSE(is_timeout(std::make_exception_ptr(B{})));
}

}  // namespace
}  // namespace eventlet
