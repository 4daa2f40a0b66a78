// Copyright 2026 The eventlet-cpp Authors.
#include "hub/hub_group.h"

#include <exception>
#include <stdexcept>
#include <thread>
#include <vector>

#include "hub/hub.h"

namespace eventlet {

void run_on_hubs(int n, const std::function<void(int hub_index)>& fn) {
  if (n < 1) throw std::invalid_argument("run_on_hubs: n must be >= 1");
  std::vector<std::exception_ptr> errors(static_cast<std::size_t>(n));
  std::vector<std::thread> threads;
  threads.reserve(static_cast<std::size_t>(n - 1));
  for (int i = 1; i < n; ++i) {
    threads.emplace_back([&fn, &errors, i] {
      try {
        Hub::current();  // made first: its id is the thread's in messages
        fn(i);
      } catch (...) {
        errors[static_cast<std::size_t>(i)] = std::current_exception();
      }
      Hub::destroy_current();
    });
  }
  try {
    Hub::current();
    fn(0);
  } catch (...) {
    errors[0] = std::current_exception();
  }
  for (std::thread& t : threads) t.join();
  for (const std::exception_ptr& e : errors) {
    if (e) std::rethrow_exception(e);
  }
}

}  // namespace eventlet
