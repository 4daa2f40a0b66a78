// Copyright 2026 The eventlet-cpp Authors.
//
// decisions.h: the decisions of a simulated run, read from its trace, that
// can drive a run instead of the seed.
//
// A simulated run is deterministic but for its decisions: the order of each
// timer pass's zero-delay wake-ups (the trace's `choose` events: strategies
// random and pct; PCT's priority change points act only through them), and
// the network's random draws (`net_send`'s `jitter`, `net_drop` with
// `reason` "loss", and the faults: `net_reset` with `reason` "chance",
// `net_duplicate`, `net_reorder`), and the EVENTLET_BUGGIFY evaluations that
// were true (`buggify`). Given the same program, the same
// decisions give the same run, whatever the seed's streams would have drawn. So a trace can drive
// a run (Options::decisions, sim::replay), and an edited or shortened list
// of decisions changes the run (sim::shrink searches such lists).
//
// How a run consumes them:
// - Chooses apply by position: the k-th pass with two or more wake-ups takes
//   the k-th decision. Its `order` is a preference: each pick runs the first
//   greenthread of the order, not yet run in this pass, that is among the
//   pass's wake-ups; when none is (the run went elsewhere) or the list is
//   exhausted, the oldest wake-up runs (FIFO, eventlet's order).
// - Network draws apply by packet number; a packet the trace has no draw for
//   gets no jitter and no fault (it is not lost, reset, duplicated or held
//   back).
#ifndef EVENTLET_SIM_DECISIONS_H_
#define EVENTLET_SIM_DECISIONS_H_

#include <cstddef>
#include <cstdint>
#include <map>
#include <set>
#include <span>
#include <vector>

#include "hub/observer.h"
#include "sim/buggify.h"
#include "sim/sim_net.h"
#include "sim/trace.h"

namespace eventlet::sim {

struct ChooseDecision {
  // The pass's wake-ups as recorded (queue order) and the order to run them
  // in. An empty `order` means FIFO.
  std::vector<std::int64_t> set;
  std::vector<std::int64_t> order;
  // A preemption: the order departs from FIFO.
  bool preempts() const { return !order.empty() && order != set; }
};

struct Decisions {
  // Whether the recorded run had a tie breaker (strategy random or pct): only
  // then are chooses recorded, and only then does a driven run use them.
  bool scheduler = false;
  std::vector<ChooseDecision> chooses;             // in pass order
  std::map<std::uint64_t, std::int64_t> jitters;   // packet -> ns
  std::set<std::uint64_t> losses;                  // packets lost by a draw
  std::set<std::uint64_t> resets;                  // data segments that reset
  std::set<std::uint64_t> duplicates;              // datagrams copied
  std::map<std::uint64_t, std::int64_t> reorders;  // packet -> extra ns
  // EVENTLET_BUGGIFY evaluations that were true (sim/buggify.h).
  std::set<BuggifyFire> buggify;
  // How many chooses depart from FIFO.
  std::size_t preemptions() const;
};

// Collects the decisions of a parsed trace.
Decisions decisions_from_trace(const ParsedTrace& trace);

// A tie breaker that follows `decisions.chooses` (see the contract above).
// Not owning; `decisions` must outlive it.
class ScriptedTieBreaker final : public TieBreaker {
 public:
  explicit ScriptedTieBreaker(const Decisions& decisions)
      : decisions_(decisions) {}
  std::size_t pick(std::span<const Greenlet* const> candidates) override;

 private:
  const Decisions& decisions_;
  std::size_t next_ = 0;    // the next pass's decision
  bool in_pass_ = false;    // picks of a pass are under way
  std::vector<bool> used_;  // this pass: entries of the order already run
  const ChooseDecision* current_ = nullptr;
};

// Network draws that follow `decisions.jitters`, `.losses` and the faults'
// sets. Not owning.
class ScriptedDraws final : public NetworkDraws {
 public:
  explicit ScriptedDraws(const Decisions& decisions) : decisions_(decisions) {}
  bool lose(std::uint64_t packet, double loss) override;
  std::int64_t jitter(std::uint64_t packet, std::int64_t max_jitter) override;
  bool reset(std::uint64_t packet, double p) override;
  bool duplicate(std::uint64_t packet, double p) override;
  std::int64_t reorder(std::uint64_t packet, double p,
                       std::int64_t max_delay) override;

 private:
  const Decisions& decisions_;
};

}  // namespace eventlet::sim

#endif  // EVENTLET_SIM_DECISIONS_H_
