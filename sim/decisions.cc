// Copyright 2026 The eventlet-cpp Authors.
#include "sim/decisions.h"

#include <algorithm>
#include <string>

#include "hub/greenlet.h"
#include "nlohmann/json.hpp"

namespace eventlet::sim {

std::size_t Decisions::preemptions() const {
  return static_cast<std::size_t>(
      std::count_if(chooses.begin(), chooses.end(),
                    [](const ChooseDecision& c) { return c.preempts(); }));
}

Decisions decisions_from_trace(const ParsedTrace& trace) {
  Decisions d;
  d.scheduler = trace.header.strategy != "fifo";
  for (std::size_t i = 1; i < trace.lines.size(); ++i) {
    const std::string& line = trace.lines[i];
    // Cheap filter first: most lines are not decisions.
    const bool choose = line.find("\"kind\":\"choose\"") != std::string::npos;
    const bool send = line.find("\"kind\":\"net_send\"") != std::string::npos;
    const bool drop = line.find("\"kind\":\"net_drop\"") != std::string::npos;
    const bool fault =
        line.find("\"kind\":\"net_reset\"") != std::string::npos ||
        line.find("\"kind\":\"net_duplicate\"") != std::string::npos ||
        line.find("\"kind\":\"net_reorder\"") != std::string::npos ||
        line.find("\"kind\":\"buggify\"") != std::string::npos;
    if (!choose && !send && !drop && !fault) continue;
    const nlohmann::json j = nlohmann::json::parse(line, nullptr, false);
    if (!j.is_object()) continue;  // parse_trace validated it already
    const std::string kind = j.value("kind", "");
    if (choose) {
      ChooseDecision c;
      c.set = j.at("set").get<std::vector<std::int64_t>>();
      c.order = j.at("order").get<std::vector<std::int64_t>>();
      d.chooses.push_back(std::move(c));
    } else if (send && j.contains("jitter")) {
      d.jitters[j.at("packet").get<std::uint64_t>()] =
          j.at("jitter").get<std::int64_t>();
    } else if (drop && j.value("reason", "") == "loss") {
      d.losses.insert(j.at("packet").get<std::uint64_t>());
    } else if (kind == "net_reset" && j.value("reason", "") == "chance" &&
               j.contains("packet")) {
      d.resets.insert(j.at("packet").get<std::uint64_t>());
    } else if (kind == "net_duplicate") {
      d.duplicates.insert(j.at("of").get<std::uint64_t>());
    } else if (kind == "buggify") {
      d.buggify.emplace(j.at("site").get<std::string>(),
                        j.at("call").get<std::uint64_t>());
    } else if (kind == "net_reorder") {
      d.reorders[j.at("packet").get<std::uint64_t>()] =
          j.at("delay").get<std::int64_t>();
    }
  }
  return d;
}

std::size_t ScriptedTieBreaker::pick(
    std::span<const Greenlet* const> candidates) {
  if (!in_pass_) {
    in_pass_ = true;
    current_ = next_ < decisions_.chooses.size() ? &decisions_.chooses[next_]
                                                 : nullptr;
    ++next_;
    used_.assign(current_ != nullptr ? current_->order.size() : 0, false);
  }
  // The pass's last pick is the one between two candidates.
  if (candidates.size() <= 2) in_pass_ = false;
  if (current_ == nullptr) return 0;
  for (std::size_t i = 0; i < current_->order.size(); ++i) {
    if (used_[i]) continue;
    for (std::size_t c = 0; c < candidates.size(); ++c) {
      if (candidates[c]->id() == current_->order[i]) {
        used_[i] = true;
        return c;
      }
    }
  }
  return 0;
}

bool ScriptedDraws::lose(std::uint64_t packet, double /*loss*/) {
  return decisions_.losses.count(packet) != 0;
}

std::int64_t ScriptedDraws::jitter(std::uint64_t packet,
                                   std::int64_t max_jitter) {
  auto it = decisions_.jitters.find(packet);
  if (it == decisions_.jitters.end()) return 0;
  return std::clamp<std::int64_t>(it->second, 0, max_jitter);
}

bool ScriptedDraws::reset(std::uint64_t packet, double /*p*/) {
  return decisions_.resets.count(packet) != 0;
}

bool ScriptedDraws::duplicate(std::uint64_t packet, double /*p*/) {
  return decisions_.duplicates.count(packet) != 0;
}

std::int64_t ScriptedDraws::reorder(std::uint64_t packet, double /*p*/,
                                    std::int64_t max_delay) {
  auto it = decisions_.reorders.find(packet);
  if (it == decisions_.reorders.end()) return 0;
  return std::clamp<std::int64_t>(it->second, 0, max_delay);
}

}  // namespace eventlet::sim
