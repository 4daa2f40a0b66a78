// Copyright 2026 The eventlet-cpp Authors.
#include "examples/sim/lost_update.h"

#include <stdexcept>
#include <string>

#include "greenthread/greenthread.h"

namespace eventlet::examples {

void LostUpdateScenario() {
  int balance = 0;
  auto deposit = [&balance] {
    const int read = balance;  // read
    eventlet::sleep();         // "write the audit log": a switch point
    balance = read + 1;        // write back: the bug, if someone else wrote
  };
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

}  // namespace eventlet::examples
