// Copyright 2026 The eventlet-cpp Authors.
#include "sim/sim.h"

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <thread>
#include <utility>

#include "hub/hub.h"
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

const char* state_name(GreenletState s) {
  switch (s) {
    case GreenletState::kNotStarted:
      return "not started";
    case GreenletState::kRunning:
      return "running";
    case GreenletState::kSuspended:
      return "suspended";
    case GreenletState::kDead:
      return "dead";
  }
  return "?";
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
  }
  return "?";
}

std::string DeadlockReport::to_string() const {
  std::string s = "deadlock at t=" + std::to_string(time) +
                  " ns: nothing can ever happen again; greenthreads:\n";
  for (const GreenthreadInfo& g : greenthreads) {
    s += "  greenthread " + std::to_string(g.id);
    if (!g.name.empty()) s += " (" + g.name + ")";
    s += ": " + g.state;
    if (!g.waiting_on.empty()) s += " on " + g.waiting_on;
    if (g.created.known) {
      s += "; created by greenthread " + std::to_string(g.created.creator) +
           " at t=" + std::to_string(g.created.t) + " (trace seq " +
           std::to_string(g.created.seq) + ")";
    }
    s += "\n";
  }
  return s;
}

Deadlock::Deadlock(DeadlockReport report)
    : std::runtime_error(report.to_string()), report_(std::move(report)) {}

std::string Result::summary() const {
  std::string s = std::string(outcome_name(outcome)) + ": virtual time " +
                  std::to_string(virtual_ns) + " ns, " +
                  std::to_string(events) + " events";
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
  if (options.strategy == Strategy::kPct) {
    throw std::invalid_argument("sim: the pct strategy is not implemented yet");
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
    std::unique_ptr<RandomTieBreaker> random_tb;
    if (options.strategy == Strategy::kRandom) {
      random_tb = std::make_unique<RandomTieBreaker>(options.seed);
    }
    TieBreaker* tie_breaker = random_tb.get();
    const bool format = sink != nullptr || options.trace_in_memory;
    std::unique_ptr<TraceRecorder> recorder;
    if (format || options.max_events != 0 || options.count_events) {
      TraceHeader header;
      header.seed = options.seed;
      header.strategy = strategy_name(options.strategy);
      recorder = std::make_unique<TraceRecorder>(hub, header, format, sink);
      recorder->keep_in_memory(options.trace_in_memory);
      recorder->install(tie_breaker);
    } else {
      hub.set_tie_breaker(tie_breaker);
    }
    if (options.max_time > 0) backend->set_time_limit(options.max_time);
    if (options.max_events != 0) {
      backend->set_event_budget(recorder->events_counter(), options.max_events);
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
      if (why == Stall::kDeadlock) {
        if (recorder) recorder->note_stall("deadlock");
        DeadlockReport report;
        report.time = backend->now();
        hub.for_each_greenlet([&](const Greenlet& g) {
          GreenthreadInfo info;
          info.id = g.id();
          info.name = g.name();
          info.state = state_name(g.state());
          if (g.state() == GreenletState::kSuspended) {
            info.waiting_on = g.waiting_on();
          }
          if (recorder) info.created = recorder->creation(g.id());
          report.greenthreads.push_back(std::move(info));
        });
        result.outcome = Outcome::kDeadlock;
        result.deadlock = report;
        error = std::make_exception_ptr(Deadlock(std::move(report)));
      } else {
        const bool time = why == Stall::kTimeLimit;
        if (recorder) recorder->note_stall(time ? "time limit" : "event limit");
        result.outcome = time ? Outcome::kTimeLimit : Outcome::kEventLimit;
        error = std::make_exception_ptr(LimitReached(
            time ? "sim: time limit reached" : "sim: event limit reached"));
      }
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
    } catch (const std::exception& e) {
      result.outcome = Outcome::kError;
      result.error = e.what();
      result.exception = std::current_exception();
    } catch (...) {
      result.outcome = Outcome::kError;
      result.error = "unknown exception";
      result.exception = std::current_exception();
    }
    result.virtual_ns = backend->now();
    result.iterations = hub.iterations();
    if (recorder) {
      recorder->uninstall();
      result.events = recorder->events();
      result.trace_hash = recorder->hash();
      if (options.trace_in_memory) result.trace = recorder->text();
    }
    backend->set_stall_handler([](Stall) {
      std::fprintf(stderr, "sim: stalled during teardown; aborting\n");
      std::abort();
    });
    // Teardown and later thread_local destructors may still close sockets:
    // from now on the network keeps the final time instead of asking the
    // backend, which goes away with the hub.
    network.freeze_clock();
    Hub::destroy_current();
    recorder.reset();
    tls_user_rng = nullptr;
    tls_network = nullptr;
  });
  thread.join();
  if (sink != nullptr) std::fclose(sink);
  return result;
}

}  // namespace eventlet::sim
