// Copyright 2026 The eventlet-cpp Authors.
#include "examples/sim/lease.h"

#include <charconv>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>

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
constexpr absl::Duration kRetry = absl::Milliseconds(30);
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
// an error (a reset, the socket's timeout) or past kMaxLine bytes. (Each
// side waits for the other's line before sending its next, so nothing
// follows a line in what one recv() returns.)
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

// A connection from this host to one server, opened on first use and again
// after a failure; every wait on it is bounded by kRpcTimeout.
class Connection {
 public:
  Connection(const char* host, std::uint16_t port)
      : address_(*net::Address::from_ip(host, port)) {}

  // Sends `request` as a line and returns the answer line; nullopt if the
  // server could not be reached or did not answer (the connection is then
  // closed, and the next call dials again).
  std::optional<std::string> call(const std::string& request) {
    net::error_code ec;
    if (!conn_.is_open()) {
      conn_ = net::Socket::tcp();
      conn_.set_timeout(kRpcTimeout);
      conn_.connect(address_, ec);
    }
    if (!ec) conn_.sendall(request + "\n", ec);
    std::optional<std::string> answer;
    if (!ec) answer = read_line(conn_);
    if (!answer) conn_.close();
    return answer;
  }

 private:
  net::Address address_;
  net::Socket conn_;
};

// Serves `port` on this host: for each request line of each connection,
// answer(request) as a line. Returns only by an exception (the host's crash
// unwinds it).
void serve_lines(std::uint16_t port,
                 const std::function<std::string(const std::string&)>& answer) {
  net::Socket listener = net::listen(*net::Address::from_ip("0.0.0.0", port));
  net::serve(listener, [&answer](net::Socket conn, net::Address) {
    while (std::optional<std::string> request = read_line(conn)) {
      net::error_code ec;
      conn.sendall(answer(*request) + "\n", ec);
    }
  });
}

// ---- The store (10.0.0.9): GET -> the counter, PUT n -> OK.

void store(StoreDisk& disk) {
  serve_lines(kStorePort, [&disk](const std::string& request) -> std::string {
    if (request == "GET") return std::to_string(disk.counter);
    if (std::optional<std::int64_t> value = number_after(request, "PUT ")) {
      disk.counter = *value;  // on disk before the answer
      return "OK";
    }
    return "ERROR";
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
  serve_lines(kLockPort, [&table](const std::string& request) -> std::string {
    const std::string_view kAcquire = "ACQUIRE ";
    if (!request.starts_with(kAcquire)) return "ERROR";
    return acquire(table, request.substr(kAcquire.size()));
  });
}

// ---- A replica (10.0.0.2, 10.0.0.3).

// Asks the lock server for the lease: its end on the lock server's clock,
// or nullopt (busy, or the lock server is down).
std::optional<absl::Time> request_lease(Connection& lock) {
  std::optional<std::string> answer =
      lock.call("ACQUIRE " + sim::current_host());
  std::optional<std::int64_t> end =
      answer ? number_after(*answer, "GRANTED ") : std::nullopt;
  if (!end) return std::nullopt;
  return absl::FromUnixNanos(*end);
}

// One increment of the store's counter as the leader: read, work, check the
// lease, write. False if the store did not answer.
bool increment(Connection& store, absl::Time lease_end, World& world) {
  std::optional<std::string> read = store.call("GET");
  std::optional<std::int64_t> value =
      read ? number_after(*read, "") : std::nullopt;
  if (!value) return false;
  eventlet::sleep(kThink);
  if (sim::host_now() >= lease_end) return true;  // no longer the leader
  if (store.call(absl::StrCat("PUT ", *value + 1)) != "OK") return false;
  world.acknowledge();
  return true;
}

void replica(World& world) {
  Connection lock(kLockServer, kLockPort);
  Connection store(kStore, kStorePort);
  absl::Time lease_end = absl::InfinitePast();  // trusted on our clock
  for (;;) {
    absl::Time now = sim::host_now();
    if (now >= lease_end - kLease / 2) {  // renew halfway, or acquire
      if (std::optional<absl::Time> end = request_lease(lock)) {
        lease_end = *end;
        now = sim::host_now();
      }
    }
    if (now >= lease_end || !increment(store, lease_end, world)) {
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
  faults.host_crash_rate = 1;
  faults.restart_delay_min = absl::Milliseconds(1);
  faults.restart_delay_max = absl::Milliseconds(20);
  faults.clock_offset_bound = kSkewBound;
  return faults;
}

void LeaseScenario() { run(kLease); }

void FixedLeaseScenario() { run(kLease + 2 * kSkewBound); }

}  // namespace eventlet::examples
