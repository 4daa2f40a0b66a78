// Copyright 2026 The eventlet-cpp Authors.
//
// metrics.h: an http::Server's statistics (server_stats.h) in the
// Prometheus text exposition format, version 0.0.4 — what a Prometheus
// server scrapes from a /metrics endpoint.
//
//   ServerOptions options;
//   options.metrics_path = "/metrics";         // the server answers it
//   // or, anywhere else (another server's handler, the introspection port):
//   std::string text = http::format_prometheus(server.stats());
//
// Output: for every metric a "# HELP" and a "# TYPE" line, then its samples;
// names start with `prefix` (default "eventlet_http_server"):
//   PREFIX_connections_open                  gauge
//   PREFIX_connections_accepted_total        counter
//   PREFIX_requests_total                    counter (served + rejected)
//   PREFIX_requests_rejected_total           counter
//   PREFIX_responses_total{code="1xx".."5xx"}  counter
//   PREFIX_tls_handshake_failures_total      counter
//   PREFIX_received_bytes_total, PREFIX_sent_bytes_total   counters
//   PREFIX_handler_errors_total, PREFIX_write_errors_total counters
//   PREFIX_timeouts_total{kind="read"|"idle"|"write"}      counter
//   PREFIX_access_log_dropped_total          counter
//   PREFIX_request_duration_seconds          histogram: _bucket{le="..."}
//                                            (cumulative, ending in "+Inf"),
//                                            _sum, _count
// Values are integers except the histogram's le bounds and _sum (seconds).
#ifndef EVENTLET_GREEN_NET_HTTP_METRICS_H_
#define EVENTLET_GREEN_NET_HTTP_METRICS_H_

#include <string>
#include <string_view>

#include "green_net/http/message.h"
#include "green_net/http/server_stats.h"

namespace eventlet::http {

// The Content-Type of the text format.
inline constexpr std::string_view kPrometheusContentType =
    "text/plain; version=0.0.4; charset=utf-8";

// The text above. `prefix` must be a valid metric name ([a-zA-Z_:]
// [a-zA-Z0-9_:]*); it is not checked.
std::string format_prometheus(const ServerStats& stats,
                              std::string_view prefix = "eventlet_http_server");

// 200 with format_prometheus(stats) and kPrometheusContentType.
Response metrics_response(const ServerStats& stats);

}  // namespace eventlet::http

#endif  // EVENTLET_GREEN_NET_HTTP_METRICS_H_
