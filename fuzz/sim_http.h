// Copyright 2026 The eventlet-cpp Authors.
//
// sim_http.h: the real http::Server and http::Client fed fuzz bytes over the
// simulated network (sim/sim_net.h), on a simulated clock. Every call runs one
// fresh simulation (sim::run): the server's and client's timeouts pass in
// virtual time, so an input that makes them wait costs no wall time, and the
// schedule is the same on every run of the same input.
//
// A fuzz finding is reported by aborting (libFuzzer saves the input): the
// simulation deadlocked, hit its time or event limit, or an exception escaped
// (what()/summary printed first). Ordinary HTTP outcomes — error answers,
// closed connections, fetch errors — are results, not findings.
//
// Bytes are written in segments whose sizes (1 to 4096 bytes) are drawn from
// a hash of the bytes themselves: the same input is cut the same way each
// time, different inputs are cut differently, so parsers see messages split
// at arbitrary points.
#ifndef EVENTLET_FUZZ_SIM_HTTP_H_
#define EVENTLET_FUZZ_SIM_HTTP_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/functional/function_ref.h"
#include "green_net/http/server.h"

namespace eventlet::fuzz {

// `bytes` cut into the segments described above (views into `bytes`).
std::vector<std::string_view> segments_of(std::string_view bytes);

// What one client connection got from the server.
struct ServedBytes {
  std::string response;     // every byte the server sent, in order
  http::ServerStats stats;  // after the server stopped
};

// Starts an http::Server (options, handler) on 10.0.0.2:80, connects one
// client from 10.0.0.1, writes `request` in segments while reading, then
// half-closes (SHUT_WR) and reads until the server closes the connection.
// Then stops the server and waits for it. Aborts if the connection stays open
// with nothing coming from the server for 10 virtual minutes (all the
// server's timeouts are far shorter), or on any other finding (see above).
ServedBytes serve_bytes(std::string_view request,
                        const http::ServerOptions& options,
                        const http::Handler& handler);

// Starts a fake server on 10.0.0.2:80 that answers each request (the bytes
// up to an empty line, at most 64 KiB) of each connection with `response`,
// written in segments, up to `answers_per_connection` times, then closes the
// connection. Runs `client` (which fetches from http://10.0.0.2/) as the
// simulation's main greenthread, then ends the fake server. The client must
// not follow redirects to host names: names would be resolved for real
// (getaddrinfo), outside the simulation.
void with_byte_server(std::string_view response, int answers_per_connection,
                      absl::FunctionRef<void()> client);

}  // namespace eventlet::fuzz

#endif  // EVENTLET_FUZZ_SIM_HTTP_H_
