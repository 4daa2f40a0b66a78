// Copyright 2026 The eventlet-cpp Authors.
#include "green_net/http/metrics.h"

#include <cstdlib>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "green_net/http/server_stats.h"
#include "gtest/gtest.h"

namespace {

namespace http = eventlet::http;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

struct Sample {
  std::string name;
  std::string labels;  // inside the braces
  double value;
};

struct Parsed {
  std::vector<Sample> samples;
  std::vector<std::string> errors;
};

// Checks `text` against the Prometheus text exposition format (0.0.4) as a
// scraper reads it, with an error per violation: every line a HELP, a TYPE
// or a sample; every sample's family has HELP and TYPE before it and its
// lines are contiguous; counters end in _total; histograms have
// _bucket{le} samples in ascending le, cumulative, ending in "+Inf", a
// _count equal to the +Inf bucket and a _sum.
Parsed parse(const std::string& text) {
  static const std::regex kHelp(R"(# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) \S.*)");
  static const std::regex kType(
      R"(# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped))");
  static const std::regex kSample(
      R"(([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([a-zA-Z_][a-zA-Z0-9_]*="[^"\\]*"(,[a-zA-Z_][a-zA-Z0-9_]*="[^"\\]*")*)\})? (\S+))");
  Parsed out;
  auto error = [&out](const std::string& e) { out.errors.push_back(e); };
  if (!text.ends_with("\n")) error("no final newline");
  std::map<std::string, std::string> types;
  std::set<std::string> helped, finished;
  std::string current;  // the family whose lines are being read
  auto enter = [&](const std::string& family) {
    if (family == current) return;
    if (finished.count(family)) error(family + "'s lines are split");
    if (!current.empty()) finished.insert(current);
    current = family;
  };
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    std::smatch m;
    if (std::regex_match(line, m, kHelp)) {
      enter(m[1]);
      if (!helped.insert(m[1]).second) error("two HELP for " + m[1].str());
    } else if (std::regex_match(line, m, kType)) {
      enter(m[1]);
      if (!types.emplace(m[1], m[2]).second)
        error("two TYPE for " + m[1].str());
    } else if (std::regex_match(line, m, kSample)) {
      const std::string name = m[1];
      std::string family = name;
      for (std::string suffix : {"_bucket", "_sum", "_count"}) {
        if (!name.ends_with(suffix)) continue;
        const std::string base = name.substr(0, name.size() - suffix.size());
        if (types.count(base) && types[base] == "histogram") family = base;
      }
      enter(family);
      if (!helped.count(family)) error("no HELP before " + line);
      if (!types.count(family)) {
        error("no TYPE before " + line);
      } else if (types[family] == "counter" && !name.ends_with("_total")) {
        error("counter " + name + " without _total");
      } else if (types[family] == "histogram" && name == family) {
        error("histogram sample without a suffix: " + line);
      }
      const std::string value = m[5];
      char* end = nullptr;
      const double v = std::strtod(value.c_str(), &end);
      if (*end != '\0') error("bad value in " + line);
      out.samples.push_back({name, m[3], v});
    } else {
      error("not HELP, TYPE or a sample: \"" + line + "\"");
    }
  }
  for (const auto& [family, type] : types) {
    if (type != "histogram") continue;
    double last_le = -1, last_count = -1, inf = -1, count = -1;
    bool sum = false;
    for (const Sample& s : out.samples) {
      if (s.name == family + "_bucket") {
        if (inf != -1) error(family + ": a bucket after le=\"+Inf\"");
        if (!s.labels.starts_with("le=\"")) {
          error(family + ": a bucket without le: " + s.labels);
          continue;
        }
        const std::string le = s.labels.substr(4, s.labels.size() - 5);
        if (s.value < last_count)
          error(family + ": buckets not cumulative at " + le);
        last_count = s.value;
        if (le == "+Inf") {
          inf = s.value;
        } else {
          const double bound = std::strtod(le.c_str(), nullptr);
          if (bound <= last_le) error(family + ": le not ascending at " + le);
          last_le = bound;
        }
      } else if (s.name == family + "_count") {
        count = s.value;
      } else if (s.name == family + "_sum") {
        sum = true;
      }
    }
    if (inf == -1) error(family + ": no le=\"+Inf\" bucket");
    if (count != inf) error(family + ": _count differs from the +Inf bucket");
    if (!sum) error(family + ": no _sum");
  }
  return out;
}

// parse(), expecting no error.
std::vector<Sample> validate(const std::string& text) {
  Parsed parsed = parse(text);
  EXPECT_THAT(parsed.errors, IsEmpty()) << text;
  return parsed.samples;
}

double value(const std::vector<Sample>& samples, const std::string& name,
             const std::string& labels = "") {
  for (const Sample& s : samples) {
    if (s.name == name && s.labels == labels) return s.value;
  }
  ADD_FAILURE() << "no sample " << name << "{" << labels << "}";
  return -1;
}

TEST(Metrics, EmptyStatsAreValid) {
  const auto samples = validate(http::format_prometheus({}));
  EXPECT_EQ(value(samples, "eventlet_http_server_requests_total"), 0);
  EXPECT_EQ(
      value(samples, "eventlet_http_server_request_duration_seconds_bucket",
            "le=\"+Inf\""),
      0);
}

TEST(Metrics, EveryCounterAndTheHistogram) {
  http::ServerStats stats;
  stats.connections_accepted = 7;
  stats.connections_open = 2;
  stats.requests_served = 10;
  stats.requests_rejected = 3;
  stats.responses_by_class = {1, 9, 0, 2, 1};
  stats.handler_errors = 1;
  stats.write_errors = 4;
  stats.read_timeouts = 5;
  stats.idle_timeouts = 6;
  stats.write_timeouts = 2;
  stats.bytes_received = 1234;
  stats.bytes_sent = 56789;
  stats.access_log_dropped = 8;
  stats.latency.record(50'000);          // 50 us: le 0.0001
  stats.latency.record(100'000);         // exactly on a bound: le 0.0001
  stats.latency.record(100'001);         // le 0.00025
  stats.latency.record(3'000'000);       // 3 ms: le 0.005
  stats.latency.record(11'000'000'000);  // 11 s: only +Inf
  const std::string text = http::format_prometheus(stats);
  std::printf("%s", text.c_str());
  const auto samples = validate(text);
  const std::string p = "eventlet_http_server_";
  EXPECT_EQ(value(samples, p + "connections_open"), 2);
  EXPECT_EQ(value(samples, p + "connections_accepted_total"), 7);
  EXPECT_EQ(value(samples, p + "requests_total"), 13);
  EXPECT_EQ(value(samples, p + "requests_rejected_total"), 3);
  EXPECT_EQ(value(samples, p + "responses_total", "code=\"1xx\""), 1);
  EXPECT_EQ(value(samples, p + "responses_total", "code=\"2xx\""), 9);
  EXPECT_EQ(value(samples, p + "responses_total", "code=\"3xx\""), 0);
  EXPECT_EQ(value(samples, p + "responses_total", "code=\"4xx\""), 2);
  EXPECT_EQ(value(samples, p + "responses_total", "code=\"5xx\""), 1);
  EXPECT_EQ(value(samples, p + "handler_errors_total"), 1);
  EXPECT_EQ(value(samples, p + "write_errors_total"), 4);
  EXPECT_EQ(value(samples, p + "timeouts_total", "kind=\"read\""), 5);
  EXPECT_EQ(value(samples, p + "timeouts_total", "kind=\"idle\""), 6);
  EXPECT_EQ(value(samples, p + "timeouts_total", "kind=\"write\""), 2);
  EXPECT_EQ(value(samples, p + "received_bytes_total"), 1234);
  EXPECT_EQ(value(samples, p + "sent_bytes_total"), 56789);
  EXPECT_EQ(value(samples, p + "access_log_dropped_total"), 8);
  const std::string bucket = p + "request_duration_seconds_bucket";
  EXPECT_EQ(value(samples, bucket, "le=\"0.0001\""), 2);
  EXPECT_EQ(value(samples, bucket, "le=\"0.00025\""), 3);
  EXPECT_EQ(value(samples, bucket, "le=\"0.0025\""), 3);
  EXPECT_EQ(value(samples, bucket, "le=\"0.005\""), 4);
  EXPECT_EQ(value(samples, bucket, "le=\"10\""), 4);
  EXPECT_EQ(value(samples, bucket, "le=\"+Inf\""), 5);
  EXPECT_EQ(value(samples, p + "request_duration_seconds_count"), 5);
  EXPECT_NEAR(value(samples, p + "request_duration_seconds_sum"), 11.003250001,
              1e-9);
}

TEST(Metrics, PrefixAndResponse) {
  const auto samples = validate(http::format_prometheus({}, "web"));
  EXPECT_EQ(value(samples, "web_connections_open"), 0);
  const http::Response r = http::metrics_response({});
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.header("Content-Type"), http::kPrometheusContentType);
  EXPECT_THAT(
      r.body,
      HasSubstr("# TYPE eventlet_http_server_requests_total counter\n"));
}

// The validator itself must catch what it checks.
TEST(Metrics, ValidatorRejectsBrokenText) {
  EXPECT_THAT(parse("x_total 1\n").errors,
              Contains(HasSubstr("no HELP before")));
  EXPECT_THAT(parse("# HELP h a\n# TYPE h histogram\nh_bucket{le=\"1\"} 2\n"
                    "h_bucket{le=\"2\"} 1\nh_bucket{le=\"+Inf\"} 2\nh_sum 1\n"
                    "h_count 2\n")
                  .errors,
              ElementsAre(HasSubstr("not cumulative")));
  EXPECT_THAT(parse("# HELP h a\n# TYPE h histogram\nh_bucket{le=\"1\"} 2\n"
                    "h_sum 1\nh_count 2\n")
                  .errors,
              Contains(HasSubstr("no le=\"+Inf\" bucket")));
  EXPECT_THAT(parse("# HELP h a\n# TYPE h histogram\nh_bucket{le=\"+Inf\"} 2\n"
                    "h_sum 1\nh_count 3\n")
                  .errors,
              ElementsAre(HasSubstr("_count differs")));
  EXPECT_THAT(parse("# HELP c a\n# TYPE c counter\nc 1\n").errors,
              ElementsAre(HasSubstr("counter c without _total")));
  EXPECT_THAT(parse("# HELP g a\n# TYPE g gauge\ng 1\n# HELP k a\n"
                    "# TYPE k gauge\nk 1\ng 2\n")
                  .errors,
              ElementsAre(HasSubstr("g's lines are split")));
}

}  // namespace
