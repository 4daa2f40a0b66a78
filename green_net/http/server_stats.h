// Copyright 2026 The eventlet-cpp Authors.
//
// server_stats.h: what an http::Server counts (Server::stats()), and the
// fixed-bucket latency histogram it keeps.
//
// Cost: plain integers, written only on the hub's thread that runs the
// server (no atomics, no locks); per request a few increments, two reads of
// the clock (Hub::fresh_now, vDSO) and a bucket search over 16 bounds. Read
// them on that same thread (a handler, the introspection port, a timer).
// A server on several hubs (ServerOptions::hubs) keeps one ServerStats per
// hub; Server::hub_stats() and total_stats() gather them.
// metrics.h formats them for Prometheus.
#ifndef EVENTLET_GREEN_NET_HTTP_SERVER_STATS_H_
#define EVENTLET_GREEN_NET_HTTP_SERVER_STATS_H_

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>

namespace eventlet::http {

// Request latencies in fixed buckets: counts[i] holds the requests that took
// at most kBoundsNs[i] and more than kBoundsNs[i - 1] (NOT cumulative; the
// Prometheus output adds them up); counts.back() those that took longer than
// the last bound. sum_ns adds up every latency.
struct LatencyHistogram {
  // 100 us .. 10 s, 1-2.5-5 steps (Prometheus client libraries' defaults,
  // extended down to 100 us for a server on loopback).
  static constexpr std::array<std::int64_t, 16> kBoundsNs = {
      100'000,       250'000,       500'000,       1'000'000,
      2'500'000,     5'000'000,     10'000'000,    25'000'000,
      50'000'000,    100'000'000,   250'000'000,   500'000'000,
      1'000'000'000, 2'500'000'000, 5'000'000'000, 10'000'000'000};

  std::array<std::uint64_t, kBoundsNs.size() + 1> counts{};
  std::uint64_t count = 0;
  std::int64_t sum_ns = 0;

  void record(std::int64_t ns) {
    const auto bucket =
        std::lower_bound(kBoundsNs.begin(), kBoundsNs.end(), ns) -
        kBoundsNs.begin();
    ++counts[static_cast<std::size_t>(bucket)];
    ++count;
    sum_ns += ns;
  }
  // Adds `other`'s requests to these (bucket by bucket).
  LatencyHistogram& operator+=(const LatencyHistogram& other) {
    for (std::size_t i = 0; i < counts.size(); ++i)
      counts[i] += other.counts[i];
    count += other.count;
    sum_ns += other.sum_ns;
    return *this;
  }
};

// Counters since the Server's construction (connections_open: now).
struct ServerStats {
  // Connections.
  std::uint64_t connections_accepted = 0;
  std::uint64_t connections_open = 0;
  // Requests: answered by the handler (500 when it threw included) or as
  // ServerOptions::metrics_path, and refused by the server itself
  // (400/408/413/431/505; requests_rejected).
  std::uint64_t requests_served = 0;
  std::uint64_t requests_rejected = 0;
  // Final responses written or attempted, by status class: [0] 1xx .. [4]
  // 5xx (interim "100 Continue" answers are not counted).
  std::array<std::uint64_t, 5> responses_by_class{};
  // Errors: the handler threw (answered 500); a response could not be
  // written (the peer reset or closed, or write_timeout expired:
  // write_timeouts counts those).
  std::uint64_t handler_errors = 0;
  std::uint64_t write_errors = 0;
  // Timeouts: read_timeout expired during a request (answered 408) or
  // before a connection's first byte (closed silently); idle_timeout expired
  // between requests (closed silently); write_timeout expired while writing
  // a response.
  std::uint64_t read_timeouts = 0;
  std::uint64_t idle_timeouts = 0;
  std::uint64_t write_timeouts = 0;
  // Bytes read from and written to connections (headers, bodies, and the
  // input drained after an error answer).
  std::uint64_t bytes_received = 0;
  std::uint64_t bytes_sent = 0;
  // TLS (ServerOptions::tls): handshakes that failed — the client gave up
  // or refused our certificate, spoke plain HTTP (answered 400, also in
  // requests_rejected), or read_timeout expired first. The connection is
  // closed.
  std::uint64_t tls_handshake_failures = 0;
  // Access log lines dropped because its buffer was full (access_log.h).
  std::uint64_t access_log_dropped = 0;
  // From the request's first byte read (for a connection's first request:
  // from accept) to its response written, on the hub's clock.
  LatencyHistogram latency;

  std::uint64_t requests() const { return requests_served + requests_rejected; }

  // Adds `other`'s counts to these (a server on several hubs:
  // Server::total_stats). Every field is a count, so the sum of the hubs'
  // stats is the whole server's.
  ServerStats& operator+=(const ServerStats& other) {
    connections_accepted += other.connections_accepted;
    connections_open += other.connections_open;
    requests_served += other.requests_served;
    requests_rejected += other.requests_rejected;
    for (std::size_t i = 0; i < responses_by_class.size(); ++i)
      responses_by_class[i] += other.responses_by_class[i];
    handler_errors += other.handler_errors;
    write_errors += other.write_errors;
    read_timeouts += other.read_timeouts;
    idle_timeouts += other.idle_timeouts;
    write_timeouts += other.write_timeouts;
    bytes_received += other.bytes_received;
    bytes_sent += other.bytes_sent;
    tls_handshake_failures += other.tls_handshake_failures;
    access_log_dropped += other.access_log_dropped;
    latency += other.latency;
    return *this;
  }
};

}  // namespace eventlet::http

#endif  // EVENTLET_GREEN_NET_HTTP_SERVER_STATS_H_
