// Copyright 2026 The eventlet-cpp Authors.
#include "sim/timeline.h"

#include <algorithm>
#include <map>
#include <set>
#include <string_view>
#include <unordered_map>
#include <utility>

#include "nlohmann/json.hpp"
#include "sim/event_fields.h"
#include "sim/timeline_assets.h"

namespace eventlet::sim {
namespace {

using Lane = TimelineLayout::Lane;

bool starts_with(const std::string& s, std::string_view prefix) {
  return s.rfind(prefix, 0) == 0;
}

bool is_timer_kind(const std::string& kind) {
  return starts_with(kind, "timer_");
}

bool is_io_kind(const std::string& kind) {
  return starts_with(kind, "listen_") || kind == "poll" ||
         kind == "poll_done" || starts_with(kind, "net_");
}

bool is_host_kind(const std::string& kind) {
  return kind == "host_start" || kind == "host_crash" || kind == "host_restart";
}

// The hub's phase events (prepare_timers, pass and choose go on the hub's
// lane even when a greenthread chaining the next pass records them).
bool is_hub_kind(const std::string& kind) {
  return kind == "prepare_timers" || kind == "pass" || kind == "choose" ||
         kind == "stall";
}

// Everything after the first line.
std::string body_after_first_line(const std::string& s) {
  const auto nl = s.find('\n');
  return nl == std::string::npos ? std::string() : s.substr(nl + 1);
}

// "timers at #13 (t=0.000000): 1 queued; ..." -> "timers: 1 queued; ..."
std::string without_position(const std::string& s, const std::string& name) {
  const auto colon = s.find("): ");
  const auto nl = s.find('\n');
  if (colon == std::string::npos || (nl != std::string::npos && colon > nl)) {
    const auto c2 = s.find(": ");
    if (c2 == std::string::npos) return s;
    return name + s.substr(c2);
  }
  return name + ": " + s.substr(colon + 3);
}

// JSON for a <script> element: no "</script>", no "<!--".
std::string script_safe(const std::string& json) {
  std::string out;
  out.reserve(json.size() + json.size() / 64);
  for (char c : json) {
    if (c == '<') {
      out += "\\u003c";
    } else if (c == '>') {
      out += "\\u003e";
    } else if (c == '&') {
      out += "\\u0026";
    } else {
      out += c;
    }
  }
  return out;
}

std::string html_escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '&':
        out += "&amp;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

// `page` with each {{name}} replaced by values.at(name), in one pass (a
// value is never scanned for placeholders).
std::string fill_template(std::string_view page,
                          const std::map<std::string, std::string>& values) {
  std::string out;
  std::size_t at = 0;
  while (true) {
    const auto open = page.find("{{", at);
    const auto close =
        open == std::string_view::npos ? open : page.find("}}", open);
    if (close == std::string_view::npos) break;
    out.append(page.substr(at, open - at));
    out += values.at(std::string(page.substr(open + 2, close - open - 2)));
    at = close + 2;
  }
  out.append(page.substr(at));
  return out;
}

// Lines of state views (events x (greenthreads + timers)) a page may embed.
constexpr std::size_t kStateLineBudget = 150'000;

}  // namespace

TimelineLayout timeline_layout(const StepTrace& trace) {
  TimelineLayout layout;
  const auto& events = trace.events;
  std::set<std::int64_t> gts = {kHubGt, 0};
  bool has_io = false;
  bool has_hosts = false;
  std::map<std::int64_t, std::string> created;
  // The simulated host of each greenthread: named by host_start and
  // host_restart, inherited at spawn.
  std::map<std::int64_t, std::string> host_of;
  for (const StepEvent& e : events) {
    gts.insert(e.gt);
    if (e.kind == "switch") gts.insert(e.from);
    if (is_io_kind(e.kind)) has_io = true;
    if (is_host_kind(e.kind)) has_hosts = true;
    if (e.kind == "spawn" && !created.count(e.gt)) {
      created[e.gt] =
          "spawned by " + gt_name(e.by) + " at #" + std::to_string(e.seq);
      if (auto it = host_of.find(e.by); it != host_of.end()) {
        host_of[e.gt] = it->second;
      }
    }
    if (e.kind == "host_start" || e.kind == "host_restart") {
      host_of[e.start] = e.host;
    }
  }
  std::map<std::int64_t, int> lane_of;
  for (std::int64_t g : gts) {
    Lane l;
    l.gt = g;
    l.label = g == kHubGt ? "hub" : g == 0 ? "main (0)" : "gt " + gt_name(g);
    if (g == kHubGt) {
      l.sub = "loop: pass, poll";
    } else if (created.count(g)) {
      l.sub = created[g];
    }
    if (auto it = host_of.find(g); it != host_of.end()) {
      l.sub += (l.sub.empty() ? "on " : ", on ") + it->second;
    }
    lane_of[g] = static_cast<int>(layout.lanes.size());
    layout.lanes.push_back(std::move(l));
  }

  // Timer spans, then rows: first fit in order of start.
  std::unordered_map<std::uint64_t, std::size_t> open;  // timer -> span
  for (std::size_t i = 0; i < events.size(); ++i) {
    const StepEvent& e = events[i];
    if (!is_timer_kind(e.kind)) continue;
    auto it = open.find(e.timer);
    if (it == open.end()) {
      it = open.emplace(e.timer, layout.timers.size()).first;
      layout.timers.push_back({e.timer, i, i, 0, false});
    }
    layout.timers[it->second].end = i;
    if (e.kind == "timer_fire" || e.kind == "timer_cancel") {
      layout.timers[it->second].cancelled = e.kind == "timer_cancel";
      open.erase(it);
    }
  }
  for (const auto& [timer, span] : open) {
    layout.timers[span].end = events.empty() ? 0 : events.size() - 1;
  }
  const int first_timer_lane = static_cast<int>(layout.lanes.size());
  std::vector<std::size_t> row_end;  // per row: the last span's end
  for (TimelineLayout::TimerSpan& span : layout.timers) {
    std::size_t row = 0;
    while (row < row_end.size() && row_end[row] >= span.start) ++row;
    if (row == row_end.size()) {
      row_end.push_back(span.end);
      Lane l;
      l.kind = Lane::Kind::kTimers;
      l.row = static_cast<int>(row);
      l.label = row == 0 ? "timers" : "timers " + std::to_string(row + 1);
      l.sub = row == 0 ? "add, fire, cancel" : "";
      layout.lanes.push_back(std::move(l));
    }
    row_end[row] = span.end;
    span.lane = first_timer_lane + static_cast<int>(row);
  }
  int io_lane = -1;
  if (has_io) {
    io_lane = static_cast<int>(layout.lanes.size());
    Lane l;
    l.kind = Lane::Kind::kIo;
    l.label = "I/O (network)";
    l.sub = "fds, polls, packets";
    layout.lanes.push_back(std::move(l));
  }

  int hosts_lane = -1;
  if (has_hosts) {
    hosts_lane = static_cast<int>(layout.lanes.size());
    Lane l;
    l.kind = Lane::Kind::kHosts;
    l.label = "hosts";
    l.sub = "start, crash, restart";
    layout.lanes.push_back(std::move(l));
  }

  std::unordered_map<std::uint64_t, int> timer_lane;  // live spans only
  std::size_t next_span = 0;
  layout.event_lane.reserve(events.size());
  for (std::size_t i = 0; i < events.size(); ++i) {
    const StepEvent& e = events[i];
    int lane = lane_of[e.gt];
    if (is_timer_kind(e.kind)) {
      while (next_span < layout.timers.size() &&
             layout.timers[next_span].start <= i) {
        timer_lane[layout.timers[next_span].timer] =
            layout.timers[next_span].lane;
        ++next_span;
      }
      lane = timer_lane[e.timer];
    } else if (is_io_kind(e.kind)) {
      lane = io_lane;  // packets too: a delivery's cause is its send
    } else if (is_host_kind(e.kind)) {
      lane = hosts_lane;
    } else if (is_hub_kind(e.kind)) {
      lane = lane_of[kHubGt];
    }
    layout.event_lane.push_back(lane);
  }
  return layout;
}

std::string timeline_html(const StepTrace& trace, const std::string& title) {
  using nlohmann::json;
  const TimelineLayout layout = timeline_layout(trace);
  const auto& events = trace.events;

  json lanes = json::array();
  for (const Lane& l : layout.lanes) {
    json j = {{"label", l.label}, {"sub", l.sub}};
    if (l.kind == Lane::Kind::kGreenthread) j["gt"] = l.gt;
    if (l.kind == Lane::Kind::kTimers) j["group"] = "timers";
    if (l.kind == Lane::Kind::kIo) j["group"] = "io";
    if (l.kind == Lane::Kind::kHosts) j["group"] = "hosts";
    lanes.push_back(std::move(j));
  }
  json timers = json::array();
  for (const auto& s : layout.timers) {
    timers.push_back({s.start, s.end, s.lane, s.cancelled ? 1 : 0});
  }

  // Small tables the rows point into: kinds, phases, banners and states
  // (consecutive events often share the last two).
  std::vector<std::string> kinds, phases, banners, states;
  std::unordered_map<std::string, int> kind_ids, phase_ids, banner_ids,
      state_ids;
  auto intern = [](std::vector<std::string>& table,
                   std::unordered_map<std::string, int>& ids,
                   const std::string& s) {
    auto [it, added] = ids.emplace(s, static_cast<int>(table.size()));
    if (added) table.push_back(s);
    return it->second;
  };
  Stepper stepper(trace);
  auto state_text = [&]() {
    std::string s =
        "greenthreads:\n" + body_after_first_line(stepper.gts_view());
    s += "\n" + without_position(stepper.timers_view(), "timers");
    s += "\n" + without_position(stepper.listeners_view(), "listeners");
    return s;
  };
  // The state views cost about (greenthreads + timers) lines per event: past
  // a budget the page leaves them out and says so (the stepper shows them).
  std::size_t max_gts = 0, max_timers = 0, live_timers = 0;
  for (const Lane& l : layout.lanes) {
    if (l.kind == Lane::Kind::kGreenthread) ++max_gts;
  }
  for (const StepEvent& e : events) {
    if (e.kind == "timer_add") max_timers = std::max(max_timers, ++live_timers);
    if ((e.kind == "timer_fire" || e.kind == "timer_cancel") && live_timers) {
      --live_timers;
    }
  }
  const bool with_state =
      events.size() * (max_gts + max_timers + 4) <= kStateLineBudget;
  if (with_state) {
    intern(states, state_ids, state_text());  // position 0
  } else {
    states.push_back(
        "(the hub state is left out of pages for traces this large:\n " +
        std::to_string(events.size()) + " events, up to " +
        std::to_string(max_gts) +
        " greenthreads. Step through it with\n"
        " ./bazelw run //sim:step -- TRACE\n"
        " whose gts, timers and listeners commands show it at any event.)");
  }
  int sw = 0, tw = 0;
  for (const StepEvent& e : events) {
    sw = std::max<int>(sw, 1 + static_cast<int>(std::to_string(e.seq).size()));
    tw = std::max<int>(tw, 2 + static_cast<int>(format_time(e.t).size()));
  }
  // One row per event:
  // [t, gt, kind, lane, cause, phase, banner, state, words, fields?]
  // (the script writes the stepper's --print line from t, gt, kind, cause
  // and the words, with columns sw and tw wide).
  json rows = json::array();
  for (std::size_t i = 0; i < events.size(); ++i) {
    const StepEvent& e = events[i];
    stepper.go_to(e.seq);
    json row = {e.t,
                e.gt,
                intern(kinds, kind_ids, e.kind),
                layout.event_lane[i],
                e.cause,
                intern(phases, phase_ids, phase_name(stepper.state().phase)),
                intern(banners, banner_ids, stepper.banner()),
                with_state ? intern(states, state_ids, state_text()) : 0,
                printable(describe_event(e), std::string::npos)};
    json fields = event_own_fields(e);
    if (!fields.empty()) row.push_back(std::move(fields));
    rows.push_back(std::move(row));
  }
  json data;
  data["title"] = title;
  data["header"] = format_header_line(trace);
  data["sw"] = sw;
  data["tw"] = tw;
  data["lanes"] = std::move(lanes);
  data["timers"] = std::move(timers);
  data["kinds"] = kinds;
  data["phases"] = phases;
  data["banners"] = banners;
  data["states"] = states;
  data["with_state"] = with_state;
  data["ev"] = std::move(rows);

  return fill_template(timeline_assets::kPageHtml,
                       {{"title", html_escape(title)},
                        {"header", html_escape(format_header_line(trace))},
                        {"css", timeline_assets::kTimelineCss},
                        {"js", timeline_assets::kTimelineJs},
                        {"data", script_safe(data.dump())}});
}

}  // namespace eventlet::sim
