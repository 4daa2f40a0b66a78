// Copyright 2026 The eventlet-cpp Authors.
//
// net::serve on several hubs (ServeOptions::hubs) over real loopback: the
// kernel spreads connections over the hubs' SO_REUSEPORT listeners, a stop
// from anywhere ends every hub once its handlers are done, and a hub that
// cannot bind is reported. Meant for ThreadSanitizer too (CI's tsan step).
// Nothing depends on timing: the clients run on a thread of their own, each
// step that must come first is waited for by a hand-off, and clients keep
// connecting until a second hub has bound its listener and answered.
#include <map>
#include <mutex>
#include <string>
#include <thread>

#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "green_net/convenience.h"
#include "greenthread/cross_hub.h"
#include "greenthread/greenthread.h"
#include "gtest/gtest.h"
#include "hub/hub.h"
#include "pool/green_pool.h"

namespace eventlet::net {
namespace {

using ::testing::HasSubstr;

Socket reuseport_listener() {
  ListenOptions options;
  options.reuse_port = true;
  return listen(*Address::parse("127.0.0.1:0"), options);
}

// Sends `message` on a new connection and returns the first reply.
std::string ask(const Address& address, const std::string& message) {
  Socket s = connect(address, absl::Seconds(30));
  s.set_timeout(absl::Seconds(30));
  s.sendall(message);
  return s.recv(64);
}

class ServeHubsTest : public ::testing::Test {
 protected:
  void SetUp() override { Hub::destroy_current(); }
  void TearDown() override { Hub::destroy_current(); }
};

TEST_F(ServeHubsTest, EveryHubAcceptsAndAStopFromAnotherThreadEndsThemAll) {
  Socket listener = reuseport_listener();
  const Address address = listener.local_address();
  std::mutex mutex;
  std::map<std::thread::id, int> by_thread;
  auto hubs_that_served = [&] {
    std::lock_guard lock(mutex);
    return by_thread.size();
  };
  CrossHubEvent<> stop;
  int sent = 0;
  int answered = 0;
  std::thread clients([&] {
    // Batches of 60 connections until a second hub has answered: hubs 1 and
    // 2 bind their listeners on threads of their own, maybe after the first
    // batch (then all of it went to hub 0's). Once three listeners share the
    // port, a batch all on one hub takes odds of 3^-59.
    GreenPool pool(20);
    for (int batch = 0; batch < 100 && hubs_that_served() < 2; ++batch) {
      for (int i = 0; i < 60; ++i, ++sent) {
        pool.spawn_n([&] {
          if (ask(address, "ping") == "ping") ++answered;
        });
      }
      pool.waitall();
    }
    stop.send();
    Hub::destroy_current();
  });
  ServeOptions options;
  options.hubs = 3;
  options.stop = &stop;
  serve(
      listener,
      [&](Socket conn, Address) {
        {
          std::lock_guard lock(mutex);
          ++by_thread[std::this_thread::get_id()];
        }
        conn.sendall(conn.recv(64));
      },
      options);
  clients.join();
  EXPECT_EQ(answered, sent);
  int total = 0;
  for (const auto& [thread, n] : by_thread) total += n;
  EXPECT_EQ(total, sent);
  EXPECT_GE(by_thread.size(), 2u);
  EXPECT_FALSE(listener.is_open());
}

TEST_F(ServeHubsTest, StopServeOnOneHubLetsTheOtherHandlersFinish) {
  Socket listener = reuseport_listener();
  const Address address = listener.local_address();
  CrossHubEvent<> held;
  CrossHubEvent<> stopped;
  std::string held_reply;
  std::thread clients([&] {
    GreenThread<void> holder = spawn([&] {
      Socket s = connect(address, absl::Seconds(30));
      s.set_timeout(absl::Seconds(30));
      s.sendall("hold");
      held_reply = s.recv(64);  // "held"
      held.send();
      stopped.wait();
      s.sendall("more");
      held_reply += s.recv(64);  // its handler still runs: "done"
    });
    held.wait();  // its handler runs
    ask(address, "stop");
    stopped.send();
    holder.wait();
    Hub::destroy_current();
  });
  ServeOptions options;
  options.hubs = 2;
  serve(
      listener,
      [&](Socket conn, Address) {
        const std::string what = conn.recv(64);
        if (what == "stop") {
          conn.sendall("bye");
          throw StopServe();
        }
        conn.sendall("held");
        if (conn.recv(64) == "more") conn.sendall("done");
      },
      options);
  clients.join();
  EXPECT_EQ(held_reply, "helddone");
}

TEST_F(ServeHubsTest, AHubThatCannotBindIsReported) {
  // Hub 0's listener lacks SO_REUSEPORT: hub 1 cannot bind beside it.
  Socket listener = listen(*Address::parse("127.0.0.1:0"));
  ServeOptions options;
  options.hubs = 2;
  try {
    serve(
        listener, [](Socket, Address) {}, options);
    FAIL() << "serve returned";
  } catch (const boost::system::system_error& e) {
    EXPECT_EQ(e.code(), boost::system::errc::address_in_use);
    EXPECT_THAT(e.what(), HasSubstr("listen on hub 1 at 127.0.0.1:"));
  }
  EXPECT_FALSE(listener.is_open());  // hub 0 stopped serving too
  options.hubs = 0;
  EXPECT_THROW(serve(
                   listener, [](Socket, Address) {}, options),
               std::invalid_argument);
}

}  // namespace
}  // namespace eventlet::net
