// Copyright 2026 The eventlet-cpp Authors.
#include "sim/sim.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>
#include <set>
#include <thread>
#include <utility>
#include <vector>

#include "hub/hub.h"
#include "sim/buggify.h"
#include "sim/decisions.h"
#include "sim/host_table.h"
#include "sim/invariant.h"
#include "sim/invariant_registry.h"
#include "sim/sim_backend.h"
#include "sim/sim_net.h"

namespace eventlet::sim {
namespace {

thread_local Rng* tls_user_rng = nullptr;
thread_local SimNetwork* tls_network = nullptr;

class RandomTieBreaker final : public TieBreaker {
 public:
  explicit RandomTieBreaker(std::uint64_t seed)
      : rng_(seed, Stream::kScheduler) {}
  std::size_t pick(std::span<const Greenlet* const> candidates) override {
    return static_cast<std::size_t>(rng_.uniform(candidates.size()));
  }

 private:
  Rng rng_;
};

// PCT (Burckhardt, Kothari, Musuvathi, Nagarakatte: "A Randomized Scheduler
// with Probabilistic Guarantees of Finding Bugs", ASPLOS 2010) on the hub's
// tie-breaking decisions. Every greenthread gets a random priority from the
// scheduler stream when it is created (main when the run starts); pick()
// runs the highest-priority candidate first. depth - 1 change points are
// drawn uniformly from the event counts [1, horizon]; when the event count
// (the trace's seq) reaches the i-th drawn one, the greenthread running then
// (the last one switched to) drops to priority i, below every initial
// priority. It observes the hub (chained under the trace recorder, whose
// counter it reads) to see spawns, switches and the count.
class PctScheduler final : public TieBreaker, public HubObserver {
 public:
  PctScheduler(std::uint64_t seed, int depth, std::uint64_t horizon,
               const std::uint64_t* counter)
      : rng_(seed, Stream::kScheduler), counter_(counter) {
    for (int i = 1; i < depth; ++i) {
      points_.push_back(ChangePoint{rng_.uniform(horizon) + 1,
                                    static_cast<std::uint64_t>(i)});
    }
    std::stable_sort(points_.begin(), points_.end(),
                     [](const ChangePoint& a, const ChangePoint& b) {
                       return a.count < b.count;
                     });
    priority(0);  // main's
  }

  std::size_t pick(std::span<const Greenlet* const> candidates) override {
    std::size_t best = 0;
    std::uint64_t best_priority = 0;
    for (std::size_t i = 0; i < candidates.size(); ++i) {
      const std::uint64_t p = priority(candidates[i]->id());
      if (i == 0 || p > best_priority) {
        best = i;
        best_priority = p;
      }
    }
    return best;
  }

  void on_spawn(const Greenlet& g, const Greenlet&) override {
    priority(g.id());
    tick();
  }
  void on_switch(const Greenlet&, const Greenlet& to) override {
    if (to.id() >= 0) running_ = to.id();
    tick();
  }
  void on_block(const Greenlet&, const char*) override { tick(); }
  void on_ready(const Greenlet&, const Greenlet&, std::uint64_t) override {
    tick();
  }
  void on_wake(const char*, const ObjectInfo&,
               std::span<const Greenlet* const>) override {
    tick();
  }
  void on_prepare_timers(const TimerList&) override { tick(); }
  void on_exit(const Greenlet&) override { tick(); }
  void on_exception(std::exception_ptr, std::string_view) override { tick(); }
  void on_timer_add(const TimerInfo&) override { tick(); }
  void on_timer_fire(const TimerInfo&) override { tick(); }
  void on_timer_cancel(const TimerInfo&) override { tick(); }
  void on_listen_add(int, IoEvents, const Greenlet&) override { tick(); }
  void on_listen_fire(int, IoEvents, const Greenlet&) override { tick(); }
  void on_listen_remove(int, IoEvents, const Greenlet&) override { tick(); }
  void on_pass(std::int64_t) override { tick(); }
  void on_poll(std::int64_t) override { tick(); }
  void on_poll_done(std::size_t) override { tick(); }

 private:
  struct ChangePoint {
    std::uint64_t count;
    std::uint64_t priority;  // 1..depth-1: below every initial priority
  };
  // Initial priorities lie in [2^62, 2^63): above every change point's.
  static constexpr std::uint64_t kInitial = std::uint64_t{1} << 62;

