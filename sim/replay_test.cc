// Copyright 2026 The eventlet-cpp Authors.
//
// Replay: identical runs pass, a changed program names the first diverging
// event, and corrupt / truncated / mismatched traces are rejected with a line
// number — never a crash (a seeded mutation test of the parser).
#include "sim/replay.h"

#include <string>
#include <vector>

#include "absl/time/time.h"
#include "greenthread/greenthread.h"
#include "gtest/gtest.h"
#include "sim/random.h"
#include "sim/sim.h"
#include "sim/trace.h"

namespace eventlet::sim {
namespace {

void Program(int variant) {
  std::vector<GreenThread<void>> gts;
  for (int i = 0; i < 3; ++i) {
    gts.push_back(spawn([i, variant] {
      for (int k = 0; k < 3; ++k) eventlet::sleep();
      eventlet::sleep(absl::Milliseconds(i == 1 ? 5 + variant : 5));
    }));
  }
  for (auto& gt : gts) gt.wait();
}

std::string Record(std::uint64_t seed) {
  Options o;
  o.seed = seed;
  o.strategy = Strategy::kRandom;
  o.trace_in_memory = true;
  return run(o, [] { Program(0); }).trace;
}

TEST(ReplayTest, SameProgramReplaysExactly) {
  const std::string trace = Record(11);
  ReplayResult r = replay(trace, [] { Program(0); });
  EXPECT_TRUE(r.ok) << r.message;
  EXPECT_EQ(r.run.trace, trace);
}

TEST(ReplayTest, ChangedProgramNamesTheFirstDivergingEvent) {
  const std::string trace = Record(11);
  ReplayResult r = replay(trace, [] { Program(1); });
  ASSERT_FALSE(r.ok);
  ASSERT_TRUE(r.divergence.has_value()) << r.message;
  const Divergence& d = *r.divergence;
  EXPECT_GT(d.seq, 10u);
  EXPECT_NE(d.expected, d.actual);
  EXPECT_NE(d.expected.find("\"seq\":" + std::to_string(d.seq) + ","),
            std::string::npos);
  EXPECT_EQ(d.context.size(), 3u);
  EXPECT_NE(r.message.find("replay diverges at event seq"), std::string::npos);
  // Everything before it is identical.
  ParsedTrace p;
  TraceError e;
  ASSERT_TRUE(parse_trace(trace, &p, &e));
  EXPECT_NE(r.run.trace.find(p.lines[d.seq - 1]), std::string::npos);
}

TEST(ReplayTest, ShorterRunDivergesAtTheEnd) {
  const std::string trace = Record(5);
  ReplayResult r = replay(trace, [] {});
  ASSERT_TRUE(r.divergence.has_value()) << r.message;
  EXPECT_EQ(r.divergence->seq, 1u);
  EXPECT_EQ(r.divergence->actual, "<end of trace>");
}

TEST(ReplayTest, RejectsBadTracesWithTheLine) {
  const std::string trace = Record(5);
  auto rejected = [](std::string_view text) {
    ReplayResult r = replay(text, [] { Program(0); });
    EXPECT_FALSE(r.ok);
    EXPECT_TRUE(r.bad_trace.has_value()) << r.message;
    return r.bad_trace.value_or(TraceError{});
  };
  EXPECT_EQ(rejected("").line, 1u);
  EXPECT_EQ(rejected("hello\n").line, 1u);
  TraceError e = rejected(trace.substr(0, trace.size() - 10));
  EXPECT_NE(e.message.find("truncated"), std::string::npos) << e.message;
  // Another version.
  std::string v2 = trace;
  v2.replace(v2.find("\"version\":1"), 11, "\"version\":2");
  EXPECT_NE(rejected(v2).message.find("unsupported trace version 2"),
            std::string::npos);
  // One altered byte in line 5: the hash names it.
  std::string altered = trace;
  std::size_t at = 0;
  for (int i = 0; i < 4; ++i) at = altered.find('\n', at) + 1;
  altered[at + 7] = altered[at + 7] == '5' ? '6' : '5';  // the seq digit
  e = rejected(altered);
  EXPECT_EQ(e.line, 5u) << e.to_string();
  // Unreadable file.
  ReplayResult f = replay_file("/nonexistent/trace.jsonl", [] {});
  ASSERT_TRUE(f.bad_trace.has_value());
  EXPECT_EQ(f.bad_trace->line, 0u);
}

TEST(ReplayTest, PctHeadersCarryDepthAndHorizon) {
  Options o;
  o.seed = 4;
  o.strategy = Strategy::kPct;
  o.pct_depth = 2;
  o.pct_horizon = 77;
  o.trace_in_memory = true;
  const std::string trace = run(o, [] { Program(0); }).trace;
  ParsedTrace p;
  TraceError e;
  ASSERT_TRUE(parse_trace(trace, &p, &e)) << e.to_string();
  EXPECT_EQ(p.header.strategy, "pct");
  EXPECT_EQ(p.header.pct_depth, 2u);
  EXPECT_EQ(p.header.pct_horizon, 77u);
  ReplayResult r = replay(trace, [] { Program(0); });
  EXPECT_TRUE(r.ok) << r.message;
  // A pct header without its parameters, with a zero or an oversized depth,
  // and a fifo header with them, are rejected on line 1.
  auto header_error = [&](const std::string& from, const std::string& to) {
    std::string m = trace;
    m.replace(m.find(from), from.size(), to);
    TraceError err;
    EXPECT_FALSE(parse_trace(m, &p, &err)) << to;
    EXPECT_EQ(err.line, 1u) << err.to_string();
    return err.message;
  };
  EXPECT_NE(header_error(",\"pct_depth\":2", "").find("pct_depth"),
            std::string::npos);
  EXPECT_NE(header_error("\"pct_depth\":2", "\"pct_depth\":0").find("positive"),
            std::string::npos);
  EXPECT_NE(header_error("\"pct_depth\":2", "\"pct_depth\":10001")
                .find("above 10000"),
            std::string::npos);
  EXPECT_NE(header_error("\"strategy\":\"pct\"", "\"strategy\":\"fifo\"")
                .find("unexpected fields"),
            std::string::npos);
}

TEST(ReplayTest, ParserSurvivesRandomMutations) {
  const std::string trace = Record(3);
  Rng rng(20260101, Stream::kUser);
  int rejected = 0;
  const int kMutations = 3000;
  for (int i = 0; i < kMutations; ++i) {
    std::string m = trace;
    const int edits = 1 + static_cast<int>(rng.uniform(3));
    for (int k = 0; k < edits && !m.empty(); ++k) {
      const std::size_t at = rng.uniform(m.size());
      switch (rng.uniform(5)) {
        case 0:  // flip bits of a byte
          m[at] = static_cast<char>(m[at] ^ (1 + rng.uniform(255)));
          break;
        case 1:  // truncate
          m.resize(at);
          break;
        case 2:  // insert random bytes
          for (std::uint64_t n = 1 + rng.uniform(8); n > 0; --n) {
            m.insert(m.begin() + static_cast<std::ptrdiff_t>(at),
                     static_cast<char>(rng.uniform(256)));
          }
          break;
        case 3:  // delete a range
          m.erase(at, rng.uniform(64));
          break;
        case 4: {  // duplicate a chunk (e.g. a line)
          const std::string chunk = m.substr(at, rng.uniform(200));
          m.insert(rng.uniform(m.size()), chunk);
          break;
        }
      }
    }
    ParsedTrace p;
    TraceError e;
    if (!parse_trace(m, &p, &e)) {
      ++rejected;
      EXPECT_FALSE(e.message.empty());
      EXPECT_GE(e.line, 1u);
    }
  }
  // Nearly every mutation is caught (a few are no-ops, e.g. truncating at a
  // line boundary, which leaves a valid shorter trace).
  EXPECT_GT(rejected, kMutations * 9 / 10);
}

}  // namespace
}  // namespace eventlet::sim
