// Copyright 2026 The eventlet-cpp Authors.
#include "sim/shrink.h"

#include <algorithm>
#include <optional>
#include <utility>
#include <vector>

#include "sim/decisions.h"
#include "sim/replay.h"

namespace eventlet::sim {
namespace {

// Runs candidates against the failure to keep, counting runs.
class Searcher {
 public:
  Searcher(absl::FunctionRef<void()> fn, Options base, TraceOutcome target,
           int max_runs)
      : fn_(fn),
        base_(std::move(base)),
        target_(std::move(target)),
        max_runs_(max_runs) {}

  // The candidate's event count if it fails the same way; nullopt if it
  // does not (or the budget is spent: exhausted() says so).
  std::optional<std::uint64_t> fails_same_way(const Decisions& d) {
    if (runs_ >= max_runs_) {
      exhausted_ = true;
      return std::nullopt;
    }
    ++runs_;
    Options o = base_;
    o.decisions = &d;
    o.count_events = true;
    const Result r = run(o, fn_);
    if (r.traced_outcome != target_) return std::nullopt;
    return r.events;
  }

  // The candidate's run, traced in memory.
  Result traced(const Decisions& d) {
    ++runs_;
    Options o = base_;
    o.decisions = &d;
    o.trace_in_memory = true;
    return run(o, fn_);
  }

  int runs() const { return runs_; }
  bool exhausted() const { return exhausted_; }

