// Copyright 2026 The eventlet-cpp Authors.
#include "sim/host.h"

#include <cmath>
#include <stdexcept>
#include <utility>

#include "hub/errors.h"
#include "hub/internal/hub_access.h"
#include "sim/host_table.h"
#include "sim/sim_net.h"
#include "sim/trace.h"

namespace eventlet::sim {
namespace {

thread_local HostTable* tls_hosts = nullptr;

// Uniform in [-bound, bound].
std::int64_t symmetric(Rng& rng, std::int64_t bound) {
  return static_cast<std::int64_t>(
             rng.uniform(2 * static_cast<std::uint64_t>(bound) + 1)) -
         bound;
}

}  // namespace

HostTable::HostTable(Hub& hub, SimNetwork& network, std::uint64_t seed,
                     const FaultOptions& faults, TraceRecorder* recorder)
    : hub_(hub),
      network_(network),
      faults_(faults),
      rng_(seed, Stream::kFaults),
      recorder_(recorder) {
  tls_hosts = this;
}

void HostTable::check(const FaultOptions& faults) {
  if (!(faults.host_crash_rate >= 0) ||
      faults.restart_delay_min < absl::ZeroDuration() ||
      faults.restart_delay_max < faults.restart_delay_min ||
      faults.clock_offset_bound < absl::ZeroDuration() ||
      !(faults.clock_drift_ppm >= 0 && faults.clock_drift_ppm < 1e6)) {
    throw std::invalid_argument(
        "sim: FaultOptions needs host_crash_rate >= 0, 0 <= "
        "restart_delay_min <= restart_delay_max, clock_offset_bound >= 0 "
        "and 0 <= clock_drift_ppm < 1e6");
  }
}

HostTable::~HostTable() {
  tls_hosts = nullptr;
  network_.set_host_of_caller(nullptr);
}

HostTable& HostTable::current(const char* what) {
  if (tls_hosts == nullptr) {
    throw std::logic_error(std::string("sim::") + what +
                           "() called outside sim::run");
  }
  return *tls_hosts;
}

HostTable::Host& HostTable::find(const std::string& address) {
  auto it = by_address_.find(address);
  if (it == by_address_.end()) {
    throw std::invalid_argument("sim: no host " + address);
  }
  return *it->second;
}

const HostTable::Host* HostTable::host_of_current() const {
  const std::uint32_t domain = hub_.current_greenlet().domain();
  if (domain == 0 || domain > hosts_.size()) return nullptr;
  return hosts_[domain - 1].get();
}

void HostTable::add(const std::string& address, std::function<void()> start) {
  if (by_address_.count(address) != 0) {
    throw std::invalid_argument("sim: host " + address + " added twice");
  }
  if (hosts_.empty()) {
    network_.set_host_of_caller([this] { return current_host(); });
  }
  auto host = std::make_unique<Host>();
  host->address = address;
  host->domain = static_cast<std::uint32_t>(hosts_.size() + 1);
  host->start = std::move(start);
  host->up = true;
  const std::int64_t offset_bound =
      absl::ToInt64Nanoseconds(faults_.clock_offset_bound);
  if (offset_bound > 0) host->offset = symmetric(rng_, offset_bound);
  const std::int64_t drift_bound =
      std::llround(faults_.clock_drift_ppm * 1000);  // ppb
  if (drift_bound > 0) host->drift = symmetric(rng_, drift_bound);
  Host& h = *host;
  by_address_[address] = &h;
  hosts_.push_back(std::move(host));
  const std::int64_t id = launch(h);
  if (recorder_ != nullptr) {
    recorder_->note_host_start(address, id, h.offset, h.drift);
  }
  draw_crash(h);
}

std::int64_t HostTable::launch(Host& host) {
  Greenlet& g = hub_.create_greenlet([start = host.start] { start(); });
  g.set_domain(host.domain);
  hub_.start(g);
  return g.id();
}

void HostTable::unwind_domain(std::uint32_t domain) {
  // Life tokens, not pointers, say who is still alive: unwinding one may end
  // others. A destructor may spawn more (of the same domain): loop.
  for (;;) {
    std::vector<std::pair<Greenlet*, internal::RefPtr<internal::LifeToken>>>
        members;
    Greenlet* self = &hub_.current_greenlet();
    hub_.for_each_greenlet([&](Greenlet& g) {
      if (g.domain() == domain && !g.dead() && &g != self) {
        members.emplace_back(&g, internal::HubAccess::life_token(hub_, g));
      }
    });
    if (members.empty()) return;
    bool progress = false;
    for (auto& [g, life] : members) {
      if (life->alive && hub_.unwind(*g)) progress = true;
    }
    if (!progress) return;  // refused to die: left for the teardown
  }
}

void HostTable::crash(const std::string& address, const char* why) {
  Host& host = find(address);
  if (!host.up) return;
  host.up = false;
  host.fault = ScopedTimer();
  if (recorder_ != nullptr) recorder_->note_host_crash(address, why);
  network_.crash_host(address);
  unwind_domain(host.domain);
  draw_restart(host);
  if (hub_.current_greenlet().domain() == host.domain) throw GreenletExit{};
}

void HostTable::restart(const std::string& address, const char* why) {
  Host& host = find(address);
  if (host.up) return;
  host.up = true;
  host.fault = ScopedTimer();
  const std::int64_t id = launch(host);
  if (recorder_ != nullptr) recorder_->note_host_restart(address, why, id);
  draw_crash(host);
}

void HostTable::schedule_crash(const std::string& address, absl::Duration at,
                               absl::Duration restart_after) {
  find(address);  // known now, or invalid_argument
  const absl::Duration delay = at - hub_.now();
  scheduled_.push_back(
      hub_.schedule_call_global(delay, [this, address, restart_after] {
        crash(address, "scheduled");
        if (restart_after == absl::InfiniteDuration()) return;
        scheduled_.push_back(hub_.schedule_call_global(
            restart_after, [this, address] { restart(address, "scheduled"); }));
      }));
}

void HostTable::draw_crash(Host& host) {
  if (faults_.host_crash_rate <= 0) return;
  // Uniform in (0, 2 / rate]: mean 1 / rate, integer draws only.
  const double span = 2e9 / faults_.host_crash_rate;
  const std::uint64_t max_ns = span >= 9e18
                                   ? std::uint64_t{9'000'000'000'000'000'000u}
                                   : static_cast<std::uint64_t>(span);
  const std::int64_t delay =
      static_cast<std::int64_t>(rng_.uniform(max_ns < 1 ? 1 : max_ns)) + 1;
  Host* h = &host;
  host.fault = hub_.schedule_call_global(
      absl::Nanoseconds(delay), [this, h] { crash(h->address, "seed"); });
}

void HostTable::draw_restart(Host& host) {
  if (faults_.host_crash_rate <= 0) return;
  const std::int64_t lo = absl::ToInt64Nanoseconds(faults_.restart_delay_min);
  const std::int64_t hi = absl::ToInt64Nanoseconds(faults_.restart_delay_max);
  const std::int64_t delay = lo + static_cast<std::int64_t>(rng_.uniform(
                                      static_cast<std::uint64_t>(hi - lo) + 1));
  Host* h = &host;
  host.fault = hub_.schedule_call_global(
      absl::Nanoseconds(delay), [this, h] { restart(h->address, "seed"); });
}

absl::Time HostTable::now() {
  const std::int64_t t = hub_.backend().now();
  const Host* host = host_of_current();
  if (host == nullptr) return absl::UnixEpoch() + absl::Nanoseconds(t);
  const __int128 skew = static_cast<__int128>(t) * host->drift / 1'000'000'000;
  const std::int64_t reading =
      t + static_cast<std::int64_t>(skew) + host->offset;
  if (recorder_ != nullptr) recorder_->note_clock_read(host->address, reading);
  return absl::UnixEpoch() + absl::Nanoseconds(reading);
}

std::string HostTable::current_host() const {
  const Host* host = host_of_current();
  return host == nullptr ? std::string() : host->address;
}

bool HostTable::up(const std::string& address) const {
  auto it = by_address_.find(address);
  if (it == by_address_.end()) {
    throw std::invalid_argument("sim: no host " + address);
  }
  return it->second->up;
}

// ---- sim/host.h
// ---------------------------------------------------------------

void add_host(const std::string& address, std::function<void()> start) {
  HostTable::current("add_host").add(address, std::move(start));
}

void crash_host(const std::string& address) {
  HostTable::current("crash_host").crash(address, "test");
}

void restart_host(const std::string& address) {
  HostTable::current("restart_host").restart(address, "test");
}

void schedule_crash(const std::string& address, absl::Duration at,
                    absl::Duration restart_after) {
  HostTable::current("schedule_crash")
      .schedule_crash(address, at, restart_after);
}

absl::Time host_now() { return HostTable::current("host_now").now(); }

std::string current_host() {
  return HostTable::current("current_host").current_host();
}

bool host_up(const std::string& address) {
  return HostTable::current("host_up").up(address);
}

}  // namespace eventlet::sim