  std::uint64_t priority(std::int64_t id) {
    const std::size_t i = id < 0 ? 0 : static_cast<std::size_t>(id);
    while (priorities_.size() <= i) {
      // Creation order, so the draws are the same every run. (A greenthread
      // first seen here, not at its spawn, gets the next draw.)
      priorities_.push_back(kInitial | (rng_.next() >> 2));
    }
    return priorities_[i];
  }
  void tick() {
    while (next_ < points_.size() && *counter_ >= points_[next_].count)
      [[unlikely]] {
        priority(running_);
        priorities_[static_cast<std::size_t>(running_)] =
            points_[next_].priority;
        ++next_;
      }
  }

  Rng rng_;
  const std::uint64_t* counter_;
  std::vector<ChangePoint> points_;
  std::size_t next_ = 0;
  std::vector<std::uint64_t> priorities_;  // by greenthread id
  std::int64_t running_ = 0;
};

// Hashes the picks of the tie breaker it wraps (Result::schedule_hash).
class HashingTieBreaker final : public TieBreaker {
 public:
  explicit HashingTieBreaker(TieBreaker* inner) : inner_(inner) {}
  std::size_t pick(std::span<const Greenlet* const> candidates) override {
    const std::size_t k = inner_->pick(candidates);
    mix(candidates.size());
    mix(static_cast<std::uint64_t>(
        candidates[std::min(k, candidates.size() - 1)]->id()));
    return k;
  }
  std::uint64_t hash() const { return hash_; }

