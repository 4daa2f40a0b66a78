// Copyright 2026 The eventlet-cpp Authors.
//
// Destructors never park while the hub tears down. For every primitive that
// greenthreads wait on or in (GreenPool, GreenMap, GreenPile, Queue,
// Semaphore, Event, net::Socket, http::Server, http::Client): an owner
// greenthread holds it, children park on it, the owner parks too, and then
// the hub unwinds everything — from main with Hub::unwind_greenthreads(), or
// in Hub::destroy_current(). The owner is the oldest, so it is unwound first
// and its primitive is destroyed while the children still wait. Nothing may
// abort, leak or touch freed memory (the test runs under ASan in CI), and
// every frame unwinds (its destructors run).
#include <functional>
#include <string>
#include <vector>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "green_net/address.h"
#include "green_net/convenience.h"
#include "green_net/http/client.h"
#include "green_net/http/server.h"
#include "green_net/socket.h"
#include "greenthread/event.h"
#include "greenthread/greenthread.h"
#include "greenthread/queue.h"
#include "greenthread/semaphore.h"
#include "gtest/gtest.h"
#include "hub/hub.h"
#include "pool/green_pile.h"
#include "pool/green_pool.h"

namespace eventlet {
namespace {

constexpr absl::Duration kForever = absl::Hours(1);

// Counts the frames that unwound.
struct Unwound {
  int* count;
  ~Unwound() { ++*count; }
};

// A scenario runs in the owner greenthread: it sets up its primitive and
// children, then parks. `n` counts unwound frames; `parked` tells main when
// the scenario is in place (main waits until it returns true).
struct Scenario {
  std::string name;
  std::function<void(int& n)> owner;
  std::function<bool()> parked;
  int frames;  // frames that must have unwound in the end, owner included
};

// Real I/O may need a few passes (and a little wall time) to settle.
void wait_until(const std::function<bool()>& ready) {
  const absl::Time give_up = absl::Now() + absl::Seconds(30);
  for (int passes = 0; passes < 20 || !ready(); ++passes) {
    ASSERT_LT(absl::Now(), give_up) << "scenario never settled";
    if (passes < 20) {
      sleep();
    } else {
      sleep(absl::Milliseconds(1));
    }
  }
}

net::Address loopback() { return *net::Address::parse("127.0.0.1:0"); }

std::vector<Scenario> scenarios() {
  std::vector<Scenario> all;
  all.push_back({"GreenPool",
                 [](int& n) {
                   GreenPool pool(2);
                   for (int i = 0; i < 2; ++i) {
                     pool.spawn_n([&n] {
                       Unwound u{&n};
                       sleep(kForever);
                     });
                   }
                   spawn([&] {  // blocked in spawn(): the pool is full
                     Unwound u{&n};
                     pool.spawn([] {});
                   });
                   spawn([&] {  // blocked in waitall()
                     Unwound u{&n};
                     pool.waitall();
                   });
                   sleep(kForever);
                 },
                 nullptr, 5});
  all.push_back({"GreenMap",
                 [](int& n) {
                   GreenPool pool(1);
                   auto map = pool.imap(
                       [&n](int v) {
                         Unwound u{&n};
                         sleep(kForever);
                         return v;
                       },
                       std::vector<int>{1, 2, 3});
                   for (int v : map) (void)v;  // parks on the first item
                 },
                 nullptr, 2});
  all.push_back({"GreenPile",
                 [](int& n) {
                   GreenPile<int> pile(2);
                   for (int i = 0; i < 2; ++i) {
                     pile.spawn([&n] {
                       Unwound u{&n};
                       sleep(kForever);
                       return 1;
                     });
                   }
                   pile.next();
                 },
                 nullptr, 3});
  all.push_back({"Queue",
                 [](int& n) {
                   Queue<int> empty;
                   Queue<int> full(1);
                   full.put(0);
                   spawn([&] {
                     Unwound u{&n};
                     empty.get();
                   });
                   spawn([&] {
                     Unwound u{&n};
                     full.put(1);
                   });
                   spawn([&] {
                     Unwound u{&n};
                     full.join();
                   });
                   sleep(kForever);
                 },
                 nullptr, 4});
  all.push_back({"Semaphore",
                 [](int& n) {
                   Semaphore sem(0);
                   for (int i = 0; i < 2; ++i) {
                     spawn([&] {
                       Unwound u{&n};
                       sem.acquire();
                     });
                   }
                   sleep(kForever);
                 },
                 nullptr, 3});
  all.push_back({"Event",
                 [](int& n) {
                   Event<int> event;
                   for (int i = 0; i < 2; ++i) {
                     spawn([&] {
                       Unwound u{&n};
                       event.wait();
                     });
                   }
                   sleep(kForever);
                 },
                 nullptr, 3});
  all.push_back({"Socket",
                 [](int& n) {
                   auto [a, b] = net::Socket::pair();
                   spawn([&, &a = a] {
                     Unwound u{&n};
                     char byte;
                     a.recv(&byte, 1);
                   });
                   sleep(kForever);
                 },
                 nullptr, 2});
  // A server with a connection half-way through a request, and a client
  // that sent it.
  static int connections = 0;
  all.push_back({"HttpServer",
                 [](int& n) {
                   http::Server server(net::listen(loopback()),
                                       [](const http::Request&) {
                                         return http::Response::text(200, "");
                                       });
                   spawn([&] {
                     Unwound u{&n};
                     server.run();
                   });
                   spawn([&] {
                     Unwound u{&n};
                     net::Socket s = net::connect(server.address());
                     s.sendall("GET / HTTP/1.1\r\nHo");
                     ++connections;
                     sleep(kForever);
                   });
                   sleep(kForever);
                 },
                 [] { return connections > 0; }, 3});
  // A fetch waiting for an answer that never comes.
  static int requests_seen = 0;
  all.push_back({"HttpClient",
                 [](int& n) {
                   net::Socket listener = net::listen(loopback());
                   spawn([&] {  // reads the request, never answers
                     net::Socket peer = listener.accept();
                     char buffer[256];
                     peer.recv(buffer, sizeof buffer);
                     ++requests_seen;
                     sleep(kForever);
                   });
                   http::Client client;
                   spawn([&] {
                     Unwound u{&n};
                     client.fetch("http://" +
                                  listener.local_address().to_string() + "/");
                   });
                   sleep(kForever);
                 },
                 [] { return requests_seen > 0; }, 2});
  return all;
}

enum class Teardown { kUnwindGreenthreads, kDestroyHub };

class TeardownTest
    : public ::testing::TestWithParam<std::tuple<int, Teardown>> {};

TEST_P(TeardownTest, DestroysAPrimitiveWithParkedChildrenWithoutParking) {
  const Scenario scenario = scenarios()[std::get<0>(GetParam())];
  const Teardown how = std::get<1>(GetParam());
  Hub::destroy_current();
  int unwound = 0;
  spawn([&] {
    Unwound u{&unwound};
    scenario.owner(unwound);
  });
  wait_until(scenario.parked ? scenario.parked : [] { return true; });
  ASSERT_EQ(unwound, 0) << scenario.name;
  Hub& hub = Hub::current();
  if (how == Teardown::kUnwindGreenthreads) {
    hub.unwind_greenthreads();
    EXPECT_EQ(hub.greenlet_count(), 0u) << scenario.name;
    EXPECT_EQ(unwound, scenario.frames) << scenario.name;
    Hub::destroy_current();
  } else {
    Hub::destroy_current();
    EXPECT_EQ(unwound, scenario.frames) << scenario.name;
  }
}

INSTANTIATE_TEST_SUITE_P(
    EveryPrimitive, TeardownTest,
    ::testing::Combine(::testing::Range(0, 9),
                       ::testing::Values(Teardown::kUnwindGreenthreads,
                                         Teardown::kDestroyHub)),
    [](const ::testing::TestParamInfo<std::tuple<int, Teardown>>& info) {
      return scenarios()[std::get<0>(info.param)].name +
             (std::get<1>(info.param) == Teardown::kUnwindGreenthreads
                  ? "_UnwindGreenthreads"
                  : "_DestroyHub");
    });

// Outside teardown: the owner is killed while its pool has parked children.
// ~GreenPool must not wait (a second kill could then hit it inside the
// destructor): it unwinds the children, and the killer goes on.
TEST(TeardownTest, AKilledOwnerUnwindsItsPoolInsteadOfWaiting) {
  Hub::destroy_current();
  int unwound = 0;
  auto owner = spawn([&] {
    Unwound u{&unwound};
    GreenPool pool;
    for (int i = 0; i < 3; ++i) {
      pool.spawn_n([&] {
        Unwound c{&unwound};
        sleep(kForever);
      });
    }
    sleep(kForever);
  });
  for (int i = 0; i < 3; ++i) sleep();
  owner.kill();
  EXPECT_TRUE(owner.dead());
  EXPECT_EQ(unwound, 4);
  EXPECT_EQ(Hub::current().greenlet_count(), 0u);
  Hub::destroy_current();
}

// kill_now(): the target has unwound when it returns; the caller never
// parks, so nothing else ran meanwhile.
TEST(TeardownTest, KillNowUnwindsAtOnceWithoutYielding) {
  Hub::destroy_current();
  int unwound = 0;
  bool other_ran = false;
  auto target = spawn([&] {
    Unwound u{&unwound};
    sleep(kForever);
  });
  sleep();
  spawn([&] { other_ran = true; });
  target.kill_now();
  EXPECT_TRUE(target.dead());
  EXPECT_EQ(unwound, 1);
  EXPECT_FALSE(other_ran);
  EXPECT_THROW(target.wait(), GreenletExit);
  Hub::destroy_current();
}

}  // namespace
}  // namespace eventlet
