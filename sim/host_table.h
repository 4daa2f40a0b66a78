// Copyright 2026 The eventlet-cpp Authors.
//
// host_table.h: the hosts of one simulation run (sim/host.h is the public
// API and its model; this is its state). sim::run makes one HostTable per
// run, on the simulation's thread, and destroys it before the hub.
//
// A host's greenthreads carry its domain (Greenlet::domain(): the host's
// index + 1) and so does everything they spawn. Crash, restart and seeded
// fault timers are hub callbacks owned here (cancelled when the table goes).
//
// Thread-safety: the simulation's thread only.
#ifndef EVENTLET_SIM_HOST_TABLE_H_
#define EVENTLET_SIM_HOST_TABLE_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "hub/hub.h"
#include "hub/timer.h"
#include "sim/faults.h"
#include "sim/random.h"

namespace eventlet::sim {

class SimNetwork;
class TraceRecorder;

class HostTable {
 public:
  // Throws std::invalid_argument if `faults` are out of their bounds
  // (faults.h).
  static void check(const FaultOptions& faults);
  // `faults` must have passed check(). `recorder` (null: untraced) must stay
  // alive while the table is, or be set to null with set_recorder first.
  HostTable(Hub& hub, SimNetwork& network, std::uint64_t seed,
            const FaultOptions& faults, TraceRecorder* recorder);
  ~HostTable();
  HostTable(const HostTable&) = delete;
  HostTable& operator=(const HostTable&) = delete;

  // The running simulation's table; throws std::logic_error outside
  // sim::run (naming `what`, the caller).
  static HostTable& current(const char* what);

  void set_recorder(TraceRecorder* recorder) { recorder_ = recorder; }

  // sim/host.h's functions; `why` is the traced cause.
  void add(const std::string& address, std::function<void()> start);
  void crash(const std::string& address, const char* why);
  void restart(const std::string& address, const char* why);
  void schedule_crash(const std::string& address, absl::Duration at,
                      absl::Duration restart_after);
  absl::Time now();
  std::string current_host() const;
  bool up(const std::string& address) const;

 private:
  struct Host {
    std::string address;
    std::uint32_t domain = 0;
    std::function<void()> start;
    bool up = false;
    std::int64_t offset = 0;  // ns
    std::int64_t drift = 0;   // parts per billion
    ScopedTimer fault;        // the next seeded crash or restart
  };
  Host& find(const std::string& address);
  const Host* host_of_current() const;
  // Spawns `host`'s start function in a new greenthread of its domain;
  // returns its id.
  std::int64_t launch(Host& host);
  // Unwinds every greenthread of `domain` but the caller.
  void unwind_domain(std::uint32_t domain);
  // Seeded faults: the next crash of an up host, the restart of a down one.
  void draw_crash(Host& host);
  void draw_restart(Host& host);

  Hub& hub_;
  SimNetwork& network_;
  FaultOptions faults_;
  Rng rng_;  // Stream::kFaults
  TraceRecorder* recorder_;
  std::vector<std::unique_ptr<Host>> hosts_;  // by domain - 1
  std::map<std::string, Host*> by_address_;
  std::vector<ScopedTimer> scheduled_;  // schedule_crash's timers
};

}  // namespace eventlet::sim

#endif  // EVENTLET_SIM_HOST_TABLE_H_
