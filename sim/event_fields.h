// Copyright 2026 The eventlet-cpp Authors.
//
// event_fields.h: an event's own fields (docs/trace-format.md's "own
// fields" column), read generically from its JSON line, so that viewers show
// every kind, including kinds newer than the viewer.
#ifndef EVENTLET_SIM_EVENT_FIELDS_H_
#define EVENTLET_SIM_EVENT_FIELDS_H_

#include "nlohmann/json.hpp"
#include "sim/step.h"

namespace eventlet::sim {

// The keys of e.line besides seq, t, gt, kind, cause and h, in the line's
// order of keys as nlohmann::json keeps them (sorted). An empty object if the
// line is not a JSON object (load_step_trace has validated it already).
nlohmann::json event_own_fields(const StepEvent& e);

}  // namespace eventlet::sim

#endif  // EVENTLET_SIM_EVENT_FIELDS_H_
