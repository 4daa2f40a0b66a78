#include <mutex>

#include "greenthread/greenthread.h"
#include "greenthread/semaphore.h"
#include "hub/hub.h"
#include "sim/sim_gtest.h"

// Two deposits whose read-modify-write spans a switch point (the sleep()
// stands in for writing an audit log). The lock makes each deposit atomic.
SIM_TEST(Account, ConcurrentDepositsAreNotLost) {
  int balance = 0;
  eventlet::Semaphore lock(1);
  auto deposit = [&] {
    std::lock_guard guard(lock);
    const int read = balance;
    eventlet::sleep();
    balance = read + 1;
  };
  auto first = eventlet::spawn(deposit);
  auto second = eventlet::spawn([&] {
    eventlet::sleep();  // checks a flag first
    deposit();
  });
  first.wait();
  second.wait();
  EXPECT_EQ(balance, 2);
}

// Virtual time: a year of monthly payments runs in microseconds, exactly.
SIM_TEST_OPTS(Account, InterestIsPaidEveryThirtyDays,
              .max_time = absl::Hours(24 * 400)) {
  const absl::Duration month = absl::Hours(24 * 30);
  int payments = 0;
  auto payer = eventlet::spawn([&] {
    for (int i = 0; i < 12; ++i) {
      eventlet::sleep(month);
      ++payments;
    }
  });
  eventlet::sleep(6 * month + absl::Minutes(1));
  EXPECT_EQ(payments, 6);
  payer.wait();
  EXPECT_EQ(eventlet::Hub::current().now(), 12 * month);
}
