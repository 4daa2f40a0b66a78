// Copyright 2026 The eventlet-cpp Authors.
//
// buggify.h: EVENTLET_BUGGIFY, code paths that misbehave on purpose, but only
// under simulation (after FoundationDB's BUGGIFY).
//
//   absl::Duration timeout = absl::Seconds(30);
//   if (EVENTLET_BUGGIFY) timeout = absl::Milliseconds(1);
//
// Outside sim::run, EVENTLET_BUGGIFY is false (one thread_local load). Inside,
// each call site (file:line) is either active or not for the whole run: the
// first time the run reaches it, it is activated with probability
// sim::Options::buggify_activation (default 0.25), decided from the seed and
// the site's name alone, so a site's fate does not depend on which sites ran
// first. An active site is true at each evaluation with probability
// Options::buggify_firing (default 0.25), drawn from its own stream
// (Stream::kBuggify) in the order of evaluations, so buggify perturbs neither
// the scheduler's, the network's nor the user's random numbers.
// Options::buggify = false turns every site off.
//
// Every time a site is true, the trace records a `buggify` event naming the
// site ("sim/foo.cc:42", the path as the compiler was given it) and which
// evaluation of that site it was; a replay driven by the trace
// (sim/decisions.h) makes exactly those evaluations true, whatever the seed
// would draw.
//
// Thread-safety: the state belongs to the simulation's thread; elsewhere the
// macro is false.
#ifndef EVENTLET_SIM_BUGGIFY_H_
#define EVENTLET_SIM_BUGGIFY_H_

#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <utility>

#include "sim/random.h"

#define EVENTLET_BUGGIFY (::eventlet::sim::buggify(__FILE__, __LINE__))

namespace eventlet::sim {

// A buggify site and the number of its evaluation (1-based) that was true.
using BuggifyFire = std::pair<std::string, std::uint64_t>;

// The per-run state behind EVENTLET_BUGGIFY; sim::run makes one (the user
// does not).
class BuggifyState {
 public:
  // `fired(site, call)` is called for every true evaluation (may be null).
  // `scripted`: if not null, exactly these evaluations are true (a driven
  // run; not owned, must outlive the state); else the seed decides.
  BuggifyState(
      std::uint64_t seed, double activation, double firing,
      const std::set<BuggifyFire>* scripted,
      std::function<void(const std::string& site, std::uint64_t call)> fired);
  bool evaluate(const char* file, int line);
  // FNV-1a over the true evaluations (site, call), in order: a part of the
  // run's schedule hash.
  std::uint64_t hash() const { return hash_; }

  // The running simulation's state (null outside one); set by sim::run.
  static inline thread_local BuggifyState* current = nullptr;

 private:
  struct Site {
    std::string name;  // "file:line"
    bool active = false;
    std::uint64_t calls = 0;
  };
  std::uint64_t seed_;
  double activation_;
  double firing_;
  const std::set<BuggifyFire>* scripted_;
  std::function<void(const std::string&, std::uint64_t)> fired_;
  Rng rng_;
  // By the site's file pointer and line (a site's __FILE__ is one literal).
  std::map<std::pair<const char*, int>, Site> sites_;
  std::uint64_t hash_;
};

// What EVENTLET_BUGGIFY expands to.
inline bool buggify(const char* file, int line) {
  BuggifyState* state = BuggifyState::current;
  return state != nullptr && state->evaluate(file, line);
}

}  // namespace eventlet::sim

#endif  // EVENTLET_SIM_BUGGIFY_H_
