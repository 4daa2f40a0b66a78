// Copyright 2026 The eventlet-cpp Authors.
#include "green_net/http/metrics.h"

#include <cinttypes>
#include <cstdio>

namespace eventlet::http {
namespace {

// Writes one metric family at a time: its HELP and TYPE lines, then samples.
class Writer {
 public:
  Writer(std::string& out, std::string_view prefix)
      : out_(out), prefix_(prefix) {}

  void family(std::string_view name, std::string_view type,
              std::string_view help) {
    line("# HELP ", name, " ");
    out_.append(help);
    out_.push_back('\n');
    line("# TYPE ", name, " ");
    out_.append(type);
    out_.push_back('\n');
  }
  // NAME[{LABELS}] VALUE
  void sample(std::string_view name, std::string_view labels,
              std::uint64_t value) {
    char digits[24];
    std::snprintf(digits, sizeof digits, "%" PRIu64, value);
    sample_text(name, labels, digits);
  }
  void sample_text(std::string_view name, std::string_view labels,
                   std::string_view value) {
    out_.append(prefix_);
    out_.push_back('_');
    out_.append(name);
    if (!labels.empty()) {
      out_.push_back('{');
      out_.append(labels);
      out_.push_back('}');
    }
    out_.push_back(' ');
    out_.append(value);
    out_.push_back('\n');
  }
  // A family with one unlabelled sample.
  void single(std::string_view name, std::string_view type,
              std::string_view help, std::uint64_t value) {
    family(name, type, help);
    sample(name, "", value);
  }

 private:
  void line(std::string_view start, std::string_view name,
            std::string_view end) {
    out_.append(start);
    out_.append(prefix_);
    out_.push_back('_');
    out_.append(name);
    out_.append(end);
  }

  std::string& out_;
  std::string_view prefix_;
};

// A bucket bound in seconds, as Prometheus clients print them ("0.0001",
// "2.5", "10").
std::string bound_seconds(std::int64_t ns) {
  char text[32];
  std::snprintf(text, sizeof text, "%.9g", static_cast<double>(ns) / 1e9);
  return text;
}

// A sum of nanoseconds in seconds, to the nanosecond ("11.003250101").
std::string exact_seconds(std::int64_t ns) {
  char text[32];
  std::snprintf(text, sizeof text, "%s%lld.%09lld", ns < 0 ? "-" : "",
                static_cast<long long>((ns < 0 ? -ns : ns) / 1'000'000'000),
                static_cast<long long>((ns < 0 ? -ns : ns) % 1'000'000'000));
  return text;
}

}  // namespace

std::string format_prometheus(const ServerStats& stats,
                              std::string_view prefix) {
  std::string out;
  out.reserve(4096);
  Writer w(out, prefix);
  w.single("connections_open", "gauge", "Connections open now.",
           stats.connections_open);
  w.single("connections_accepted_total", "counter", "Connections accepted.",
           stats.connections_accepted);
  w.single("requests_total", "counter",
           "Requests answered (by the handler or refused by the server).",
           stats.requests());
  w.single("requests_rejected_total", "counter",
           "Requests refused by the server itself (400, 408, 413, 431, 505).",
           stats.requests_rejected);
  w.family("responses_total", "counter", "Final responses by status class.");
  for (std::size_t i = 0; i < stats.responses_by_class.size(); ++i) {
    const std::string label = "code=\"" + std::to_string(i + 1) + "xx\"";
    w.sample("responses_total", label, stats.responses_by_class[i]);
  }
  w.single("tls_handshake_failures_total", "counter",
           "TLS handshakes that failed (the connection was closed).",
           stats.tls_handshake_failures);
  w.single("received_bytes_total", "counter", "Bytes read from connections.",
           stats.bytes_received);
  w.single("sent_bytes_total", "counter", "Bytes written to connections.",
           stats.bytes_sent);
  w.single("handler_errors_total", "counter",
           "Handler exceptions (answered 500).", stats.handler_errors);
  w.single("write_errors_total", "counter",
           "Responses that could not be written (reset, closed, timed out).",
           stats.write_errors);
  w.family("timeouts_total", "counter",
           "Timeouts: read (a request), idle (between requests), write.");
  w.sample("timeouts_total", "kind=\"read\"", stats.read_timeouts);
  w.sample("timeouts_total", "kind=\"idle\"", stats.idle_timeouts);
  w.sample("timeouts_total", "kind=\"write\"", stats.write_timeouts);
  w.single("access_log_dropped_total", "counter",
           "Access log lines dropped because its buffer was full.",
           stats.access_log_dropped);

  const LatencyHistogram& h = stats.latency;
  w.family("request_duration_seconds", "histogram",
           "From a request's first byte to its response written.");
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i < h.kBoundsNs.size(); ++i) {
    cumulative += h.counts[i];
    w.sample("request_duration_seconds_bucket",
             "le=\"" + bound_seconds(h.kBoundsNs[i]) + "\"", cumulative);
  }
  cumulative += h.counts.back();
  w.sample("request_duration_seconds_bucket", "le=\"+Inf\"", cumulative);
  w.sample_text("request_duration_seconds_sum", "", exact_seconds(h.sum_ns));
  w.sample("request_duration_seconds_count", "", h.count);
  return out;
}

Response metrics_response(const ServerStats& stats) {
  Response response;
  response.status = 200;
  response.headers.push_back(
      Header{"Content-Type", std::string(kPrometheusContentType)});
  response.body = format_prometheus(stats);
  return response;
}

}  // namespace eventlet::http
