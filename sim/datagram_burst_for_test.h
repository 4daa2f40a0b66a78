// Copyright 2026 The eventlet-cpp Authors.
//
// datagram_burst_for_test.h: a small datagram workload for tests of the
// simulated network's draws (loss, jitter, duplication, reordering).
//
// Inside sim::run: sets the link 10.0.0.1 -> 10.0.0.2 to `link`, then sends
// `count` datagrams ("<prefix>0", "<prefix>1"...) from the default host to
// 10.0.0.2:9, `gap` of virtual time apart, while a receiver on 10.0.0.2:9
// reads until none arrives for `idle`. Returns once the receiver stopped.
#ifndef EVENTLET_SIM_DATAGRAM_BURST_FOR_TEST_H_
#define EVENTLET_SIM_DATAGRAM_BURST_FOR_TEST_H_

#include <string>

#include "absl/time/time.h"
#include "green_net/address.h"
#include "green_net/socket.h"
#include "greenthread/greenthread.h"
#include "sim/sim.h"
#include "sim/sim_net.h"

namespace eventlet::sim {

inline void SendDatagramBurst(const LinkOptions& link, int count,
                              absl::Duration gap, absl::Duration idle,
                              const std::string& prefix) {
  network().set_link("10.0.0.1", "10.0.0.2", link);
  net::Socket rx = net::Socket::udp();
  rx.bind(*net::Address::parse("10.0.0.2:9"));
  rx.set_timeout(idle);
  auto receiver = spawn([&rx] {
    char buf[16];
    net::Address from;
    net::error_code ec;
    while (rx.recvfrom(buf, sizeof buf, &from, ec), !ec) {
    }
  });
  net::Socket tx = net::Socket::udp();
  for (int i = 0; i < count; ++i) {
    tx.sendto(prefix + std::to_string(i), *net::Address::parse("10.0.0.2:9"));
    eventlet::sleep(gap);
  }
  receiver.wait();
}

}  // namespace eventlet::sim

#endif  // EVENTLET_SIM_DATAGRAM_BURST_FOR_TEST_H_
