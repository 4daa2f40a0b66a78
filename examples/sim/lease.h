// Copyright 2026 The eventlet-cpp Authors.
//
// lease.h: a leader lease over the simulated network, with a real bug that
// only a restart of the lock server plus clock skew expose (tutorial 9,
// docs/tutorials/09-faults.md).
//
// Four simulated hosts (sim/host.h), talking one text line each way over
// green TCP sockets:
//   10.0.0.1       the lock server: grants the lease to one replica at a time
//                  ("ACQUIRE 10.0.0.2" -> "GRANTED <end>" or "BUSY"); <end>
//                  is the lease's end on the lock server's clock, in ns.
//   10.0.0.2, .3   replicas: one holding the lease is the leader, and
//                  increments the store's counter by a read-modify-write
//                  ("GET" ... "PUT n"), safe only if it is the only leader.
//                  A replica trusts its lease while its own clock reads
//                  less than <end>, and renews it halfway.
//   10.0.0.9       the store: the counter, kept on its disk (a crash loses
//                  nothing it acknowledged).
// Every host's clock is within kSkewBound of the true time, so two hosts'
// readings differ by up to 2 * kSkewBound: the lock server grants the lease
// to another replica only once its own clock reads <end> + 2 * kSkewBound.
//
// The bug. The lock server keeps its lease table in memory, so a restart
// forgets the lease it had granted. It knows that much: at boot it waits
// one lease duration before granting anything (Chubby's grace period). But
// it forgot the skew margin there: a leader whose clock runs behind the lock
// server's still trusts its old lease when the restarted server grants a new
// one to the other replica, and for a while there are two leaders. Their
// read-modify-writes interleave and an acknowledged increment is lost.
// Without a restart the margin holds; without skew one lease duration is
// enough: it takes both.
//
// The fix (FixedLeaseScenario): wait kLease + 2 * kSkewBound at boot.
//
// The scenarios are meant to run under sim::run with LeaseFaults() as
// Options::faults (crashes of every host, skewed clocks): they add the hosts,
// let them run for kRunFor of virtual time, and throw
// std::runtime_error("lost write: ...") as soon as the store's counter falls
// behind the increments acknowledged to the replicas (the test's own view:
// it reads the store's disk). The hosts use sim::add_host, so the scenarios
// must run inside sim::run (else std::logic_error).
#ifndef EVENTLET_EXAMPLES_SIM_LEASE_H_
#define EVENTLET_EXAMPLES_SIM_LEASE_H_

#include "absl/time/time.h"
#include "sim/faults.h"

namespace eventlet::examples {

// The lease's length, the bound of every host's clock offset, and how long
// the scenarios run (virtual time).
inline constexpr absl::Duration kLease = absl::Milliseconds(200);
inline constexpr absl::Duration kSkewBound = absl::Milliseconds(200);
inline constexpr absl::Duration kRunFor = absl::Milliseconds(1500);

// The faults both scenarios run under: each host crashes about once a
// second (sim/faults.h: uniform in (0, 2 s] after it starts) and is back 1 to
// 20 ms later; clock offsets within kSkewBound (no drift).
sim::FaultOptions LeaseFaults();

// The lease service with the bug (waits kLease at boot).
void LeaseScenario();

// The same service, fixed (waits kLease + 2 * kSkewBound at boot): no lost
// write under any seed.
void FixedLeaseScenario();

}  // namespace eventlet::examples

#endif  // EVENTLET_EXAMPLES_SIM_LEASE_H_
