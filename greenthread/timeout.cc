// Copyright 2026 The eventlet-cpp Authors.
#include "greenthread/timeout.h"

#include <pthread.h>

#include <stdexcept>
#include <string>
#include <system_error>

#include "absl/strings/str_format.h"
#include "hub/internal/hub_access.h"

namespace eventlet {
namespace {

// True if `p` lies on the stack the current greenlet runs on.
bool on_current_stack(const void* p) {
  const Greenlet& g = Hub::current().current_greenlet();
  const char* addr = static_cast<const char*>(p);
  if (g.stack_size() != 0) {
    // A greenlet's stack ends where its control block (the Greenlet) begins.
    const char* top = reinterpret_cast<const char*>(&g);
    return addr < top && addr >= top - g.stack_size();
  }
  // The main greenlet runs on the OS thread's own stack.
  thread_local const char* low = nullptr;
  thread_local const char* high = nullptr;
  if (low == nullptr) {
    pthread_attr_t attr;
    void* base = nullptr;
    size_t size = 0;
    if (pthread_getattr_np(pthread_self(), &attr) == 0) {
      pthread_attr_getstack(&attr, &base, &size);
      pthread_attr_destroy(&attr);
    }
    low = static_cast<const char*>(base);
    high = low + size;
  }
  return low == nullptr || (addr >= low && addr < high);
}

}  // namespace

Timeout::Timeout(absl::Duration delay) : Timeout(delay, nullptr) {}

Timeout::Timeout(absl::Duration delay, SilentTimeout)
    : Timeout(delay, nullptr) {
  silent_ = true;
}

Timeout::Timeout(absl::Duration delay, std::exception_ptr error)
    : delay_(delay),
      error_(std::move(error)),
      node_(&Hub::current().current_greenlet(), this) {
  Hub& hub = Hub::current();
  if (hub.in_hub_greenlet()) {
    throw HubUsageError("do not call blocking functions from the mainloop");
  }
  if (!on_current_stack(this)) {
    throw std::logic_error(
        "eventlet::Timeout must be a local variable of the greenthread that "
        "creates it");
  }
  node_.make_exception = &Timeout::make_exception;
  start();
}

Timeout::~Timeout() { cancel(); }

void Timeout::start() {
  if constexpr (kHubAffinityChecks) affinity_.check("Timeout");
  if (pending()) {
    throw std::logic_error("Timeout (" + describe() +
                           ") is already started; to restart it, cancel it "
                           "first");
  }
  if (delay_ != absl::InfiniteDuration()) {
    internal::HubAccess::schedule_timer(Hub::current(), &node_, delay_);
  }
}

void Timeout::cancel() {
  if constexpr (kHubAffinityChecks) affinity_.check("Timeout");
  if (node_.active()) internal::HubAccess::cancel_timer(Hub::current(), &node_);
}

bool Timeout::pending() const { return node_.active(); }

std::string Timeout::describe() const {
  if (delay_ == absl::InfiniteDuration()) return "";
  const double seconds = absl::ToDoubleSeconds(delay_);
  std::string text =
      absl::StrFormat("%g second%s", seconds, seconds == 1.0 ? "" : "s");
  if (silent_) text += " (silent)";
  if (error_) text += " (" + describe_exception(error_) + ")";
  return text;
}

bool is_timeout(std::exception_ptr error) {
  if (!error) return false;
  try {
    std::rethrow_exception(error);
  } catch (const TimeoutExpired&) {
    return true;
  } catch (const TimeoutError&) {
    return true;
  } catch (const TimeoutTag&) {
    return true;
  } catch (const std::system_error& e) {
    return e.code() == std::errc::timed_out;
  } catch (...) {
    return false;
  }
}

std::exception_ptr Timeout::make_exception(internal::TimerNode* node) {
  Timeout* self = static_cast<Node*>(node)->owner;
  if (self->error_) return self->error_;
  return std::make_exception_ptr(TimeoutExpired(self, self->describe()));
}

}  // namespace eventlet
