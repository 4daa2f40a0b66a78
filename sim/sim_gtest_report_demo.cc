// Copyright 2026 The eventlet-cpp Authors.
//
// A SIM_TEST that fails in some schedules, for sim_gtest_report_test.sh: the
// lost update of examples/sim/lost_update, reported as a gtest failure.
#include <stdexcept>

#include "examples/sim/lost_update.h"
#include "sim/sim_gtest.h"

SIM_TEST(Demo, LostUpdate) {
  try {
    eventlet::examples::LostUpdateScenario();
  } catch (const std::runtime_error& e) {
    ADD_FAILURE() << e.what();
  }
}
