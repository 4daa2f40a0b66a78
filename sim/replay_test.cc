// Copyright 2026 The eventlet-cpp Authors.
//
// Replay: identical runs pass, a changed program names the first diverging
// event, and corrupt / truncated / mismatched traces are rejected with a line
// number — never a crash (a seeded mutation test of the parser).
#include "sim/replay.h"

#include <algorithm>
#include <cstdio>
#include <stdexcept>
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

std::vector<std::string> SplitIds(const std::string& csv) {
  std::vector<std::string> out;
  std::size_t pos = 0;
  while (pos <= csv.size()) {
    const std::size_t comma = std::min(csv.find(',', pos), csv.size());
    out.push_back(csv.substr(pos, comma - pos));
    pos = comma + 1;
  }
  return out;
}

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

TEST(ReplayTest, ShorterRunDivergesAtItsOutcome) {
  const std::string trace = Record(5);
  ReplayResult r = replay(trace, [] {});
  ASSERT_TRUE(r.divergence.has_value()) << r.message;
  EXPECT_EQ(r.divergence->seq, 1u);
  EXPECT_NE(r.divergence->actual.find("\"kind\":\"outcome\""),
            std::string::npos);
  EXPECT_FALSE(r.outcome_differs);  // both ok
}

// The first choose line of `trace` and its byte offset.
std::size_t FindChoose(const std::string& trace, std::string* line) {
  const std::size_t at = trace.find("\"kind\":\"choose\"");
  const std::size_t start = trace.rfind('\n', at) + 1;
  *line = trace.substr(start, trace.find('\n', at) - start);
  return start;
}

TEST(ReplayTest, EditedDecisionDrivesTheRun) {
  const std::string trace = Record(11);
  std::string line;
  const std::size_t start = FindChoose(trace, &line);
  ParsedTrace p;
  TraceError e;
  ASSERT_TRUE(parse_trace(trace, &p, &e));
  // Reverse the first pass's order: [a,b,c] -> [c,b,a].
  const std::size_t open = line.find("\"order\":[") + 9;
  const std::size_t close = line.find(']', open);
  std::vector<std::string> ids = SplitIds(line.substr(open, close - open));
  std::string reversed;
  for (auto it = ids.rbegin(); it != ids.rend(); ++it) {
    reversed += (reversed.empty() ? "" : ",") + *it;
  }
  ASSERT_NE(reversed, line.substr(open, close - open)) << "pick another seed";
  std::string edited = trace;
  edited.replace(start + open, close - open, reversed);
  // Strictly parsed, the edit is an altered line; replay accepts it.
  EXPECT_FALSE(parse_trace(edited, &p, &e));
  ReplayResult r = replay(edited, [] { Program(0); });
  EXPECT_FALSE(r.bad_trace.has_value()) << r.message;
  EXPECT_EQ(r.edited_decisions, 1u);
  // The run followed the edited order...
  EXPECT_NE(r.run.trace.find("\"order\":[" + reversed + "]"),
            std::string::npos);
  // ...so it is another schedule, and replay names where it departs.
  ASSERT_TRUE(r.divergence.has_value()) << r.message;
  EXPECT_GT(r.divergence->seq, p.lines.size() > 0 ? 1u : 0u);
  // Any other edit is still caught, with its line.
  std::string other = trace;
  const std::string spawn_line = "\"kind\":\"spawn\",\"by\":0";
  other.replace(other.find(spawn_line), spawn_line.size(),
                "\"kind\":\"spawn\",\"by\":9");
  r = replay(other, [] { Program(0); });
  ASSERT_TRUE(r.bad_trace.has_value());
  EXPECT_NE(r.bad_trace->message.find("only the order of a choose"),
            std::string::npos)
      << r.bad_trace->message;
}

TEST(ReplayTest, ShortenedDecisionsRunFifoPastTheEnd) {
  const std::string trace = Record(11);
  std::string line;
  const std::size_t start = FindChoose(trace, &line);
  // Cut right after the first decision: the rest of the run is FIFO.
  const std::string cut = trace.substr(0, start + line.size() + 1);
  ReplayResult r = replay(cut, [] { Program(0); });
  EXPECT_FALSE(r.bad_trace.has_value()) << r.message;
  ASSERT_TRUE(r.divergence.has_value());
  EXPECT_EQ(r.divergence->expected, "<end of trace>");
  // Every later pass ran in FIFO order.
  ParsedTrace p;
  TraceError e;
  ASSERT_TRUE(parse_trace(r.run.trace, &p, &e)) << e.to_string();
  int chooses = 0;
  for (const std::string& l : p.lines) {
    if (l.find("\"kind\":\"choose\"") == std::string::npos) continue;
    if (++chooses == 1) continue;
    const std::size_t s = l.find("\"set\":[") + 7;
    const std::size_t o = l.find("\"order\":[") + 9;
    EXPECT_EQ(l.substr(s, l.find(']', s) - s), l.substr(o, l.find(']', o) - o))
        << l;
  }
  EXPECT_GT(chooses, 1);
}

