// Copyright 2026 The eventlet-cpp Authors.
//
// Observer registration (Hub::add_observer): several observers at once, each
// unregistered on its own in any order, events newest first, the
// object_creation_site query, moves, and a hub destroyed before a
// registration ends.
#include "hub/observer.h"

#include <algorithm>
#include <array>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "hub/hub.h"
#include "hub/internal/hub_access.h"
#include "sim/sim_backend.h"

namespace eventlet {
namespace {

// Counts switches and notes, in a log shared by all, who heard each spawn.
struct Recording : HubObserver {
  Recording(char name, std::string* log) : name(name), log(log) {}
  void on_spawn(const Greenlet&, const Greenlet&) override {
    log->push_back(name);
  }
  void on_switch(const Greenlet&, const Greenlet&) override { ++switches; }
  std::string object_creation_site(const ObjectInfo&) override { return site; }
  char name;
  std::string* log;
  int switches = 0;
  std::string site;
};

// A hub of its own on a simulated clock, torn down at the end.
class ObserverTest : public ::testing::Test {
 protected:
  void SetUp() override { Hub::install(std::make_unique<sim::SimBackend>()); }
  void TearDown() override { Hub::destroy_current(); }
  static Hub& hub() { return Hub::current(); }
  // Spawns a greenlet and lets it run to its end.
  static void SpawnAndRun() {
    Greenlet& g = hub().create_greenlet([] {});
    hub().start(g);
    hub().sleep(absl::ZeroDuration());
  }
};

TEST_F(ObserverTest, ThreeObserversUnregisterInEveryOrder) {
  std::array<int, 3> order = {0, 1, 2};
  do {
    std::string log;
    std::array<Recording, 3> observers = {
        Recording('a', &log), Recording('b', &log), Recording('c', &log)};
    std::array<ObserverRegistration, 3> registered;
    for (int i = 0; i < 3; ++i) {
      registered[i] = hub().add_observer(observers[i]);
    }
    EXPECT_EQ(hub().observer_count(), 3u);
    SpawnAndRun();
    std::string expected = "cba";  // newest first
    for (int i : order) {
      EXPECT_EQ(log, expected);
      EXPECT_GT(observers[i].switches, 0);
      registered[i].reset();
      EXPECT_FALSE(registered[i].active());
      expected.erase(std::remove(expected.begin(), expected.end(),
                                 static_cast<char>('a' + i)),
                     expected.end());
      log.clear();
      const int switches = observers[i].switches;
      SpawnAndRun();
      EXPECT_EQ(observers[i].switches, switches) << "unregistered " << i;
    }
    EXPECT_EQ(log, "");
    EXPECT_EQ(hub().observer_count(), 0u);
  } while (std::next_permutation(order.begin(), order.end()));
}

TEST_F(ObserverTest, CreationSiteFromTheNewestObserverThatKnowsIt) {
  std::string log;
  Recording a('a', &log), b('b', &log), c('c', &log);
  a.site = "made by a\n";
  b.site = "made by b\n";
  ObserverRegistration ra = hub().add_observer(a);
  ObserverRegistration rb = hub().add_observer(b);
  ObserverRegistration rc = hub().add_observer(c);  // knows nothing
  internal::WaitQueue queue;
  internal::WaitObject object("Event");
  std::optional<ObjectInfo> seen;
  Greenlet& waiter = hub().create_greenlet([&] {
    internal::HubAccess::wait_in(hub(), queue, std::nullopt, "test", nullptr,
                                 &object);
  });
  hub().start(waiter);
  hub().sleep(absl::ZeroDuration());
  std::optional<ObjectInfo> info = hub().waiting_object(waiter);
  ASSERT_TRUE(info.has_value());
  EXPECT_STREQ(info->kind(), "Event");
  EXPECT_EQ(hub().object_creation_site(*info), "made by b\n");
  rb.reset();
  EXPECT_EQ(hub().object_creation_site(*info), "made by a\n");
  ra.reset();
  EXPECT_EQ(hub().object_creation_site(*info), "");
  internal::HubAccess::wake_all(hub(), queue);
  hub().sleep(absl::ZeroDuration());
}

TEST_F(ObserverTest, ARegistrationMovesAndEndsOnce) {
  std::string log;
  Recording a('a', &log);
  ObserverRegistration outer;
  {
    ObserverRegistration inner = hub().add_observer(a);
    outer = std::move(inner);
    EXPECT_FALSE(inner.active());  // NOLINT(bugprone-use-after-move)
  }
  EXPECT_TRUE(outer.active());
  SpawnAndRun();
  EXPECT_EQ(log, "a");
  ObserverRegistration moved(std::move(outer));
  outer.reset();  // nothing: it was moved from
  SpawnAndRun();
  EXPECT_EQ(log, "aa");
  moved = ObserverRegistration();
  SpawnAndRun();
  EXPECT_EQ(log, "aa");
}

TEST(ObserverLifetime, AHubDestroyedFirstEndsItsRegistrations) {
  std::string log;
  Recording a('a', &log);
  ObserverRegistration registered;
  Hub::install(std::make_unique<sim::SimBackend>());
  registered = Hub::current().add_observer(a);
  Greenlet& g = Hub::current().create_greenlet([] {});
  Hub::current().start(g);
  Hub::destroy_current();
  EXPECT_EQ(log, "a");
  EXPECT_FALSE(registered.active());
  registered.reset();  // harmless
}

}  // namespace
}  // namespace eventlet