 private:
  void mix(std::uint64_t v) {
    hash_ = (hash_ ^ v) * 0x100000001b3ULL;  // FNV-1a, a word at a time
  }
  TieBreaker* inner_;
  std::uint64_t hash_ = 0xcbf29ce484222325ULL;
};

// From the hub greenlet (the stall handler), while main is still parked inside
// fn: unwinds every other greenthread, oldest first, as
// Hub::unwind_greenthreads() does from main. A greenthread that blocks again
// while unwinding is left for the final teardown.
void unwind_others(Hub& hub) {
  std::set<std::int64_t> tried;
  for (;;) {
    Greenlet* next = nullptr;
    hub.for_each_greenlet([&](Greenlet& g) {
      if (next == nullptr && g.id() > 0 && !g.dead() && !tried.count(g.id())) {
        next = &g;
      }
    });
    if (next == nullptr) return;
    tried.insert(next->id());
    if (next->state() == GreenletState::kNotStarted) {
      hub.discard_unstarted(*next);
    } else if (next->state() == GreenletState::kSuspended) {
      hub.throw_into(*next, std::make_exception_ptr(GreenletExit{}));
    }
  }
}

}  // namespace

const char* strategy_name(Strategy s) {
  switch (s) {
    case Strategy::kFifo:
      return "fifo";
    case Strategy::kRandom:
      return "random";
    case Strategy::kPct:
      return "pct";
  }
  return "?";
}

bool parse_strategy(std::string_view name, Strategy* out) {
  for (Strategy s : {Strategy::kFifo, Strategy::kRandom, Strategy::kPct}) {
    if (name == strategy_name(s)) {
      *out = s;
      return true;
    }
  }
  return false;
}

const char* outcome_name(Outcome o) {
  switch (o) {
    case Outcome::kOk:
      return "ok";
    case Outcome::kError:
      return "error";
    case Outcome::kDeadlock:
      return "deadlock";
    case Outcome::kTimeLimit:
      return "time limit";
    case Outcome::kEventLimit:
      return "event limit";
    case Outcome::kInvariant:
      return "invariant";
  }
  return "?";
}

std::string WaitedObject::to_string() const {
  if (kind.empty()) return "";
  std::string s = kind + " " + std::to_string(id);
  if (last_touch != -2) {
    s += ", last touched by " +
         (last_touch == -1 ? std::string("hub") : std::to_string(last_touch));
  }
  return s;
}

std::string DeadlockReport::to_string() const {
  std::string s =
      "deadlock at t=" + std::to_string(absl::ToInt64Nanoseconds(time)) +
      " ns: nothing can ever happen again; greenthreads:\n";
  for (const GreenthreadInfo& g : greenthreads) {
    s += "  greenthread " + std::to_string(g.id);
    if (!g.name.empty()) s += " (" + g.name + ")";
    s += ": " + g.state;
    if (!g.waiting_on.empty()) s += " on " + g.waiting_on;
    if (!g.object.kind.empty()) s += " (" + g.object.to_string() + ")";
    if (g.created.known) {
      s += "; created by greenthread " + std::to_string(g.created.creator) +
           " at t=" + std::to_string(g.created.t) + " (trace seq " +
           std::to_string(g.created.seq) + ")";
    }
    s += "\n";
    if (!g.object.created_at.empty()) {
      s += "    " + g.object.kind + " " + std::to_string(g.object.id) +
           " was created at:\n";
      std::size_t start = 0;
      const std::string& site = g.object.created_at;
      while (start < site.size()) {
        std::size_t nl = site.find('\n', start);
        if (nl == std::string::npos) nl = site.size();
        s += "      " + site.substr(start, nl - start) + "\n";
        start = nl + 1;
      }
    }
  }
  return s;
}

std::string DeadlockReport::summary() const {
  std::string s;
  for (const GreenthreadInfo& g : greenthreads) {
    if (g.waiting_on.empty()) continue;
    if (!s.empty()) s += ", ";
    s += std::to_string(g.id) + " on " + g.waiting_on;
    if (!g.object.kind.empty()) s += " (" + g.object.to_string() + ")";
  }
  return s.empty() ? "nothing can ever happen again" : s;
}

Deadlock::Deadlock(DeadlockReport report)
    : std::runtime_error(report.to_string()), report_(std::move(report)) {}

std::string Result::summary() const {
  std::string s = std::string(outcome_name(outcome)) + ": virtual time " +
                  std::to_string(absl::ToInt64Nanoseconds(virtual_time)) +
                  " ns, " + std::to_string(events) + " events";
  if (!error.empty()) s += ": " + error;
  return s;
}

Rng& random() {
  if (tls_user_rng == nullptr) {
    throw std::logic_error("sim::random() called outside sim::run");
  }
  return *tls_user_rng;
}

bool in_simulation() { return tls_user_rng != nullptr; }

SimNetwork& network() {
  if (tls_network == nullptr) {
    throw std::logic_error("sim::network() called outside sim::run");
  }
  return *tls_network;
}

Result run(const Options& options, absl::FunctionRef<void()> fn) {
  if (options.strategy == Strategy::kPct &&
      (options.pct_depth < 1 ||
       static_cast<std::uint64_t>(options.pct_depth) > kMaxPctDepth ||
       options.pct_horizon < 1)) {
    throw std::invalid_argument(
        "sim: the pct strategy needs 1 <= pct_depth <= 10000 and "
        "pct_horizon >= 1");
  }
  HostTable::check(options.faults);
  for (double p : {options.buggify_activation, options.buggify_firing}) {
    if (!(p >= 0 && p <= 1)) {
      throw std::invalid_argument(
          "sim: buggify_activation and buggify_firing must lie in [0, 1]");
    }
  }
  std::FILE* sink = nullptr;
  if (!options.trace_path.empty()) {
    sink = std::fopen(options.trace_path.c_str(), "wb");
    if (sink == nullptr) {
      throw std::runtime_error("sim: cannot open trace file " +
                               options.trace_path);
    }
  }
  Result result;
  std::thread thread([&] {
    auto owned = std::make_unique<SimBackend>();
    SimBackend* backend = owned.get();
    // Green sockets of the run live in the network. It belongs to the thread
    // (a thread_local made before anything the run creates), so sockets kept
    // in thread_locals made later — e.g. http::fetch's idle connections — are
    // still closed into it when the thread exits.
    static thread_local std::unique_ptr<SimNetwork> network_owner;
    network_owner =
        std::make_unique<SimNetwork>([backend] { return backend->now(); },
                                     Rng(options.seed, Stream::kNetwork));
    SimNetwork& network = *network_owner;
    backend->set_network(&network);
    tls_network = &network;
    Hub& hub = Hub::install(std::move(owned));
    Rng user_rng(options.seed, Stream::kUser);
    tls_user_rng = &user_rng;
    const bool driven = options.decisions != nullptr;
    const bool pct = options.strategy == Strategy::kPct && !driven;
    std::unique_ptr<RandomTieBreaker> random_tb;
    std::unique_ptr<ScriptedTieBreaker> scripted_tb;
    std::unique_ptr<ScriptedDraws> scripted_draws;
    TieBreaker* tie_breaker = nullptr;
    if (driven) {
      if (options.decisions->scheduler) {
        scripted_tb = std::make_unique<ScriptedTieBreaker>(*options.decisions);
        tie_breaker = scripted_tb.get();
      }
      scripted_draws = std::make_unique<ScriptedDraws>(*options.decisions);
      network.set_draws(scripted_draws.get());
    } else if (options.strategy == Strategy::kRandom) {
      random_tb = std::make_unique<RandomTieBreaker>(options.seed);
      tie_breaker = random_tb.get();
    }
    const bool format = sink != nullptr || options.trace_in_memory;
    std::unique_ptr<TraceRecorder> recorder;
    std::unique_ptr<BuggifyState> buggify;
    if (options.buggify) {
      buggify = std::make_unique<BuggifyState>(
          options.seed, options.buggify_activation, options.buggify_firing,
          driven ? &options.decisions->buggify : nullptr,
          [&recorder](const std::string& site, std::uint64_t call) {
            if (recorder) recorder->note_buggify(site, call);
          });
      BuggifyState::current = buggify.get();
    }
    // An invariant that fails is traced at once; the run stops at the end of
    // the pass, through the stall handler (Stall::kStopped).
    std::string broken_message;
    InvariantRegistry invariants(
        hub, [&](const std::string& name, const std::string& message) {
          if (recorder) recorder->note_invariant(name, message);
          result.invariant = name;
          broken_message = "\"" + name + "\" does not hold: " + message;
          backend->request_stop();
          hub.request_poll();
        });
    InvariantRegistry::set_current(&invariants);
    std::unique_ptr<PctScheduler> pct_scheduler;
    std::unique_ptr<HashingTieBreaker> hashing_tb;
    ObserverRegistration pct_registration;
    // PCT counts events with the recorder (its change points are trace seqs).
    if (format || options.max_events != 0 || options.count_events || pct) {
      TraceHeader header;
      header.seed = options.seed;
      header.strategy = strategy_name(options.strategy);
      header.faults = options.faults;
      if (options.strategy == Strategy::kPct) {  // driven or not
        header.pct_depth = static_cast<std::uint64_t>(options.pct_depth);
        header.pct_horizon = options.pct_horizon;
      }
      recorder = std::make_unique<TraceRecorder>(hub, header, format, sink);
      recorder->keep_in_memory(options.trace_in_memory);
      if (pct) {
        pct_scheduler = std::make_unique<PctScheduler>(
            options.seed, options.pct_depth, options.pct_horizon,
            recorder->events_counter());
        // Registered before the recorder, it hears every event after it,
        // so after the count.
        pct_registration = hub.add_observer(*pct_scheduler);
        tie_breaker = pct_scheduler.get();
      }
      if (tie_breaker != nullptr) {
        hashing_tb = std::make_unique<HashingTieBreaker>(tie_breaker);
        tie_breaker = hashing_tb.get();
      }
      recorder->install(tie_breaker);
      network.set_event_listener(
          [rec = recorder.get()](const NetEvent& e) { rec->on_net(e); });
    } else {
      if (tie_breaker != nullptr) {
        hashing_tb = std::make_unique<HashingTieBreaker>(tie_breaker);
        tie_breaker = hashing_tb.get();
      }
      hub.set_tie_breaker(tie_breaker);
    }
    // Hosts (sim/host.h): crash/restart/clock faults on their own stream.
    auto hosts = std::make_unique<HostTable>(hub, network, options.seed,
                                             options.faults, recorder.get());
    if (options.max_time > absl::ZeroDuration())
      backend->set_time_limit(absl::ToInt64Nanoseconds(options.max_time));
    if (options.max_events != 0) {
      backend->set_event_budget(recorder->events_counter(), options.max_events);
      // A loop of sleep(0)s never polls by itself: ask for polls once the
      // budget is spent, so that wait() sees it.
      recorder->request_poll_at(options.max_events);
    }
    int stalls = 0;
    backend->set_stall_handler([&](Stall why) {
      if (++stalls > 100) {
        std::fprintf(stderr,
                     "sim: the program keeps swallowing sim::Deadlock / "
                     "sim::LimitReached; aborting\n");
        std::abort();
      }
      std::exception_ptr error;
      // The run is over: nothing more is checked (teardown breaks things).
      invariants.close();
      if (why == Stall::kStopped) {
        result.outcome = Outcome::kInvariant;
        result.traced_outcome = {outcome_name(result.outcome), broken_message};
        error = std::make_exception_ptr(InvariantViolation(broken_message));
      } else if (why == Stall::kDeadlock) {
        if (recorder) recorder->note_stall("deadlock");
        DeadlockReport report;
        report.time = absl::Nanoseconds(backend->now());
        hub.for_each_greenlet([&](const Greenlet& g) {
          GreenthreadInfo info;
          info.id = g.id();
          info.name = g.name();
          info.state = state_name(g.state());
          if (g.state() == GreenletState::kSuspended) {
            info.waiting_on = g.waiting_on();
            if (std::optional<ObjectInfo> object = hub.waiting_object(g)) {
              info.object.kind = object->kind();
              info.object.id = object->id();
              if (std::optional<std::int64_t> t = object->last_touch()) {
                info.object.last_touch = *t;
              }
              info.object.created_at = hub.object_creation_site(*object);
            }
          }
          if (recorder) info.created = recorder->creation(g.id());
          report.greenthreads.push_back(std::move(info));
        });
        result.outcome = Outcome::kDeadlock;
        result.traced_outcome = {outcome_name(result.outcome),
                                 report.summary()};
        result.deadlock = report;
        error = std::make_exception_ptr(Deadlock(std::move(report)));
      } else {
        const bool time = why == Stall::kTimeLimit;
        if (recorder) recorder->note_stall(time ? "time limit" : "event limit");
        result.outcome = time ? Outcome::kTimeLimit : Outcome::kEventLimit;
        const char* what =
            time ? "sim: time limit reached" : "sim: event limit reached";
        result.traced_outcome = {outcome_name(result.outcome), what};
        error = std::make_exception_ptr(LimitReached(what));
      }
      if (recorder) {
        recorder->note_outcome(result.traced_outcome.result,
                               result.traced_outcome.message);
      }
      // The run is over: the rest is teardown, which is not traced.
      if (recorder) recorder->stop_formatting();
      unwind_others(hub);
      // Moved, not copied: this frame parks in the hub greenlet for good (the
      // hub is torn down without unwinding it), so it must own nothing.
      hub.throw_into(hub.main_greenlet(), std::move(error));
    });
    try {
      fn();
    } catch (const Deadlock& e) {
      result.error = e.what();
    } catch (const LimitReached& e) {
      result.error = e.what();
    } catch (const InvariantViolation& e) {
      result.error = e.what();
    } catch (const std::exception& e) {
      result.outcome = Outcome::kError;
      result.error = e.what();
      result.exception = std::current_exception();
    } catch (...) {
      result.outcome = Outcome::kError;
      result.error = "unknown exception";
      result.exception = std::current_exception();
    }
    if (!broken_message.empty() &&
        (result.outcome == Outcome::kOk || result.outcome == Outcome::kError)) {
      // An invariant broke, then fn ended within the same pass: it is the
      // first failure.
      result.outcome = Outcome::kInvariant;
      result.error = broken_message;
      result.exception = nullptr;
      result.traced_outcome = {outcome_name(result.outcome), broken_message};
      if (recorder) {
        recorder->note_outcome(result.traced_outcome.result,
                               result.traced_outcome.message);
      }
    }
    if (result.outcome == Outcome::kOk || result.outcome == Outcome::kError) {
      result.traced_outcome = {outcome_name(result.outcome), result.error};
      if (recorder) {
        recorder->note_outcome(result.traced_outcome.result,
                               result.traced_outcome.message);
      }
    }
    invariants.close();
    backend->cancel_stop();  // fn ended before the pass did
    result.states.assign(invariants.states().begin(),
                         invariants.states().end());
    result.virtual_time = absl::Nanoseconds(backend->now());
    result.iterations = hub.iterations();
    {
      // FNV-1a over the three parts' hashes.
      std::uint64_t h = 0xcbf29ce484222325ULL;
      for (std::uint64_t part :
           {hashing_tb ? hashing_tb->hash() : 0, network.draws_hash(),
            buggify ? buggify->hash() : 0}) {
        h = (h ^ part) * 0x100000001b3ULL;
      }
      result.schedule_hash = h;
    }
    if (recorder) {
      recorder->uninstall();
      network.set_event_listener(nullptr);
      result.events = recorder->events();
      result.trace_hash = recorder->hash();
      if (options.trace_in_memory) result.trace = recorder->text();
    }
    // Ours only: an observer the run registered stays, and hears the
    // teardown, until its own registration ends.
    pct_registration.reset();
    hub.set_tie_breaker(nullptr);
    backend->set_stall_handler([](Stall) {
      std::fprintf(stderr, "sim: stalled during teardown; aborting\n");
      std::abort();
    });
    // Whatever is still pending is unwound now, while the run's objects (the
    // network, sim::random(), whatever fn captured by reference) still live.
    hub.unwind_greenthreads();
    hosts.reset();  // its fault timers, while the hub lives
    // Teardown and later thread_local destructors may still close sockets:
    // from now on the network keeps the final time instead of asking the
    // backend, which goes away with the hub.
    network.freeze_clock();
    network.set_draws(nullptr);
    Hub::destroy_current();
    recorder.reset();
    tls_user_rng = nullptr;
    tls_network = nullptr;
    BuggifyState::current = nullptr;
    InvariantRegistry::set_current(nullptr);
  });
  thread.join();
  if (sink != nullptr) std::fclose(sink);
  return result;
}

}  // namespace eventlet::sim
