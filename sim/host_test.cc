// Copyright 2026 The eventlet-cpp Authors.
//
// Simulated hosts (sim/host.h): ownership of greenthreads and sockets, each
// fault kind (a crash by the test, a scheduled crash, seeded crashes, clock
// skew) visible in the trace, and every such run replaying byte-identically.
#include "sim/host.h"

#include <cerrno>
#include <memory>
#include <string>
#include <vector>

#include "green_net/address.h"
#include "green_net/convenience.h"
#include "green_net/socket.h"
#include "greenthread/greenthread.h"
#include "gtest/gtest.h"
#include "hub/errors.h"
#include "hub/hub.h"
#include "sim/replay.h"
#include "sim/sim.h"
#include "sim/sim_net.h"

namespace eventlet::sim {
namespace {

// What an echo server host did: kept outside the host (its "disk").
struct EchoLog {
  int starts = 0;
  int unwound = 0;          // greenthreads that got GreenletExit
  bool late_fired = false;  // a 10 s sleep of the host ended
  std::vector<std::string> hosts_seen;
};

// A host's start function: listens on 0.0.0.0:80 (the host's address),
// echoes each connection in a greenthread of its own, and has a greenthread
// sleeping 10 s.
std::function<void()> echo_server(EchoLog* log) {
  return [log] {
    ++log->starts;
    log->hosts_seen.push_back(current_host());
    spawn_n([log] {
      try {
        eventlet::sleep(absl::Seconds(10));
        log->late_fired = true;
      } catch (const GreenletExit&) {
        ++log->unwound;
        throw;
      }
    });
    net::Socket listener = net::listen(*net::Address::parse("0.0.0.0:80"));
    for (;;) {
      auto conn = std::make_shared<net::Socket>(listener.accept());
      spawn_n([conn, log] {
        log->hosts_seen.push_back(current_host());
        try {
          for (;;) {
            const std::string data = conn->recv(64);
            if (data.empty()) return;
            conn->sendall(data);
          }
        } catch (const GreenletExit&) {
          ++log->unwound;
          throw;
        }
      });
    }
  };
}

Options traced(std::uint64_t seed = 1) {
  Options options;
  options.seed = seed;
  options.trace_in_memory = true;
  return options;
}

// The lines of `trace` whose kind is `kind`, without seq, time and hash.
std::vector<std::string> events(const std::string& trace,
                                const std::string& kind) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start < trace.size()) {
    std::size_t end = trace.find('\n', start);
    if (end == std::string::npos) end = trace.size();
    const std::string line = trace.substr(start, end - start);
    start = end + 1;
    const std::size_t k = line.find("\"kind\":\"" + kind + "\"");
    if (k == std::string::npos) continue;
    std::size_t tail = line.find(",\"cause\"");
    if (tail == std::string::npos) tail = line.find(",\"h\"");
    out.push_back(line.substr(k, tail - k));
  }
  return out;
}

// Replays `trace` against `fn` and expects the same bytes.
void expect_replays(const Result& r, absl::FunctionRef<void()> fn) {
  ReplayResult replayed = replay(r.trace, fn);
  EXPECT_TRUE(replayed.ok) << replayed.message;
  EXPECT_EQ(replayed.run.trace_hash, r.trace_hash);
}

void crash_by_test_scenario(EchoLog* log, std::string* report) {
  network().set_default_link({absl::Milliseconds(5)});
  add_host("10.0.0.2", echo_server(log));
  const net::Address server = *net::Address::parse("10.0.0.2:80");
  eventlet::sleep(absl::Milliseconds(1));  // it listens
  net::Socket client = net::connect(server);
  client.sendall("ping");
  *report += client.recv(64) + ";";
  *report += "local " + client.local_address().host() + ";";
  crash_host("10.0.0.2");
  *report += host_up("10.0.0.2") ? "up;" : "down;";
  *report += "unwound " + std::to_string(log->unwound) + ";";
  net::error_code ec;
  client.recv(64, ec);  // the reset arrives one latency later
  *report += "recv " +
             std::string(ec.value() == ECONNRESET ? "reset" : ec.message()) +
             ";";
  net::Socket again = net::Socket::tcp();
  again.connect(server, ec);
  *report +=
      "connect " +
      std::string(ec.value() == ECONNREFUSED ? "refused" : ec.message()) + ";";
  eventlet::sleep(absl::Seconds(20));  // the host's 10 s sleep is gone
  restart_host("10.0.0.2");
  eventlet::sleep(absl::Milliseconds(1));
  net::Socket third = net::connect(server);
  third.sendall("pong");
  *report += third.recv(64);
}

