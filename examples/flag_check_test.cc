// Copyright 2026 The eventlet-cpp Authors.
#include "examples/flag_check.h"

#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

ABSL_FLAG(int, count, 1, "a number");
ABSL_FLAG(bool, loud, false, "a switch");

namespace {

using ::eventlet::examples::first_flag_error;
using ::testing::HasSubstr;

std::string check(std::vector<std::string> args) {
  args.insert(args.begin(), "prog");
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  return first_flag_error(static_cast<int>(argv.size()), argv.data());
}

TEST(FlagCheck, AcceptsWhatAbseilAccepts) {
  EXPECT_EQ(check({"--count=3", "-loud", "http://x/", "-", "--count", "4",
                   "--noloud", "--loud=false", "--", "--bogus"}),
            "");
  EXPECT_EQ(absl::GetFlag(FLAGS_count), 4);
}

TEST(FlagCheck, LeavesHelpToAbseil) {
  EXPECT_EQ(check({"--help"}), "");
  EXPECT_EQ(check({"--helpfull", "--bogus"}), "");
}

TEST(FlagCheck, NamesAnUnknownFlag) {
  EXPECT_EQ(check({"--count=3", "--cuont=4"}), "unknown flag --cuont");
  EXPECT_EQ(check({"--nocount"}), "unknown flag --nocount");
}

TEST(FlagCheck, NamesAValueThatDoesNotParse) {
  EXPECT_THAT(check({"--count=many"}), HasSubstr("--count=many: "));
  EXPECT_THAT(check({"--loud=maybe"}), HasSubstr("--loud=maybe: "));
  EXPECT_EQ(check({"--count"}), "missing value for flag --count");
}

}  // namespace
