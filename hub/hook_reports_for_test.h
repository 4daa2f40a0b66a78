// Copyright 2026 The eventlet-cpp Authors.
//
// hook_reports_for_test.h (tests only): record what the current hub's
// exception hook receives.
//
//   HookReports hook;            // installs the hook on Hub::current()
//   ...
//   EXPECT_THAT(hook.lines, ElementsAre("greenthread 1: std::runtime_error: x"));
//
// Each report is "where: type: what" (HubException::where, then
// describe_exception). The destructor clears the hook of Hub::current(), so
// destroy a HookReports while the hub it was made on is still the thread's
// hub (before Hub::destroy_current(), or before sim::run's body returns).
#ifndef EVENTLET_HUB_HOOK_REPORTS_FOR_TEST_H_
#define EVENTLET_HUB_HOOK_REPORTS_FOR_TEST_H_

#include <string>
#include <vector>

#include "hub/errors.h"
#include "hub/hub.h"

namespace eventlet {

class HookReports {
 public:
  HookReports() {
    Hub::current().set_exception_hook([this](const HubException& e) {
      lines.push_back(e.where + ": " + describe_exception(e.error));
    });
  }
  ~HookReports() { Hub::current().set_exception_hook(nullptr); }
  HookReports(const HookReports&) = delete;
  HookReports& operator=(const HookReports&) = delete;

  std::vector<std::string> lines;
};

}  // namespace eventlet

#endif  // EVENTLET_HUB_HOOK_REPORTS_FOR_TEST_H_