TEST(SimHost, ACrashResetsPeersUnwindsTheHostAndARestartRunsStartAgain) {
  EchoLog log;
  std::string report;
  Result r = run(traced(), [&] { crash_by_test_scenario(&log, &report); });
  ASSERT_TRUE(r.ok()) << r.summary();
  EXPECT_EQ(report,
            "ping;local 10.0.0.1;down;unwound 2;recv reset;connect refused;"
            "pong");
  EXPECT_EQ(log.starts, 2);
  // The crash unwound the sleeper and the connection's echo ("unwound 2"
  // above); the second incarnation's were unwound by the run's teardown.
  EXPECT_EQ(log.unwound, 4);
  EXPECT_FALSE(log.late_fired);
  EXPECT_EQ(log.hosts_seen, (std::vector<std::string>{"10.0.0.2", "10.0.0.2",
                                                      "10.0.0.2", "10.0.0.2"}));
  EXPECT_EQ(events(r.trace, "host_start"),
            (std::vector<std::string>{"\"kind\":\"host_start\",\"host\":"
                                      "\"10.0.0.2\",\"start\":1,\"offset\":"
                                      "0,\"drift\":0"}));
  EXPECT_EQ(events(r.trace, "host_crash"),
            (std::vector<std::string>{
                "\"kind\":\"host_crash\",\"host\":\"10.0.0.2\",\"why\":"
                "\"test\""}));
  ASSERT_EQ(events(r.trace, "host_restart").size(), 1u);
  EXPECT_NE(r.trace.find("\"what\":\"rst\",\"src\":\"10.0.0.2\",\"dst\":"
                         "\"10.0.0.1\""),
            std::string::npos);
  // Same program, same bytes; and a replay agrees.
  EchoLog log2;
  std::string report2;
  Result again =
      run(traced(), [&] { crash_by_test_scenario(&log2, &report2); });
  EXPECT_EQ(again.trace, r.trace);
  EchoLog log3;
  std::string report3;
  expect_replays(r, [&] { crash_by_test_scenario(&log3, &report3); });
}

TEST(SimHost, AHostCrashingItselfUnwindsItsOtherGreenthreadsAndThenItself) {
  int unwound = 0;
  bool after_crash = false;
  Result r = run(traced(), [&] {
    add_host("10.0.0.5", [&] {
      spawn_n([&] {
        try {
          eventlet::sleep(absl::Seconds(5));
        } catch (const GreenletExit&) {
          ++unwound;
          throw;
        }
      });
      eventlet::sleep(absl::Seconds(1));
      crash_host(current_host());
      after_crash = true;
    });
    eventlet::sleep(absl::Seconds(10));
    EXPECT_FALSE(host_up("10.0.0.5"));
  });
  ASSERT_TRUE(r.ok()) << r.summary();
  EXPECT_EQ(unwound, 1);
  EXPECT_FALSE(after_crash);
}

void scheduled_scenario(std::vector<std::string>* seen) {
  add_host("10.0.0.2", [seen] {
    seen->push_back("start at " + std::to_string(absl::ToInt64Milliseconds(
                                      Hub::current().now())));
    eventlet::sleep(absl::Hours(1));
  });
  schedule_crash("10.0.0.2", absl::Seconds(1), absl::Seconds(2));
  eventlet::sleep(absl::Seconds(2));
  seen->push_back(host_up("10.0.0.2") ? "up" : "down");
  eventlet::sleep(absl::Seconds(2));
  seen->push_back(host_up("10.0.0.2") ? "up" : "down");
}

