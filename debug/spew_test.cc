// Copyright 2026 The eventlet-cpp Authors.
//
// debug::spew on a real hub that was already running: the live trace is
// written line by line, loads in the stepper (as the timeline does), and is
// refused by replay with a clear reason.
#include "debug/spew.h"

#include <cstdio>
#include <string>

#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "greenthread/event.h"
#include "greenthread/greenthread.h"
#include "gtest/gtest.h"
#include "hub/hub.h"
#include "sim/replay.h"
#include "sim/step.h"
#include "sim/trace.h"

namespace eventlet {
namespace {

using ::testing::HasSubstr;

std::string ReadAll(std::FILE* f) {
  std::fflush(f);
  std::rewind(f);
  std::string text;
  char buf[4096];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) text.append(buf, n);
  return text;
}

TEST(Spew, ALiveTraceOfARunningHubLoadsInTheStepper) {
  Hub::destroy_current();
  // A greenthread that exists before spew() starts, and is woken after.
  Event<int> go;
  auto early = spawn([&] { return go.wait() + 1; });
  sleep();
  std::FILE* out = std::tmpfile();
  debug::spew(out);
  auto late = spawn([] { sleep(absl::Milliseconds(1)); });
  go.send(41);
  EXPECT_EQ(early.wait(), 42);
  late.wait();
  debug::unspew();
  const std::string text = ReadAll(out);
  std::fclose(out);
  Hub::destroy_current();

  sim::ParsedTrace parsed;
  sim::TraceError error;
  ASSERT_TRUE(sim::parse_trace(text, &parsed, &error))
      << error.line << ": " << error.message;
  EXPECT_EQ(parsed.header.strategy, "live");
  sim::StepTrace trace;
  ASSERT_TRUE(sim::load_step_trace(parsed, &trace, &error))
      << error.line << ": " << error.message;
  std::string printed;
  for (const sim::StepEvent& e : trace.events) {
    printed += sim::format_event_line(e) + "\n";
  }
  EXPECT_THAT(printed, HasSubstr("event_send"))
      << "the wake-up of the greenthread from before spew()";
  EXPECT_THAT(printed, HasSubstr("spawn"));

  const sim::ReplayResult r = sim::replay(text, [] {});
  EXPECT_FALSE(r.ok);
  ASSERT_TRUE(r.bad_trace.has_value());
  EXPECT_THAT(r.bad_trace->message, HasSubstr("cannot be replayed"));
}

}  // namespace
}  // namespace eventlet
