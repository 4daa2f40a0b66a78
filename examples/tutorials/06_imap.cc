// Copyright 2026 The eventlet-cpp Authors.
//
// Tutorial 6 (docs/tutorials/06-imap.md): GreenPool.imap.
#include <stdexcept>
#include <vector>

#include "absl/time/time.h"
#include "examples/tutorials/tutorials.h"
#include "greenthread/greenthread.h"
#include "pool/green_pool.h"

namespace eventlet::tutorials {

void Imap() {
  GreenPool pool(2);  // at most two workers at a time
  const std::vector<int> inputs = {3, 1, 2};
  // Item i sleeps i ms and returns i * i; results come back in INPUT order.
  std::vector<int> squares;
  for (int square : pool.imap(
           [](int i) {
             eventlet::sleep(absl::Milliseconds(i));
             return i * i;
           },
           inputs)) {
    squares.push_back(square);
  }
  if (squares != std::vector<int>{9, 1, 4}) throw std::runtime_error("order");
}

}  // namespace eventlet::tutorials