TEST(SimHost, AScheduledCrashAndRestartHappenAtTheirVirtualTimes) {
  std::vector<std::string> seen;
  Result r = run(traced(), [&] { scheduled_scenario(&seen); });
  ASSERT_TRUE(r.ok()) << r.summary();
  EXPECT_EQ(seen, (std::vector<std::string>{"start at 0", "down",
                                            "start at 3000", "up"}));
  const std::size_t crash = r.trace.find("\"kind\":\"host_crash\"");
  ASSERT_NE(crash, std::string::npos);
  EXPECT_NE(r.trace.rfind("\"t\":1000000000,", crash), std::string::npos);
  EXPECT_EQ(events(r.trace, "host_crash"),
            (std::vector<std::string>{"\"kind\":\"host_crash\",\"host\":"
                                      "\"10.0.0.2\",\"why\":\"scheduled\""}));
  EXPECT_EQ(events(r.trace, "host_restart").size(), 1u);
  std::vector<std::string> seen2;
  expect_replays(r, [&] { scheduled_scenario(&seen2); });
}

Options seeded_faults(std::uint64_t seed) {
  Options options = traced(seed);
  options.faults.host_crash_rate = 2;  // per virtual second per host
  options.faults.restart_delay_min = absl::Milliseconds(100);
  options.faults.restart_delay_max = absl::Milliseconds(500);
  return options;
}

void seeded_scenario(int* starts) {
  for (const char* host : {"10.0.0.2", "10.0.0.3"}) {
    add_host(host, [starts] {
      ++*starts;
      eventlet::sleep(absl::Hours(1));
    });
  }
  eventlet::sleep(absl::Seconds(5));
}

TEST(SimHost, SeededCrashesComeFromTheSeedAndReplay) {
  int starts = 0;
  Result r = run(seeded_faults(3), [&] { seeded_scenario(&starts); });
  ASSERT_TRUE(r.ok()) << r.summary();
  const std::size_t crashes = events(r.trace, "host_crash").size();
  // Two hosts, rate 2/s, 5 s, down 0.1..0.5 s after each crash.
  EXPECT_GE(crashes, 6u);
  EXPECT_LE(crashes, 30u);
  for (const std::string& e : events(r.trace, "host_crash")) {
    EXPECT_NE(e.find("\"why\":\"seed\""), std::string::npos) << e;
  }
  EXPECT_EQ(static_cast<std::size_t>(starts),
            2 + events(r.trace, "host_restart").size());
  EXPECT_NE(r.trace.find("\"faults\":{\"crash_rate\":2.0,"), std::string::npos);
  int starts2 = 0;
  EXPECT_EQ(run(seeded_faults(3), [&] { seeded_scenario(&starts2); }).trace,
            r.trace);
  int starts3 = 0;
  EXPECT_NE(run(seeded_faults(4), [&] { seeded_scenario(&starts3); }).trace,
            r.trace);
  int starts4 = 0;
  expect_replays(r, [&] { seeded_scenario(&starts4); });
}

TEST(SimHost, FaultsOffLeaveTheScheduleAsItWas) {
  // The same program with and without the fault stream's options: a run
  // that never draws a fault has the trace of a run without faults, but
  // for the header.
  auto scenario = [] {
    add_host("10.0.0.2", [] { eventlet::sleep(absl::Seconds(1)); });
    eventlet::sleep(absl::Seconds(2));
  };
  Options off = traced(9);
  off.strategy = Strategy::kRandom;
  Result a = run(off, scenario);
  ASSERT_TRUE(a.ok()) << a.summary();
  EXPECT_TRUE(events(a.trace, "host_crash").empty());
  EXPECT_EQ(a.trace.find("\"faults\""), std::string::npos);
}

void clock_scenario(std::vector<std::int64_t>* readings) {
  for (const char* host : {"10.0.0.2", "10.0.0.3"}) {
    add_host(host, [readings] {
      eventlet::sleep(absl::Seconds(100));
      readings->push_back(absl::ToUnixNanos(host_now()));
      eventlet::sleep(absl::Seconds(100));
      readings->push_back(absl::ToUnixNanos(host_now()));
    });
  }
  readings->push_back(absl::ToUnixNanos(host_now()));  // outside: true time
  eventlet::sleep(absl::Seconds(300));
}

