// Copyright 2026 The eventlet-cpp Authors.
#include "green_net/http/chunk_limits.h"

#include <string>

#include "gtest/gtest.h"

namespace eventlet::http {
namespace {

constexpr ChunkLimits kLimits{16, 32};

TEST(ChunkLimits, ChunkLineWithinAndBeyondTheLimit) {
  EXPECT_EQ(check_pending_chunk_framing("", kLimits), ChunkFramingCheck::kOk);
  EXPECT_EQ(check_pending_chunk_framing("1f;a=b", kLimits),
            ChunkFramingCheck::kOk);
  // 16 bytes of line so far: allowed; 17: too long, CRLF or not.
  EXPECT_EQ(check_pending_chunk_framing(std::string(16, 'a'), kLimits),
            ChunkFramingCheck::kOk);
  EXPECT_EQ(check_pending_chunk_framing("1;" + std::string(15, 'a'), kLimits),
            ChunkFramingCheck::kLineTooLong);
  EXPECT_EQ(check_pending_chunk_framing("0;" + std::string(20, 'a') + "\r\n",
                                        kLimits),
            ChunkFramingCheck::kLineTooLong);
  // The CRLF that ends the previous chunk's data does not count.
  EXPECT_EQ(check_pending_chunk_framing("\r\n" + std::string(16, 'a'), kLimits),
            ChunkFramingCheck::kOk);
}

TEST(ChunkLimits, TrailerWithinAndBeyondTheLimit) {
  EXPECT_EQ(check_pending_chunk_framing("0\r\nX-T: 1\r\n", kLimits),
            ChunkFramingCheck::kOk);
  EXPECT_EQ(
      check_pending_chunk_framing("\r\n0\r\n" + std::string(32, 't'), kLimits),
      ChunkFramingCheck::kOk);
  EXPECT_EQ(
      check_pending_chunk_framing("\r\n0\r\n" + std::string(33, 't'), kLimits),
      ChunkFramingCheck::kTrailerTooLarge);
}

}  // namespace
}  // namespace eventlet::http
