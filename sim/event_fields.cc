// Copyright 2026 The eventlet-cpp Authors.
#include "sim/event_fields.h"

namespace eventlet::sim {

nlohmann::json event_own_fields(const StepEvent& e) {
  auto j = nlohmann::json::parse(e.line, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return nlohmann::json::object();
  for (const char* common : {"seq", "t", "gt", "kind", "cause", "h"}) {
    j.erase(common);
  }
  return j;
}

}  // namespace eventlet::sim