TEST(SimHost, EachHostReadsItsOwnSkewedClockAndTimersKeepTrueTime) {
  Options options = traced(5);
  options.faults.clock_offset_bound = absl::Seconds(1);
  options.faults.clock_drift_ppm = 100;
  std::vector<std::int64_t> readings;
  Result r = run(options, [&] { clock_scenario(&readings); });
  ASSERT_TRUE(r.ok()) << r.summary();
  ASSERT_EQ(readings.size(), 5u);
  EXPECT_EQ(readings[0], 0);
  // Hosts 2 and 3 read at 100 s (readings 1, 2) and 200 s (3, 4) of virtual
  // time: each within offset + drift of the truth, and not equal.
  const std::int64_t bound = 1'000'000'000 + 200'000'000'000 / 10'000;
  for (int i = 1; i <= 4; ++i) {
    const std::int64_t truth = i <= 2 ? 100'000'000'000 : 200'000'000'000;
    EXPECT_LE(std::abs(readings[i] - truth), bound) << i;
  }
  EXPECT_NE(readings[1], readings[2]);
  // 100 s of sleep, as each host measures it: 100 s * (1 + drift), not the
  // same on both, within 100 ppm.
  const std::int64_t d2 = readings[3] - readings[1];
  const std::int64_t d3 = readings[4] - readings[2];
  EXPECT_NE(d2, d3);
  EXPECT_LE(std::abs(d2 - 100'000'000'000), 10'000'000);
  EXPECT_LE(std::abs(d3 - 100'000'000'000), 10'000'000);
  // The trace keeps the one virtual time and each reading.
  const std::vector<std::string> reads = events(r.trace, "clock_read");
  ASSERT_EQ(reads.size(), 4u);
  EXPECT_EQ(reads[0],
            "\"kind\":\"clock_read\",\"host\":\"10.0.0.2\","
            "\"reading\":" +
                std::to_string(readings[1]));
  EXPECT_NE(r.trace.find("\"t\":100000000000,\"gt\":1,\"kind\":\"clock_"
                         "read\""),
            std::string::npos);
  std::vector<std::int64_t> again;
  expect_replays(r, [&] { clock_scenario(&again); });
}

TEST(SimHost, SocketsOfAHostSendFromItsAddress) {
  std::string seen;
  Result r = run(Options{}, [&] {
    net::Socket server = net::listen(*net::Address::parse("10.0.0.9:7"));
    add_host("10.0.0.4", [] {
      net::Socket c = net::connect(*net::Address::parse("10.0.0.9:7"));
      c.sendall("x");
      eventlet::sleep(absl::Seconds(1));
    });
    net::Address peer;
    net::Socket conn = server.accept(&peer);
    seen = peer.host() + " " + conn.recv(8);
  });
  ASSERT_TRUE(r.ok()) << r.summary();
  EXPECT_EQ(seen, "10.0.0.4 x");
}

TEST(SimHost, MisuseThrows) {
  EXPECT_THROW(add_host("10.0.0.2", [] {}), std::logic_error);
  EXPECT_THROW(host_now(), std::logic_error);
  Options bad;
  bad.faults.clock_drift_ppm = 2e6;
  EXPECT_THROW(run(bad, [] {}), std::invalid_argument);
  Result r = run(Options{}, [] {
    EXPECT_THROW(crash_host("10.9.9.9"), std::invalid_argument);
    add_host("10.0.0.2", [] {});
    EXPECT_THROW(add_host("10.0.0.2", [] {}), std::invalid_argument);
    EXPECT_EQ(current_host(), "");
    restart_host("10.0.0.2");  // up: nothing
    crash_host("10.0.0.2");
    crash_host("10.0.0.2");  // down: nothing
  });
  EXPECT_TRUE(r.ok()) << r.summary();
}

}  // namespace
}  // namespace eventlet::sim
