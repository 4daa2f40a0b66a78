// Copyright 2026 The eventlet-cpp Authors.
#include "hub/hub_affinity.h"

#if EVENTLET_HUB_AFFINITY_CHECKS

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "hub/hub.h"

namespace eventlet {
namespace {

std::string describe_hub(std::uint32_t id) {
  return id == 0 ? std::string("no hub") : "hub " + std::to_string(id);
}

}  // namespace

std::uint64_t HubAffinity::here() {
  thread_local const std::uint64_t tid =
      static_cast<std::uint64_t>(static_cast<std::uint32_t>(gettid())) << 32;
  const Hub* hub = Hub::current_if_exists();
  return tid | (hub != nullptr ? hub->id() : 0);
}

void HubAffinity::fail(const char* kind, std::uint64_t id, std::uint64_t owner,
                       std::uint64_t me) {
  const std::string name =
      id != 0 ? std::string(kind) + " " + std::to_string(id) : kind;
  std::fprintf(
      stderr,
      "eventlet: %s belongs to %s (thread %u) but was used from %s "
      "(thread %u); use CrossHubEvent/CrossHubQueue "
      "(greenthread/cross_hub.h) to hand off between hubs\n",
      name.c_str(), describe_hub(static_cast<std::uint32_t>(owner)).c_str(),
      thread_of(owner), describe_hub(static_cast<std::uint32_t>(me)).c_str(),
      thread_of(me));
  std::fflush(stderr);
  std::abort();
}

}  // namespace eventlet

#endif  // EVENTLET_HUB_AFFINITY_CHECKS
