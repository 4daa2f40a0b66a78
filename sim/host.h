// Copyright 2026 The eventlet-cpp Authors.
//
// host.h: simulated hosts inside sim::run — greenthreads that belong to an
// address, crash together and restart, each with its own clock.
//
//   sim::run(options, [] {
//     sim::add_host("10.0.0.2", [] { serve_forever(); });   // a server
//     sim::add_host("10.0.0.3", [] { client_loop(); });
//     sim::schedule_crash("10.0.0.2", absl::Seconds(3), absl::Seconds(1));
//     eventlet::sleep(absl::Seconds(10));
//   });
//
// The model (after FoundationDB's simulator, turmoil and madsim):
// - A host is an address of the simulated network (sim_net.h) plus the
//   greenthreads that run there. add_host() spawns `start` in a new
//   greenthread; every greenthread spawned from a host's greenthread, however
//   indirectly, belongs to the same host (the hub's Greenlet::domain() tag is
//   inherited at spawn). Code outside hosts (fn, timer callbacks) belongs to
//   no host.
// - Sockets opened by a host's greenthreads belong to the host: connect() and
//   sendto() of an unbound socket use the host's address as source, and
//   bind() to the unspecified address ("0.0.0.0", "::") binds the host's
//   address.
// - crash_host(): at once, every socket of the host is reset: each of its
//   connections sends a reset ("rst" in the trace) to its peer, which reads
//   and writes ECONNRESET once it arrives (one link latency later, as a
//   peer learns it in production); no FIN is ever sent; its listeners and
//   datagram sockets stop receiving (a SYN finds nobody: ECONNREFUSED). Every
//   one of its greenthreads is unwound (GreenletExit at its switch point;
//   one not started yet is dropped), and so its timers go with them: sleeps,
//   Timeouts, deadlines, spawn_after starts and schedule_call_local
//   callbacks. (Hub::schedule_call_global callbacks belong to the hub, as in
//   eventlet, and still run.) Nothing the host's code kept survives except
//   what lives outside it (objects captured by reference from fn: the host's
//   "disk").
// - restart_host(): runs `start` again in a new greenthread, on the same
//   address, with a fresh clock incarnation (same offset and drift).
// - Clocks (FoundationDB's rule): timers and sleeps run on the one virtual
//   time, so sleep(d) takes d of virtual time on every host; only readings
//   of the host's clock are skewed. host_now() in a host is
//       virtual_time * (1 + drift) + offset
//   with drift and offset drawn per host at add_host() (FaultOptions in
//   sim/faults.h; both zero by default). Two hosts' readings of the same
//   instant differ, and a duration measured by one host's readings is off
//   by its drift: leases and timeouts computed from host_now() fail as they
//   do in production. Hub::now() (and everything built on it: Timeout,
//   sleep deadlines, sockets' timeouts) stays on the true virtual time.
// - Tracing: "host_start" (address, offset, drift), "host_crash" and
//   "host_restart" (address and the cause: "test", "scheduled" or "seed"),
//   and "clock_read" (address and the reading) for each host_now() inside a
//   host (docs/trace-format.md).
// - Determinism: crashes scheduled by the test or drawn from the seed happen
//   at fixed virtual times (timers of the hub); seeded draws come from their
//   own stream (Stream::kFaults), so runs without faults keep their
//   schedules.
//
// Errors: every function throws std::logic_error outside sim::run, and
// std::invalid_argument for an unknown address (or a second add_host of one).
// crash_host of a host that is down, and restart_host of one that is up, are
// no-ops (not traced).
//
// Blocking: none of these parks the caller. crash_host() runs the host's
// greenthreads until they have died before it returns (their destructors
// run then). Called by a greenthread of the crashing host itself, it unwinds
// the others, then throws GreenletExit in the caller.
//
// Thread-safety: the simulation's thread only.
#ifndef EVENTLET_SIM_HOST_H_
#define EVENTLET_SIM_HOST_H_

#include <functional>
#include <string>

#include "absl/time/time.h"

namespace eventlet::sim {

// Adds host `address` and starts it: `start` runs in a new greenthread that
// belongs to the host (the caller does not wait for it). `start` is kept for
// restarts and copied for each run; what it captures must outlive the
// simulation.
void add_host(const std::string& address, std::function<void()> start);

// Crashes host `address` now (see the model above). Traced "host_crash".
void crash_host(const std::string& address);

// Runs the crashed host's start function again, in a new greenthread, on the
// same address. Traced "host_restart".
void restart_host(const std::string& address);

// Crashes host `address` at virtual time `at` (since the run's start; now if
// already past) and restarts it `restart_after` later (never if
// restart_after is absl::InfiniteDuration()). Both happen in hub timers,
// with cause "scheduled".
void schedule_crash(const std::string& address, absl::Duration at,
                    absl::Duration restart_after);

// The running greenthread's host's clock reading (see Clocks above), as an
// absl::Time from the Unix epoch (virtual time 0 is the epoch); outside any
// host, the plain virtual time. Traced "clock_read" inside a host.
absl::Time host_now();

// The address of the running greenthread's host; "" outside hosts.
std::string current_host();

// Whether host `address` is up (added and not crashed).
bool host_up(const std::string& address);

}  // namespace eventlet::sim

#endif  // EVENTLET_SIM_HOST_H_
