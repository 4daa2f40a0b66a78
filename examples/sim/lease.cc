// Copyright 2026 The eventlet-cpp Authors.
#include "examples/sim/lease.h"

#include <charconv>
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "absl/strings/str_cat.h"
#include "green_net/address.h"
#include "green_net/convenience.h"
#include "green_net/socket.h"
#include "greenthread/event.h"
#include "greenthread/greenthread.h"
#include "sim/host.h"

namespace eventlet::examples {

namespace {

constexpr char kLockServer[] = "10.0.0.1";
constexpr char kStore[] = "10.0.0.9";
constexpr const char* kReplicas[] = {"10.0.0.2", "10.0.0.3"};
constexpr std::uint16_t kLockPort = 7000;
constexpr std::uint16_t kStorePort = 7001;
// A replica's wait between failed attempts, its work between the read and
// the write of an increment, and its limit for each wait on a peer.
constexpr absl::Duration kRetry = absl::Milliseconds(50);
constexpr absl::Duration kThink = absl::Milliseconds(30);
constexpr absl::Duration kRpcTimeout = absl::Milliseconds(50);
constexpr std::size_t kMaxLine = 64;  // longer lines are refused

// The store's disk: what survives its crashes.
struct StoreDisk {
  std::int64_t counter = 0;
};

// What the test knows that no host does: the store's disk and the
// increments acknowledged to the replicas. `lost` is sent at the first
// moment the counter falls behind them.
struct World {
  StoreDisk disk;
  std::int64_t acknowledged = 0;
  Event<std::string> lost;