 private:
  absl::FunctionRef<void()> fn_;
  Options base_;
  TraceOutcome target_;
  int max_runs_;
  int runs_ = 0;
  bool exhausted_ = false;
};

// `all` with every preemption not in `keep` turned to FIFO.
Decisions keeping(const Decisions& all, const std::vector<std::size_t>& keep) {
  Decisions d = all;
  for (std::size_t i = 0; i < d.chooses.size(); ++i) {
    if (d.chooses[i].preempts() &&
        std::find(keep.begin(), keep.end(), i) == keep.end()) {
      d.chooses[i].order.clear();
    }
  }
  return d;
}

// ddmin over the preemptive decisions of `all`; returns the kept indices.
std::vector<std::size_t> fewest_preemptions(Searcher& s, const Decisions& all,
                                            std::uint64_t* events) {
  std::vector<std::size_t> keep;
  for (std::size_t i = 0; i < all.chooses.size(); ++i) {
    if (all.chooses[i].preempts()) keep.push_back(i);
  }
  if (auto e = s.fails_same_way(keeping(all, {}))) {  // FIFO fails already
    *events = *e;
    return {};
  }
  std::size_t n = 2;
  while (keep.size() >= 2 && !s.exhausted()) {
    const std::size_t chunk = (keep.size() + n - 1) / n;
    std::vector<std::vector<std::size_t>> parts;
    for (std::size_t at = 0; at < keep.size(); at += chunk) {
      parts.emplace_back(keep.begin() + static_cast<std::ptrdiff_t>(at),
                         keep.begin() + static_cast<std::ptrdiff_t>(
                                            std::min(at + chunk, keep.size())));
    }
    bool reduced = false;
    for (const auto& part : parts) {  // a part alone
      if (auto e = s.fails_same_way(keeping(all, part))) {
        keep = part;
        *events = *e;
        n = 2;
        reduced = true;
        break;
      }
    }
    if (!reduced && parts.size() > 2) {
      for (const auto& part : parts) {  // everything but a part
        std::vector<std::size_t> rest;
        for (std::size_t i : keep) {
          if (std::find(part.begin(), part.end(), i) == part.end()) {
            rest.push_back(i);
          }
        }
        if (auto e = s.fails_same_way(keeping(all, rest))) {
          keep = std::move(rest);
          *events = *e;
          n = std::max<std::size_t>(n - 1, 2);
          reduced = true;
          break;
        }
      }
    }
    if (!reduced) {
      if (n >= keep.size()) break;
      n = std::min(n * 2, keep.size());
    }
  }
  return keep;
}

// The chooses a driven run actually made (its trace's decisions).
std::vector<ChooseDecision> chooses_of(const Result& r) {
  ParsedTrace parsed;
  TraceError error;
  if (!parse_trace(r.trace, &parsed, &error)) return {};
  return decisions_from_trace(parsed).chooses;
}

// Step 3: moves preemptions to where they give a shorter failing run.
Decisions fewest_events(Searcher& s, Decisions best, std::uint64_t* events) {
  bool improved = true;
  while (improved && !s.exhausted()) {
    improved = false;
    const std::vector<ChooseDecision> made = chooses_of(s.traced(best));
    for (std::size_t p = 0; p < best.chooses.size() && !improved; ++p) {
      if (!best.chooses[p].preempts()) continue;
      for (std::size_t j = 0; j < made.size() && !improved; ++j) {
        const std::vector<std::int64_t>& set = made[j].set;
        for (std::size_t m = 1; m < set.size() && !improved; ++m) {
          Decisions candidate = best;
          candidate.chooses[p].order.clear();
          if (candidate.chooses.size() <= j) candidate.chooses.resize(j + 1);
          ChooseDecision& c = candidate.chooses[j];
          c.set = set;
          c.order = set;
          std::rotate(c.order.begin(),
                      c.order.begin() + static_cast<std::ptrdiff_t>(m),
                      c.order.begin() + static_cast<std::ptrdiff_t>(m) + 1);
          if (candidate.preemptions() > best.preemptions()) continue;
          if (auto e = s.fails_same_way(candidate); e && *e < *events) {
            best = std::move(candidate);
            *events = *e;
            improved = true;
          }
          if (s.exhausted()) return best;
        }
      }
    }
  }
  return best;
}

}  // namespace

ShrinkResult shrink(std::string_view trace, absl::FunctionRef<void()> fn,
                    const ShrinkOptions& options) {
  ShrinkResult out;
  ParsedTrace parsed;
  TraceError error;
  Options base;
  if (!prepare_driven_run(trace, options.limits, &parsed, &base, &error)) {
    out.message = "rejected: " + error.to_string();
    return out;
  }
  if (!parsed.complete) {
    out.message =
        "rejected: the trace has no outcome event (cut short?): "
        "there is no failure to keep";
    return out;
  }
  out.outcome = trace_outcome(parsed);
  out.events_before = parsed.lines.size() - 1;
  const Decisions recorded = decisions_from_trace(parsed);
  out.preemptions_before = recorded.preemptions();
  if (out.outcome.result == "ok") {
    out.message =
        "the recorded run did not fail (outcome ok): nothing to "
        "shrink";
    return out;
  }
  Searcher searcher(fn, base, out.outcome, options.max_runs);
  std::uint64_t events = 0;
  if (auto e = searcher.fails_same_way(recorded)) {
    events = *e;
  } else {
    out.runs = searcher.runs();
    out.message = "the trace's decisions do not reproduce its outcome (" +
                  out.outcome.to_string() +
                  "): replay it to see where the program diverges";
    return out;
  }
  const std::vector<std::size_t> keep =
      fewest_preemptions(searcher, recorded, &events);
  const Decisions best =
      fewest_events(searcher, keeping(recorded, keep), &events);
  const Result final_run = searcher.traced(best);
  out.runs = searcher.runs();
  out.exhausted = searcher.exhausted();
  if (final_run.traced_outcome != out.outcome) {  // cannot happen: determinism
    out.message =
        "the minimal schedule did not fail the same way when run "
        "again traced (got " +
        final_run.traced_outcome.to_string() + ")";
    return out;
  }
  ParsedTrace minimal;
  if (!parse_trace(final_run.trace, &minimal, &error)) {
    out.message = "the minimal trace is invalid: " + error.to_string();
    return out;
  }
  out.ok = true;
  out.trace = final_run.trace;
  out.events_after = minimal.lines.size() - 1;
  out.preemptions_after = decisions_from_trace(minimal).preemptions();
  out.message =
      "shrunk " + std::to_string(out.preemptions_before) + " preemptions to " +
      std::to_string(out.preemptions_after) + " and " +
      std::to_string(out.events_before) + " events to " +
      std::to_string(out.events_after) + " in " + std::to_string(out.runs) +
      " runs" +
      (out.exhausted ? " (run budget spent: may not be minimal)" : "") +
      "; it still fails: " + out.outcome.to_string();
  return out;
}

}  // namespace eventlet::sim
