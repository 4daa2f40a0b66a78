// Copyright 2026 The eventlet-cpp Authors.
#include "examples/sim/lost_update.h"

#include <mutex>
#include <stdexcept>
#include <string>

#include "greenthread/greenthread.h"
#include "greenthread/semaphore.h"

namespace eventlet::examples {

namespace {

// The two greenthreads of the scenario; `deposit` is their critical section.
template <typename Deposit>
void RunDeposits(int& balance, Deposit deposit) {
  auto depositor = spawn([&] { deposit(); });
  auto auditor = spawn([&] {
    eventlet::sleep();  // "check the audit flag"
    deposit();
  });
  depositor.wait();
  auditor.wait();
  if (balance != 2) {
    throw std::runtime_error("lost update: balance is " +
                             std::to_string(balance) + ", expected 2");
  }
}

}  // namespace

void LostUpdateScenario() {
  int balance = 0;
  RunDeposits(balance, [&balance] {
    const int read = balance;  // read
    eventlet::sleep();         // "write the audit log": a switch point
    balance = read + 1;        // write back: the bug, if someone else wrote
  });
}

void FixedLostUpdateScenario() {
  int balance = 0;
  Semaphore lock(1);
  RunDeposits(balance, [&balance, &lock] {
    std::lock_guard<Semaphore> hold(lock);
    const int read = balance;
    eventlet::sleep();
    balance = read + 1;
  });
}

}  // namespace eventlet::examples