  void acknowledge() {
    ++acknowledged;
    if (disk.counter < acknowledged && !lost.ready()) {
      lost.send(absl::StrCat("lost write: ", acknowledged,
                             " increments acknowledged, the store's counter "
                             "is ",
                             disk.counter));
    }
  }
};

// One line from `conn`, without its newline; nullopt at end of stream, on
// an error (a reset, the socket's timeout) or past kMaxLine bytes.
std::optional<std::string> read_line(net::Socket& conn) {
  std::string line;
  while (line.empty() || line.back() != '\n') {
    net::error_code ec;
    const std::string part = conn.recv(kMaxLine, ec);
    if (ec || part.empty() || line.size() + part.size() > kMaxLine) {
      return std::nullopt;
    }
    line += part;
  }
  line.pop_back();
  return line;
}

// The integer after `prefix` in `line` ("PUT 42", "PUT " -> 42), if that is
// all the line holds.
std::optional<std::int64_t> number_after(std::string_view line,
                                         std::string_view prefix) {
  if (!line.starts_with(prefix)) return std::nullopt;
  line.remove_prefix(prefix.size());
  std::int64_t value = 0;
  const auto [end, error] =
      std::from_chars(line.data(), line.data() + line.size(), value);
  if (line.empty() || error != std::errc() ||
      end != line.data() + line.size()) {
    return std::nullopt;
  }
  return value;
}

// Sends `request` as a line and returns the answer line (nullopt as above).
std::optional<std::string> call(net::Socket& conn, const std::string& request) {
  net::error_code ec;
  conn.sendall(request + "\n", ec);
  if (ec) return std::nullopt;
  return read_line(conn);
}

// A connection from this host to `host`:`port`, with kRpcTimeout on every
// wait; not open if it failed (refused: the peer is down).
net::Socket dial(const char* host, std::uint16_t port) {
  net::Socket conn = net::Socket::tcp();
  conn.set_timeout(kRpcTimeout);
  net::error_code ec;
  conn.connect(*net::Address::from_ip(host, port), ec);
  if (ec) conn.close();
  return conn;
}

// ---- The store (10.0.0.9): GET -> the counter, PUT n -> OK.

void store(StoreDisk& disk) {
  net::Socket listener =
      net::listen(*net::Address::from_ip("0.0.0.0", kStorePort));
  net::serve(listener, [&disk](net::Socket conn, net::Address) {
    while (std::optional<std::string> request = read_line(conn)) {
      std::string answer = "ERROR";
      if (*request == "GET") {
        answer = std::to_string(disk.counter);
      } else if (std::optional<std::int64_t> put =
                     number_after(*request, "PUT ")) {
        disk.counter = *put;  // on disk before the answer
        answer = "OK";
      }
      net::error_code ec;
      conn.sendall(answer + "\n", ec);
    }
  });
}

// ---- The lock server (10.0.0.1): ACQUIRE <replica> -> GRANTED <end> | BUSY.

// The lease table, in memory: a restart starts with an empty one.
struct LeaseTable {
  std::string holder;
  absl::Time end = absl::InfinitePast();  // on this host's clock
};

std::string acquire(LeaseTable& table, const std::string& replica) {
  const absl::Time now = sim::host_now();
  // Another replica may trust the lease until its own clock reads `end`,
  // which is up to 2 * kSkewBound later than ours does.
  if (replica != table.holder && now < table.end + 2 * kSkewBound) {
    return "BUSY";
  }
  table.holder = replica;
  table.end = now + kLease;
  return absl::StrCat("GRANTED ", absl::ToUnixNanos(table.end));
}

void lock_server(absl::Duration grace_period) {
  // A lease granted before a crash may still be trusted: grant nothing
  // until it has surely ended.
  eventlet::sleep(grace_period);
  LeaseTable table;
  net::Socket listener =
      net::listen(*net::Address::from_ip("0.0.0.0", kLockPort));
  net::serve(listener, [&table](net::Socket conn, net::Address) {
    conn.set_timeout(kRpcTimeout);
    const std::string_view kAcquire = "ACQUIRE ";
    std::optional<std::string> request = read_line(conn);
    if (!request || !request->starts_with(kAcquire)) return;
    net::error_code ec;
    conn.sendall(acquire(table, request->substr(kAcquire.size())) + "\n", ec);
  });
}

// ---- A replica (10.0.0.2, 10.0.0.3).

// Asks the lock server for the lease: its end on the lock server's clock,
// or nullopt (busy, or the lock server is down).
std::optional<absl::Time> request_lease() {
  net::Socket conn = dial(kLockServer, kLockPort);
  if (!conn.is_open()) return std::nullopt;
  std::optional<std::string> answer =
      call(conn, "ACQUIRE " + sim::current_host());
  if (!answer) return std::nullopt;
  std::optional<std::int64_t> end = number_after(*answer, "GRANTED ");
  if (!end) return std::nullopt;
  return absl::FromUnixNanos(*end);
}

// One increment of the store's counter as the leader: read, work, check the
// lease, write. False if the store did not answer (`store` is then closed).
bool increment(net::Socket& store, absl::Time lease_end, World& world) {
  std::optional<std::string> read = call(store, "GET");
  std::optional<std::int64_t> value =
      read ? number_after(*read, "") : std::nullopt;
  if (!value) return false;
  eventlet::sleep(kThink);
  if (sim::host_now() >= lease_end) return true;  // no longer the leader
  if (call(store, absl::StrCat("PUT ", *value + 1)) != "OK") return false;
  world.acknowledge();
  return true;
}

void replica(World& world) {
  absl::Time lease_end = absl::InfinitePast();  // trusted on our clock
  net::Socket store;
  for (;;) {
    absl::Time now = sim::host_now();
    if (now >= lease_end - kLease / 2) {  // renew halfway, or acquire
      if (std::optional<absl::Time> end = request_lease()) {
        lease_end = *end;
        now = sim::host_now();
      }
    }
    if (now >= lease_end) {
      eventlet::sleep(kRetry);
      continue;
    }
    if (!store.is_open()) store = dial(kStore, kStorePort);
    if (!store.is_open() || !increment(store, lease_end, world)) {
      store.close();
      eventlet::sleep(kRetry);
    }
  }
}

void run(absl::Duration grace_period) {
  // Shared with the hosts' start functions, which the simulation keeps until
  // it ends: the world lives as long as they do.
  auto world = std::make_shared<World>();
  sim::add_host(kStore, [world] { store(world->disk); });
  sim::add_host(kLockServer, [grace_period] { lock_server(grace_period); });
  for (const char* address : kReplicas) {
    sim::add_host(address, [world] { replica(*world); });
  }
  if (std::optional<std::string> lost = world->lost.wait(kRunFor)) {
    throw std::runtime_error(*lost);
  }
}

}  // namespace

sim::FaultOptions LeaseFaults() {
  sim::FaultOptions faults;
  faults.host_crash_rate = 0.5;
  faults.restart_delay_min = absl::Milliseconds(1);
  faults.restart_delay_max = absl::Milliseconds(20);
  faults.clock_offset_bound = kSkewBound;
  return faults;
}

void LeaseScenario() { run(kLease); }

void FixedLeaseScenario() { run(kLease + 2 * kSkewBound); }

}  // namespace eventlet::examples
