// Copyright 2026 The eventlet-cpp Authors.
#include "fuzz/sim_http.h"

#include <sys/socket.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <utility>

#include "green_net/address.h"
#include "green_net/convenience.h"
#include "green_net/socket.h"
#include "greenthread/greenthread.h"
#include "hub/hub.h"
#include "sim/sim.h"

namespace eventlet::fuzz {
namespace {

constexpr char kServerAddress[] = "10.0.0.2:80";
// The longest a server may keep a connection open without sending anything.
constexpr absl::Duration kCloseBound = absl::Minutes(10);
// Bounds of every simulation: far beyond what one input can need.
constexpr std::int64_t kMaxVirtualNs = std::int64_t{3600} * 1'000'000'000;
constexpr std::uint64_t kMaxEvents = 5'000'000;
// How much of a request head the fake server reads before answering anyway.
constexpr std::size_t kMaxRequestHead = 64 * 1024;

[[noreturn]] void finding(const std::string& what) {
  std::fprintf(stderr, "FUZZ FINDING: %s\n", what.c_str());
  std::fflush(stderr);
  std::abort();
}

// Runs `fn` in a fresh simulation; any outcome but a clean return is a
// finding.
void simulate(absl::FunctionRef<void()> fn) {
  sim::Options options;
  options.max_time = absl::Nanoseconds(kMaxVirtualNs);
  options.max_events = kMaxEvents;
  const sim::Result r = sim::run(options, fn);
  if (!r.ok()) finding("simulation did not end cleanly: " + r.summary());
}

// Exceptions that escape greenthreads (a handler's 500s included) are
// expected here; the default hook would print each one.
void quiet_exception_hook() {
  Hub::current().set_exception_hook([](const HubException&) {});
}

// Writes `bytes` in segments; stops at the first error (the peer may close
// or reset at any point).
void write_segments(net::Socket& socket, std::string_view bytes) {
  for (std::string_view segment : segments_of(bytes)) {
    net::error_code ec;
    socket.sendall(segment.data(), segment.size(), ec);
    if (ec) return;
  }
}

}  // namespace

std::vector<std::string_view> segments_of(std::string_view bytes) {
  std::uint64_t state = 0xcbf29ce484222325u;  // FNV-1a of the bytes
  for (unsigned char c : bytes) state = (state ^ c) * 0x100000001b3u;
  std::vector<std::string_view> out;
  while (!bytes.empty()) {
    state ^= state << 13;  // xorshift64
    state ^= state >> 7;
    state ^= state << 17;
    // Mostly small segments, sometimes up to 4096 bytes.
    const std::size_t limit = std::size_t{1} << (state % 13);
    const std::size_t size = 1 + (state >> 16) % limit;
    out.push_back(bytes.substr(0, size));
    bytes.remove_prefix(std::min(size, bytes.size()));
  }
  return out;
}

ServedBytes serve_bytes(std::string_view request,
                        const http::ServerOptions& options,
                        const http::Handler& handler) {
  ServedBytes out;
  simulate([&] {
    quiet_exception_hook();
    const net::Address address = *net::Address::parse(kServerAddress);
    http::Server server(net::listen(address), handler, options);
    auto running = spawn([&] { server.run(); });

    net::Socket client = net::connect(address);
    auto writer = spawn([&] {
      write_segments(client, request);
      net::error_code ignored;
      client.shutdown(SHUT_WR, ignored);
    });
    client.set_timeout(kCloseBound);
    char buffer[16384];
    for (;;) {
      net::error_code ec;
      const std::size_t n = client.recv(buffer, sizeof buffer, ec);
      if (ec == boost::system::errc::timed_out) {
        finding("the server kept the connection open and silent for " +
                absl::FormatDuration(kCloseBound));
      }
      if (ec || n == 0) break;
      out.response.append(buffer, n);
    }
    writer.wait();
    client.close();
    server.stop();
    running.wait();
    out.stats = server.stats();
  });
  return out;
}

void with_byte_server(std::string_view response, int answers_per_connection,
                      absl::FunctionRef<void()> client) {
  simulate([&] {
    quiet_exception_hook();
    net::Socket listener = net::listen(*net::Address::parse(kServerAddress));
    auto answer = [&](net::Socket socket) {
      std::string head;
      char buffer[4096];
      for (int answered = 0; answered < answers_per_connection; ++answered) {
        // Reads up to the end of a request head (or its limit).
        while (head.find("\r\n\r\n") == std::string::npos &&
               head.size() < kMaxRequestHead) {
          net::error_code ec;
          const std::size_t n = socket.recv(buffer, sizeof buffer, ec);
          if (ec || n == 0) return;
          head.append(buffer, n);
        }
        const std::size_t end = head.find("\r\n\r\n");
        head.erase(0, end == std::string::npos ? head.size() : end + 4);
        write_segments(socket, response);
      }
    };
    spawn_n([&] {
      for (;;) {
        net::error_code ec;
        net::Socket socket = listener.accept(nullptr, ec);
        if (ec) return;
        spawn_n([&answer](net::Socket s) { answer(std::move(s)); },
                std::move(socket));
      }
    });
    client();
    // The fake server's greenthreads use `listener` and `answer`: end them
    // while both still live.
    Hub::current().unwind_greenthreads();
  });
}

}  // namespace eventlet::fuzz