TEST(ReplayTest, OutcomeDifferenceIsReported) {
  Options o;
  o.trace_in_memory = true;
  const std::string failing =
      run(o, [] { throw std::runtime_error("boom"); }).trace;
  ReplayResult r = replay(failing, [] {});
  EXPECT_FALSE(r.ok);
  EXPECT_TRUE(r.outcome_differs);
  EXPECT_EQ(r.expected_outcome.to_string(), "error \"boom\"");
  EXPECT_EQ(r.actual_outcome.to_string(), "ok");
  EXPECT_EQ(
      r.message.rfind("outcome differs: expected error \"boom\", got ok", 0),
      0u)
      << r.message;
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
  // Other versions: an older one says why it cannot be used.
  std::string v1 = trace;
  v1.replace(v1.find("\"version\":4"), 11, "\"version\":1");
  e = rejected(v1);
  EXPECT_NE(e.message.find("unsupported trace version 1"), std::string::npos);
  EXPECT_NE(e.message.find("record the program again"), std::string::npos);
  std::string v2 = trace;
  v2.replace(v2.find("\"version\":4"), 11, "\"version\":2");
  e = rejected(v2);
  EXPECT_NE(e.message.find("unsupported trace version 2: this build reads "
                           "version 4 (version 2 traces have no "
                           "prepare_timers"),
            std::string::npos)
      << e.message;
  EXPECT_NE(e.message.find("record the program again"), std::string::npos);
  std::string v3 = trace;
  v3.replace(v3.find("\"version\":4"), 11, "\"version\":3");
  e = rejected(v3);
  EXPECT_NE(e.message.find("unsupported trace version 3: this build reads "
                           "version 4 (version 3 traces have no host events"),
            std::string::npos)
      << e.message;
  std::string v5 = trace;
  v5.replace(v5.find("\"version\":4"), 11, "\"version\":5");
  EXPECT_NE(rejected(v5).message.find("unsupported trace version 5"),
            std::string::npos);
  // Cut after a whole line: no outcome event. (Replay accepts it, to drive
  // a shortened list of decisions: ShortenedDecisionsRunFifoPastTheEnd.)
  const std::size_t last = trace.rfind('\n', trace.size() - 2);
  ParsedTrace cut;
  EXPECT_FALSE(parse_trace(trace.substr(0, last + 1), &cut, &e));
  EXPECT_NE(e.message.find("no outcome event"), std::string::npos) << e.message;
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

// `trace` with every event's hash recomputed (to test checks behind it).
std::string Rehash(const std::string& trace) {
  std::string out;
  std::uint64_t h = 0;
  std::size_t pos = 0;
  bool header = true;
  while (pos < trace.size()) {
    const std::size_t nl = trace.find('\n', pos);
    std::string line = trace.substr(pos, nl - pos);
    pos = nl + 1;
    if (header) {
      h = trace_hash(0xcbf29ce484222325ULL, line);
      header = false;
    } else {
      const std::size_t at = line.rfind(",\"h\":\"");
      h = trace_hash(h, std::string_view(line).substr(0, at));
      char hex[17];
      std::snprintf(hex, sizeof hex, "%016llx",
                    static_cast<unsigned long long>(h));
      line = line.substr(0, at) + ",\"h\":\"" + hex + "\"}";
    }
    out += line + "\n";
  }
  return out;
}

TEST(ReplayTest, RejectsNegativeTimeDuplicateKeysAndEscapesControlBytes) {
  const std::string trace = Record(5);
  ParsedTrace p;
  TraceError e;
  ASSERT_TRUE(parse_trace(Rehash(trace), &p, &e)) << e.to_string();
  std::string negative = trace;
  negative.replace(negative.find("\"t\":0"), 5, "\"t\":-5");
  EXPECT_FALSE(parse_trace(Rehash(negative), &p, &e));
  EXPECT_EQ(e.line, 2u);
  EXPECT_NE(e.message.find("negative time"), std::string::npos) << e.message;
  std::string twice = trace;
  twice.replace(twice.find("\"gt\":"), 5, "\"gt\":7,\"gt\":");
  EXPECT_FALSE(parse_trace(Rehash(twice), &p, &e));
  EXPECT_EQ(e.line, 2u);
  EXPECT_NE(e.message.find("repeated keys"), std::string::npos) << e.message;
  std::string header_twice = trace;
  header_twice.replace(header_twice.find("\"seed\":"), 7,
                       "\"seed\":1,\"seed\":");
  EXPECT_FALSE(parse_trace(header_twice, &p, &e));
  EXPECT_EQ(e.line, 1u);
  // An escape sequence (ESC ] 0 ; sets a terminal's title), raw or
  // JSON-escaped, never reaches the message as a control byte.
  std::string raw = "{\"format\":\"\x1b]0;owned\x07\"}\n";
  std::string escaped = trace;
  escaped.replace(escaped.find("\"random\""), 8, "\"\\u001b]0;owned\"");
  std::string bad_kind = trace;
  bad_kind.replace(bad_kind.find("\"kind\":\"") + 8, 0, "\\u001b[2J");
  for (const std::string& bad : {raw, escaped, Rehash(bad_kind)}) {
    EXPECT_FALSE(parse_trace(bad, &p, &e));
    for (char c : e.message) {
      EXPECT_GE(static_cast<unsigned char>(c), 0x20) << e.message;
      EXPECT_LT(static_cast<unsigned char>(c), 0x7f) << e.message;
    }
  }
  EXPECT_NE(e.message.find("\\x1b[2J"), std::string::npos) << e.message;
}

TEST(ReplayTest, ParserSurvivesRandomMutations) {
  const std::string trace = Record(3);
  Rng rng(20260101, Stream::kUser);
  int rejected = 0;
  const int kMutations = 1000;  // fuzz/ runs the parser far longer
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
