// Copyright 2026 The eventlet-cpp Authors.
//
// Conformance: eventlet's tests/debug_test.py (see event_test.cc for how
// these ports are written; docs/conformance.md keeps the table). eventlet's
// Spew is a Python line tracer; here debug::spew() prints the hub's events
// live, in the trace format (debug/spew.h), so the line-tracer details
// (frames, file names, globals, values, module filters) have no counterpart.
#include "debug/debug.h"

#include <cstdio>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "debug/spew.h"
#include "gmock/gmock.h"
#include "green_net/convenience.h"
#include "green_net/socket.h"
#include "greenthread/event.h"
#include "greenthread/greenthread.h"
#include "gtest/gtest.h"
#include "hub/hub.h"
#include "nlohmann/json.hpp"
#include "sim/sim_gtest.h"
#include "tpool/tpool.h"

namespace eventlet {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;

// What a FILE* received, read back from a temporary file.
class Capture {
 public:
  Capture() : file_(std::tmpfile()) {}
  ~Capture() { std::fclose(file_); }
  std::FILE* file() { return file_; }
  std::vector<std::string> lines() {
    std::fflush(file_);
    std::rewind(file_);
    std::vector<std::string> out;
    char buf[4096];
    while (std::fgets(buf, sizeof buf, file_) != nullptr) {
      std::string line(buf);
      if (!line.empty() && line.back() == '\n') line.pop_back();
      out.push_back(line);
    }
    std::fseek(file_, 0, SEEK_END);
    return out;
  }

 private:
  std::FILE* file_;
};

SIM_TEST(DebugTest, TestSpew) {
  Capture out;
  debug::spew(out.file());
  EXPECT_TRUE(debug::spewing());
  debug::unspew();
  EXPECT_FALSE(debug::spewing());
}

SIM_TEST(DebugTest, TestUnspew) {
  Capture out;
  debug::spew(out.file());
  sleep();
  debug::unspew();
  const std::size_t printed = out.lines().size();
  sleep();
  spawn([] {}).wait();
  EXPECT_EQ(out.lines().size(), printed) << "nothing after unspew()";
}

// eventlet prints each executed line; here each hub event is a line of the
// trace format, written as it happens.
SIM_TEST(DebugTest, TestLine) {
  Capture out;
  debug::spew(out.file());
  auto g = spawn([] { sleep(absl::Milliseconds(1)); });
  const std::size_t after_spawn = out.lines().size();
  g.wait();
  debug::unspew();
  const std::vector<std::string> lines = out.lines();
  ASSERT_GE(lines.size(), 3u);
  EXPECT_GT(after_spawn, 1u) << "the spawn was printed at once (live)";
  const auto header = nlohmann::json::parse(lines[0]);
  EXPECT_EQ(header["strategy"], "live");
  std::vector<std::string> kinds;
  for (std::size_t i = 1; i < lines.size(); ++i) {
    kinds.push_back(nlohmann::json::parse(lines[i])["kind"]);
  }
  EXPECT_THAT(kinds, Contains("spawn"));
  EXPECT_THAT(kinds, Contains("switch"));
  EXPECT_THAT(kinds, Contains("timer_add"));
  EXPECT_THAT(kinds, Contains("exit"));
}

TEST(DebugTest, TestEverything) {
  Hub::destroy_current();
  debug::hub_exceptions(true);
  debug::hub_exceptions(false);
  debug::tpool_exceptions(true);
  debug::tpool_exceptions(false);
  debug::hub_listener_stacks(true);
  debug::hub_listener_stacks(false);
  debug::hub_timer_stacks(true);
  debug::hub_timer_stacks(false);
  debug::format_hub_listeners();
  debug::format_hub_timers();
  Hub::destroy_current();
}

// An exception escaping a greenthread is printed (with its type and message)
// while hub_exceptions is on.
TEST(DebugTest, TestHubExceptions) {
  Hub::destroy_current();
  debug::hub_exceptions(true);
  net::Socket server = net::listen(*net::Address::parse("127.0.0.1:0"));
  net::Socket client = net::connect(server.local_address());
  net::Socket client_2 = server.accept();
  testing::internal::CaptureStderr();
  auto gt = spawn([&] {
    client_2.recv(1);
    throw std::out_of_range("KeyError: 1");
  });
  sleep();
  client.sendall(" ");
  EXPECT_THROW(gt.wait(), std::out_of_range);
  const std::string err = testing::internal::GetCapturedStderr();
  EXPECT_THAT(err, HasSubstr("std::out_of_range: KeyError: 1"));
  Hub::destroy_current();
}

}  // namespace
}  // namespace eventlet
