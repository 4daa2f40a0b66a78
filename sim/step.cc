// Copyright 2026 The eventlet-cpp Authors.
#include "sim/step.h"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <limits>
#include <set>
#include <sstream>

#include "nlohmann/json.hpp"

namespace eventlet::sim {
namespace {

constexpr std::int64_t kNever = std::numeric_limits<std::int64_t>::max() - 1;

std::string ev_word(const std::string& ev) {
  return ev == "w" ? "write" : "read";
}

std::string ids(const std::vector<std::int64_t>& v) {
  std::string s = "[";
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (i) s += ' ';
    s += gt_name(v[i]);
  }
  return s + "]";
}

std::string pad(std::string s, std::size_t width) {
  if (s.size() < width) s.append(width - s.size(), ' ');
  return s;
}

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return "";
  const auto e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

bool parse_int(const std::string& s, std::int64_t* out) {
  if (s.empty()) return false;
  std::size_t i = 0;
  bool neg = false;
  if (s[0] == '-') {
    neg = true;
    i = 1;
  }
  if (i == s.size()) return false;
  std::int64_t v = 0;
  for (; i < s.size(); ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    if (v > (std::numeric_limits<std::int64_t>::max() - 9) / 10) return false;
    v = v * 10 + (s[i] - '0');
  }
  *out = neg ? -v : v;
  return true;
}

// "hub" or a number.
bool parse_gt(const std::string& s, std::int64_t* out) {
  if (s == "hub") {
    *out = kHubGt;
    return true;
  }
  if (s == "main") {
    *out = 0;
    return true;
  }
  return parse_int(s, out);
}

// Seconds ("0.005", "5ms", "5us", "5ns", "2s") to ns.
bool parse_seconds(const std::string& s, std::int64_t* out) {
  std::string num = s;
  double scale = 1e9;
  auto ends = [&](const char* suffix) {
    const std::string x(suffix);
    if (num.size() > x.size() &&
        num.compare(num.size() - x.size(), x.size(), x) == 0) {
      num.resize(num.size() - x.size());
      return true;
    }
    return false;
  };
  if (ends("ms")) {
    scale = 1e6;
  } else if (ends("us")) {
    scale = 1e3;
  } else if (ends("ns")) {
    scale = 1;
  } else if (ends("s")) {
    scale = 1e9;
  }
  if (num.empty()) return false;
  char* end = nullptr;
  const double v = std::strtod(num.c_str(), &end);
  if (end == nullptr || *end != '\0' || !(v >= 0) || v > 9e9) return false;
  *out = static_cast<std::int64_t>(v * scale + 0.5);
  return true;
}

std::vector<std::string> split_words(const std::string& line) {
  std::vector<std::string> words;
  std::istringstream in(line);
  std::string w;
  while (in >> w) words.push_back(w);
  return words;
}

}  // namespace

// ---- Loading
// -------------------------------------------------------------------

bool load_step_trace(const ParsedTrace& parsed, StepTrace* out,
                     TraceError* error) {
  out->header = parsed.header;
  out->events.clear();
  out->events.reserve(parsed.lines.empty() ? 0 : parsed.lines.size() - 1);
  for (std::size_t i = 1; i < parsed.lines.size(); ++i) {
    const std::string& line = parsed.lines[i];
    nlohmann::json j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_discarded() || !j.is_object()) {
      *error = {i + 1, "not a JSON object"};
      return false;
    }
    try {
      StepEvent e;
      e.line = line;
      e.seq = j.at("seq").get<std::uint64_t>();
      e.t = j.at("t").get<std::int64_t>();
      e.gt = j.at("gt").get<std::int64_t>();
      e.kind = j.at("kind").get<std::string>();
      if (j.contains("cause")) e.cause = j["cause"].get<std::uint64_t>();
      if (j.contains("by")) e.by = j["by"].get<std::int64_t>();
      if (j.contains("from")) e.from = j["from"].get<std::int64_t>();
      if (j.contains("on")) e.on = j["on"].get<std::string>();
      if (j.contains("obj")) e.obj = j["obj"].get<std::uint64_t>();
      if (j.contains("wakes")) {
        e.wakes = j["wakes"].get<std::vector<std::int64_t>>();
      }
      if (j.contains("timers")) {
        e.timers = j["timers"].get<std::vector<std::int64_t>>();
      }
      if (j.contains("where")) e.where = j["where"].get<std::string>();
      if (j.contains("what")) e.what = j["what"].get<std::string>();
      if (j.contains("timer")) e.timer = j["timer"].get<std::uint64_t>();
      if (j.contains("deadline")) {
        e.deadline = j["deadline"].get<std::int64_t>();
        e.has_deadline = true;
      }
      if (j.contains("action")) e.action = j["action"].get<std::string>();
      if (j.contains("target")) {
        e.target = j["target"].get<std::int64_t>();
        e.has_target = true;
      }
      if (j.contains("fd")) e.fd = j["fd"].get<std::int64_t>();
      if (j.contains("ev")) e.ev = j["ev"].get<std::string>();
      if (j.contains("ready")) e.ready = j["ready"].get<std::int64_t>();
      if (j.contains("set")) e.set = j["set"].get<std::vector<std::int64_t>>();
      if (j.contains("order")) {
        e.order = j["order"].get<std::vector<std::int64_t>>();
      }
      if (j.contains("why")) e.why = j["why"].get<std::string>();
      if (j.contains("packet")) e.packet = j["packet"].get<std::uint64_t>();
      if (j.contains("src")) e.src = j["src"].get<std::string>();
      if (j.contains("dst")) e.dst = j["dst"].get<std::string>();
      if (j.contains("bytes")) e.bytes = j["bytes"].get<std::int64_t>();
      if (j.contains("at")) {
        e.at = j["at"].get<std::int64_t>();
        e.has_at = true;
      }
      if (j.contains("jitter")) e.jitter = j["jitter"].get<std::int64_t>();
      if (j.contains("reason")) e.reason = j["reason"].get<std::string>();
      if (j.contains("result")) e.result = j["result"].get<std::string>();
      if (j.contains("message")) e.message = j["message"].get<std::string>();
      if (e.seq != out->events.size() + 1) {
        *error = {i + 1, "seq out of order"};
        return false;
      }
      out->events.push_back(std::move(e));
    } catch (const std::exception& ex) {
      *error = {i + 1, std::string("bad field: ") + ex.what()};
      return false;
    }
  }
  return true;
}

bool load_step_trace_file(const std::string& path, StepTrace* out,
                          TraceError* error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    *error = {0, "cannot open " + path};
    return false;
  }
  std::stringstream buf;
  buf << in.rdbuf();
  ParsedTrace parsed;
  if (!parse_trace(buf.str(), &parsed, error)) return false;
  return load_step_trace(parsed, out, error);
}

// ---- The text view
// -------------------------------------------------------------

std::string gt_name(std::int64_t gt) {
  return gt == kHubGt ? "hub" : std::to_string(gt);
}

std::string format_time(std::int64_t ns) {
  if (ns >= kNever) return "never";
  const bool neg = ns < 0;
  const std::uint64_t a =
      neg ? 0 - static_cast<std::uint64_t>(ns) : static_cast<std::uint64_t>(ns);
  char buf[48];
  if (a % 1000 == 0) {
    std::snprintf(buf, sizeof buf, "%s%llu.%06llu", neg ? "-" : "",
                  static_cast<unsigned long long>(a / 1000000000),
                  static_cast<unsigned long long>((a % 1000000000) / 1000));
  } else {
    std::snprintf(buf, sizeof buf, "%s%llu.%09llu", neg ? "-" : "",
                  static_cast<unsigned long long>(a / 1000000000),
                  static_cast<unsigned long long>(a % 1000000000));
  }
  return buf;
}

std::string describe_event(const StepEvent& e) {
  const std::string& k = e.kind;
  if (k == "spawn") return "spawned by " + gt_name(e.by);
  if (k == "switch") return gt_name(e.from) + " -> " + gt_name(e.gt);
  if (k == "block") {
    return "waits on " + e.on +
           (e.obj != 0 ? " (obj " + std::to_string(e.obj) + ")" : "");
  }
  if (k == "ready") {
    return "queued to run by " + gt_name(e.by) + ", timer " +
           std::to_string(e.timer);
  }
  if (k == "event_send" || k == "queue_put" || k == "queue_get" ||
      k == "queue_task_done" || k == "sem_release") {
    return std::string(k == "event_send"    ? "Event "
                       : k == "sem_release" ? "Semaphore "
                                            : "Queue ") +
           std::to_string(e.obj) + " wakes " + ids(e.wakes);
  }
  if (k == "prepare_timers") return "timers " + ids(e.timers) + " -> heap";
  if (k == "exit") return "finished";
  if (k == "exception") return e.where + ": " + e.what;
  if (k == "timer_add") {
    std::string s = "timer " + std::to_string(e.timer) +
                    " due t=" + format_time(e.deadline);
    s += ", " + e.action;
    if (e.has_target) s += " " + gt_name(e.target);
    return s;
  }
  if (k == "timer_fire" || k == "timer_cancel") {
    return "timer " + std::to_string(e.timer);
  }
  if (k == "listen_add" || k == "listen_fire" || k == "listen_remove") {
    return "fd " + std::to_string(e.fd) + " " + ev_word(e.ev);
  }
  if (k == "net_send" || k == "net_deliver" || k == "net_drop") {
    std::string s =
        e.what + " " + std::to_string(e.bytes) + " B " + e.src + " -> " + e.dst;
    if (k == "net_send" && e.has_at) s += ", arrives t=" + format_time(e.at);
    if (k == "net_send" && e.jitter > 0) {
      s += " (jitter " + format_time(e.jitter) + ")";
    }
    if (k == "net_drop" && !e.reason.empty()) s += " (" + e.reason + ")";
    return s;
  }
  if (k == "pass") return "timer pass begins";
  if (k == "poll") {
    return e.has_deadline ? "until t=" + format_time(e.deadline)
                          : "no deadline";
  }
  if (k == "poll_done") {
    return std::to_string(e.ready) +
           (e.ready == 1 ? " fd ready" : " fds ready");
  }
  if (k == "choose") return "set " + ids(e.set) + " order " + ids(e.order);
  if (k == "stall") return e.why;
  if (k == "outcome") {
    return e.message.empty() ? e.result : e.result + ": " + e.message;
  }
  return "";
}

std::string format_event_line(const StepEvent& e, int seq_width, int t_width) {
  std::string s =
      pad("#" + std::to_string(e.seq), static_cast<std::size_t>(seq_width));
  s += "  " + pad("t=" + format_time(e.t), static_cast<std::size_t>(t_width));
  s += "  " + pad("gt=" + gt_name(e.gt), 6);
  s += "  " + pad(e.kind, 13);
  // Strings come from the trace: no control bytes reach the terminal.
  std::string d = printable(describe_event(e), std::string::npos);
  if (e.cause != 0) {
    s += "  " + pad(d, 30) + "  (cause #" + std::to_string(e.cause) + ")";
  } else {
    s += "  " + d;
  }
  while (!s.empty() && s.back() == ' ') s.pop_back();
  return s;
}

std::string format_header_line(const StepTrace& trace) {
  std::set<std::int64_t> gts;
  gts.insert(0);
  for (const StepEvent& e : trace.events) {
    if (e.gt != kHubGt) gts.insert(e.gt);
  }
  const std::int64_t end = trace.events.empty() ? 0 : trace.events.back().t;
  std::string pct;
  if (trace.header.strategy == "pct") {
    pct = " (depth " + std::to_string(trace.header.pct_depth) + ", horizon " +
          std::to_string(trace.header.pct_horizon) + ")";
  }
  std::string s =
      "trace: " + std::string(kTraceFormat) + " v" +
      std::to_string(trace.header.version) + ", seed " +
      std::to_string(trace.header.seed) + ", strategy " +
      trace.header.strategy + pct + ", build " + trace.header.build + "; " +
      std::to_string(trace.events.size()) + " events, " +
      std::to_string(gts.size()) + " greenthreads (main + " +
      std::to_string(gts.size() - 1) + "), t=0.." + format_time(end);
  return s;
}

namespace {

void widths(const StepTrace& trace, int* seq_width, int* t_width) {
  *seq_width = 2;
  *t_width = 0;
  for (const StepEvent& e : trace.events) {
    *seq_width = std::max<int>(
        *seq_width, 1 + static_cast<int>(std::to_string(e.seq).size()));
    *t_width =
        std::max<int>(*t_width, 2 + static_cast<int>(format_time(e.t).size()));
  }
}

}  // namespace

std::string print_trace(const StepTrace& trace) {
  int sw = 0, tw = 0;
  widths(trace, &sw, &tw);
  std::string out = format_header_line(trace) + "\n";
  for (const StepEvent& e : trace.events) {
    out += format_event_line(e, sw, tw) + "\n";
  }
  return out;
}

// ---- Reconstructed state
// -------------------------------------------------------

const char* phase_name(HubState::Phase p) {
  switch (p) {
    case HubState::Phase::kStart:
      return "start";
    case HubState::Phase::kPrepare:
      return "prepare timers";
    case HubState::Phase::kFireTimers:
      return "fire timers";
    case HubState::Phase::kPoll:
      return "poll";
    case HubState::Phase::kStall:
      return "stall";
  }
  return "?";
}

HubState::HubState() {
  Gt hub;
  hub.state = "idle";
  gts[kHubGt] = hub;
  Gt main;
  main.state = "running";
  gts[0] = main;
}

void HubState::apply(const StepEvent& e) {
  position = e.seq;
  t = e.t;
  bool opens = false;  // e opens a timer pass
  const std::string& k = e.kind;
  auto gt = [&](std::int64_t id) -> Gt& { return gts[id]; };
  if (k == "spawn") {
    Gt& g = gt(e.gt);
    g.state = "not started";
    g.since = e.seq;
    g.created_by = e.by;
    g.created_at = e.seq;
  } else if (k == "switch") {
    Gt& from = gt(e.from);
    if (from.state == "running") {
      from.state = e.from == kHubGt ? "idle" : "suspended";
      from.since = e.seq;
    }
    Gt& to = gt(e.gt);
    to.state = "running";
    to.waiting_on.clear();
    to.queued = false;
    to.woken_at = 0;
    to.woken_how.clear();
    to.since = e.seq;
    running = e.gt;
  } else if (k == "block") {
    Gt& g = gt(e.gt);
    g.state = "blocked";
    g.waiting_on = e.on;
    g.since = e.seq;
  } else if (k == "ready") {
    Gt& g = gt(e.gt);
    g.queued = true;
    g.queued_at = e.seq;
    g.queued_by = e.by;
  } else if (k == "exit") {
    Gt& g = gt(e.gt);
    g.state = "finished";
    g.waiting_on.clear();
    g.queued = false;
    g.since = e.seq;
  } else if (k == "prepare_timers") {
    for (std::int64_t id : e.timers) {
      auto it = timers.find(static_cast<std::uint64_t>(id));
      if (it != timers.end()) it->second.in_heap = true;
    }
    // After a poll (or at the start), or made by a greenthread that chains
    // the next pass itself (the direct hand-off), it opens the next pass;
    // the hub's after a pass's timers prepares the poll.
    opens = phase == Phase::kPoll || phase == Phase::kStart || e.gt != kHubGt;
    phase = Phase::kPrepare;
  } else if (k == "timer_add") {
    Timer tm;
    tm.deadline = e.deadline;
    tm.action = e.action;
    tm.target = e.target;
    tm.has_target = e.has_target;
    tm.added_at = e.seq;
    tm.added_by = e.gt;
    timers[e.timer] = tm;
    ++timers_added;
  } else if (k == "timer_fire") {
    auto it = timers.find(e.timer);
    if (it != timers.end() && it->second.has_target &&
        it->second.action != "callback") {
      Gt& g = gt(it->second.target);
      g.woken_at = e.seq;
      g.woken_how = "timer " + std::to_string(e.timer) + " fired";
    }
    timers.erase(e.timer);
    ++timers_fired;
  } else if (k == "timer_cancel") {
    timers.erase(e.timer);
    ++timers_cancelled;
  } else if (k == "listen_add") {
    Listener l;
    l.gt = e.gt;
    l.added_at = e.seq;
    listeners[{e.fd, e.ev}] = l;
    ++fds[{e.fd, e.ev}].adds;
  } else if (k == "listen_fire") {
    auto it = listeners.find({e.fd, e.ev});
    if (it != listeners.end()) it->second.fired_at = e.seq;
    Gt& g = gt(e.gt);
    g.woken_at = e.seq;
    g.woken_how = "fd " + std::to_string(e.fd) + " " + ev_word(e.ev) + " ready";
    ++fds[{e.fd, e.ev}].fires;
  } else if (k == "listen_remove") {
    listeners.erase({e.fd, e.ev});
    ++fds[{e.fd, e.ev}].removes;
  } else if (k == "net_send") {
    Packet p;
    p.what = e.what;
    p.src = e.src;
    p.dst = e.dst;
    p.bytes = e.bytes;
    p.at = e.at;
    p.has_at = e.has_at;
    p.sent_at = e.seq;
    p.sent_by = e.gt;
    packets[e.packet] = p;
    ++packets_sent;
  } else if (k == "net_deliver") {
    packets.erase(e.packet);
    ++packets_delivered;
  } else if (k == "net_drop") {
    packets.erase(e.packet);
    ++packets_dropped;
  } else if (k == "choose") {
    // A choose opens the pass whose wake-ups it orders (its `pass` event
    // comes next), unless its prepare_timers did: the banner names that
    // pass, not the one before.
    phase = Phase::kPrepare;
    opens = !pass_opened_by_last_event;
  } else if (k == "pass") {
    // The pass's prepare joined next_timers to the heap.
    for (auto& [id, tm] : timers) tm.in_heap = true;
    phase = Phase::kPrepare;
    opens = !pass_opened_by_last_event;
  } else if (k == "poll") {
    for (auto& [id, tm] : timers) tm.in_heap = true;
    phase = Phase::kPoll;
    ++polls;
    poll_seq = e.seq;
    poll_deadline = e.deadline;
    poll_has_deadline = e.has_deadline;
  } else if (k == "poll_done") {
    phase = Phase::kPoll;
    poll_done_seq = e.seq;
    poll_ready = e.ready;
  } else if (k == "stall") {
    phase = Phase::kStall;
  }
  if (opens) {
    ++passes;
    pass_seq = e.seq;
    pass_t = e.t;
  }
  pass_opened_by_last_event = (k == "prepare_timers" || k == "choose") &&
                              (opens || pass_opened_by_last_event);
  // Everything after a pass event belongs to the timer pass.
  if (k != "pass" && k != "choose" && k != "prepare_timers" &&
      phase == Phase::kPrepare) {
    phase = Phase::kFireTimers;
  }
}

// ---- The stepper
// ---------------------------------------------------------------

Stepper::Stepper(const StepTrace& trace) : trace_(trace) {
  widths(trace, &seq_width_, &t_width_);
}

std::string Stepper::event_line(const StepEvent& e) const {
  return format_event_line(e, seq_width_, t_width_);
}

void Stepper::go_to(std::uint64_t position) {
  position = std::min<std::uint64_t>(position, trace_.events.size());
  if (position < state_.position) state_ = HubState();
  while (state_.position < position) step_forward();
}

void Stepper::step_forward() { state_.apply(trace_.events[state_.position]); }

std::string Stepper::banner() const {
  using P = HubState::Phase;
  const P p = state_.phase;
  if (p == P::kStart) {
    return "-- phase: start (main runs; the hub has not looped yet)  "
           "then prepare timers -> fire timers -> poll";
  }
  if (p == P::kStall) return "-- phase: stall (the run ends here)";
  std::string s = "-- phase: ";
  for (P q : {P::kPrepare, P::kFireTimers, P::kPoll}) {
    if (q != P::kPrepare) s += " -> ";
    s += q == p ? "[" + std::string(phase_name(q)) + "]" : phase_name(q);
  }
  s += "   pass " + std::to_string(state_.passes) + " (#" +
       std::to_string(state_.pass_seq) + ", t=" + format_time(state_.pass_t) +
       ")";
  if (p == P::kPoll) {
    s += ", poll #" + std::to_string(state_.poll_seq) + " " +
         (state_.poll_has_deadline
              ? "until t=" + format_time(state_.poll_deadline)
              : std::string("without deadline"));
  }
  return s;
}

void Stepper::show_current(std::ostream& out) const {
  if (state_.position == 0) {
    out << "at the start, before #1 (" << trace_.events.size() << " events)\n";
    return;
  }
  out << banner() << "\n"
      << event_line(trace_.events[state_.position - 1]) << "\n";
}

std::string Stepper::gts_view() const {
  std::ostringstream out;
  out << "greenthreads at #" << state_.position
      << " (t=" << format_time(state_.t) << "):\n";
  // Who each timer and listener is about, in one pass (many greenthreads).
  std::multimap<std::int64_t, std::uint64_t> timers_of;
  for (const auto& [tid, tm] : state_.timers) {
    if (tm.has_target) timers_of.emplace(tm.target, tid);
  }
  std::multimap<std::int64_t, decltype(state_.listeners)::const_iterator>
      listeners_of;
  for (auto it = state_.listeners.begin(); it != state_.listeners.end(); ++it) {
    listeners_of.emplace(it->second.gt, it);
  }
  for (const auto& [id, g] : state_.gts) {
    std::string line = "  " + pad(gt_name(id), 5) + " " + pad(g.state, 13);
    std::vector<std::string> notes;
    if (g.state == "blocked") {
      notes.push_back("on " + g.waiting_on + " since #" +
                      std::to_string(g.since));
    } else if (g.state == "finished") {
      notes.push_back("at #" + std::to_string(g.since));
    } else if (g.state == "suspended") {
      notes.push_back("switched out at #" + std::to_string(g.since));
    }
    if (g.woken_at != 0 && g.state != "running") {
      notes.push_back("waking: " + g.woken_how + " at #" +
                      std::to_string(g.woken_at));
    }
    if (g.queued) {
      notes.push_back("ready: queued by " + gt_name(g.queued_by) + " at #" +
                      std::to_string(g.queued_at));
    }
    if (g.state != "finished") {
      for (auto it = timers_of.lower_bound(id);
           it != timers_of.end() && it->first == id; ++it) {
        const HubState::Timer& tm = state_.timers.at(it->second);
        notes.push_back("timer " + std::to_string(it->second) + " " +
                        tm.action + " at t=" + format_time(tm.deadline));
      }
      for (auto it = listeners_of.lower_bound(id);
           it != listeners_of.end() && it->first == id; ++it) {
        const auto& key = it->second->first;
        const HubState::Listener& l = it->second->second;
        if (l.fired_at == 0 || l.fired_at != g.woken_at) {
          notes.push_back(
              "fd " + std::to_string(key.first) + " " + ev_word(key.second) +
              (l.fired_at ? " (ready at #" + std::to_string(l.fired_at) + ")"
                          : std::string()));
        }
      }
    }
    if (g.created_at != 0) {
      notes.push_back("spawned by " + gt_name(g.created_by) + " at #" +
                      std::to_string(g.created_at));
    }
    for (std::size_t i = 0; i < notes.size(); ++i) {
      line += (i ? "; " : "") + notes[i];
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out << line << "\n";
  }
  return out.str();
}

std::string Stepper::timers_view() const {
  std::ostringstream out;
  out << "timers at #" << state_.position << " (t=" << format_time(state_.t)
      << "): " << state_.timers.size() << " queued; so far "
      << state_.timers_added << " added, " << state_.timers_fired << " fired, "
      << state_.timers_cancelled << " cancelled\n";
  if (state_.timers.empty()) return out.str();
  // Heap order: by deadline, then by timer seq (the hub's tie order).
  std::vector<std::pair<std::uint64_t, const HubState::Timer*>> v;
  for (const auto& [id, tm] : state_.timers) v.push_back({id, &tm});
  std::stable_sort(v.begin(), v.end(), [](const auto& a, const auto& b) {
    return a.second->deadline < b.second->deadline;
  });
  out << "  timer  due             action         added       queue\n";
  for (const auto& [id, tm] : v) {
    std::string action = tm->action;
    if (tm->has_target) action += " " + gt_name(tm->target);
    std::string line =
        "  " + pad(std::to_string(id), 6) + " " +
        pad("t=" + format_time(tm->deadline), 15) + " " + pad(action, 14) +
        " " +
        pad("#" + std::to_string(tm->added_at) + " by " + gt_name(tm->added_by),
            11) +
        " " + (tm->in_heap ? "heap" : "next_timers") +
        (tm->deadline <= state_.t ? " (due)" : "");
    out << line << "\n";
  }
  return out.str();
}

std::string Stepper::listeners_view() const {
  std::ostringstream out;
  out << "listeners at #" << state_.position << ": " << state_.listeners.size()
      << "\n";
  for (const auto& [key, l] : state_.listeners) {
    out << "  fd " << pad(std::to_string(key.first), 7) << " "
        << pad(ev_word(key.second), 6) << " gt " << pad(gt_name(l.gt), 4)
        << " since #" << l.added_at
        << (l.fired_at ? ", ready at #" + std::to_string(l.fired_at)
                       : std::string(", waiting"))
        << "\n";
  }
  return out.str();
}

std::string Stepper::net_view() const {
  std::ostringstream out;
  out << "network at #" << state_.position << " (t=" << format_time(state_.t)
      << "): " << state_.packets.size()
      << (state_.packets.size() == 1 ? " packet" : " packets")
      << " in flight; so far " << state_.packets_sent << " sent, "
      << state_.packets_delivered << " delivered, " << state_.packets_dropped
      << " dropped\n";
  for (const auto& [id, p] : state_.packets) {
    out << "  packet " << pad(std::to_string(id), 4) << " "
        << pad(p.what + " " + std::to_string(p.bytes) + " B", 12) << " "
        << p.src << " -> " << p.dst << ", sent at #" << p.sent_at << " by "
        << gt_name(p.sent_by)
        << (p.has_at ? ", arrives t=" + format_time(p.at) : std::string())
        << "\n";
  }
  out << "  polls: " << state_.polls;
  if (state_.poll_seq != 0) {
    out << "; last #" << state_.poll_seq << " "
        << (state_.poll_has_deadline
                ? "until t=" + format_time(state_.poll_deadline)
                : std::string("without deadline"));
    if (state_.poll_done_seq > state_.poll_seq) {
      out << " -> #" << state_.poll_done_seq << " " << state_.poll_ready
          << (state_.poll_ready == 1 ? " fd ready" : " fds ready");
    } else {
      out << " (still waiting)";
    }
  }
  out << "\n";
  for (const auto& [key, st] : state_.fds) {
    auto it = state_.listeners.find(key);
    out << "  fd " << pad(std::to_string(key.first), 7) << " "
        << pad(ev_word(key.second), 6) << " waits " << st.adds << ", ready "
        << st.fires
        << (it != state_.listeners.end()
                ? ", now: gt " + gt_name(it->second.gt) +
                      (it->second.fired_at ? " (ready)" : " (waiting)")
                : std::string())
        << "\n";
  }
  return out.str();
}

std::string Stepper::help_text() {
  return "commands:\n"
         "  n, next [N]      the next event (N events, each printed)\n"
         "  s, step [GT]     the next event of greenthread GT (a number, main "
         "or hub;\n"
         "                   default: the current event's); a switch away "
         "from GT counts\n"
         "  c, continue      run to the next breakpoint (or the end)\n"
         "  b, break SPEC    kind=K | gt=N | t>=SECONDS (5ms, 2us, 0.5 ...); "
         "b alone lists them\n"
         "  d, delete [N]    delete breakpoint N (all without N)\n"
         "  back [N]         N events back (default 1)\n"
         "  goto SEQ         to event SEQ (0: the start)\n"
         "  l, list [N]      N events before and after the current one "
         "(default 3)\n"
         "  show             the current event's JSON line\n"
         "  why              the chain of causes that led to the current "
         "event\n"
         "  gts              greenthreads: state, what each waits on\n"
         "  timers           the timer queue (next_timers and the heap)\n"
         "  listeners        fd listeners\n"
         "  net              the network: packets in flight, fds, polls\n"
         "  help             this text\n"
         "  q, quit          leave (so does the end of input)\n"
         "  an empty line repeats the last command\n";
}

bool Stepper::parse_breakpoint(const std::string& spec, Breakpoint* b,
                               std::string* error) const {
  b->spec = spec;
  if (spec.rfind("kind=", 0) == 0) {
    b->kind = spec.substr(5);
    static const std::set<std::string> kinds = {
        "spawn",        "switch",
        "block",        "ready",
        "exit",         "exception",
        "timer_add",    "timer_fire",
        "timer_cancel", "listen_add",
        "listen_fire",  "listen_remove",
        "pass",         "poll",
        "poll_done",    "choose",
        "stall",        "net_send",
        "net_deliver",  "net_drop",
        "outcome",      "prepare_timers",
        "event_send",   "queue_put",
        "queue_get",    "queue_task_done",
        "sem_release"};
    if (!kinds.count(b->kind)) {
      *error = "unknown kind '" + b->kind + "'";
      return false;
    }
    return true;
  }
  if (spec.rfind("gt=", 0) == 0) {
    std::int64_t v = 0;
    if (!parse_gt(spec.substr(3), &v)) {
      *error = "gt=N wants a greenthread number (or main, hub)";
      return false;
    }
    b->gt = v;
    return true;
  }
  if (spec.rfind("t>=", 0) == 0) {
    std::int64_t v = 0;
    if (!parse_seconds(spec.substr(3), &v)) {
      *error = "t>=SECONDS wants a time such as 0.005, 5ms, 10us";
      return false;
    }
    b->t_at_least = v;
    return true;
  }
  *error = "breakpoints: kind=K, gt=N or t>=SECONDS";
  return false;
}

bool Stepper::hits(const Breakpoint& b, const StepEvent& e) const {
  if (!b.kind.empty()) return e.kind == b.kind;
  if (b.gt) return e.gt == *b.gt;
  if (b.t_at_least) return e.t >= *b.t_at_least;
  return false;
}

bool Stepper::execute(const std::string& raw, std::ostream& out) {
  std::string line = trim(raw);
  if (line.empty()) line = last_command_;
  if (line.empty()) return true;
  last_command_ = line;
  const std::vector<std::string> w = split_words(line);
  const std::string& cmd = w[0];
  const std::uint64_t n_events = trace_.events.size();
  auto count_arg = [&](std::int64_t def, std::int64_t* n) {
    if (w.size() < 2) {
      *n = def;
      return true;
    }
    if (!parse_int(w[1], n) || *n < 0) {
      out << cmd << ": expected a count, got '" << w[1] << "'\n";
      return false;
    }
    return true;
  };
  if (cmd == "q" || cmd == "quit" || cmd == "exit") return false;
  if (cmd == "help" || cmd == "h" || cmd == "?") {
    out << help_text();
  } else if (cmd == "n" || cmd == "next") {
    std::int64_t n = 1;
    if (!count_arg(1, &n)) return true;
    if (state_.position >= n_events) {
      out << "at the end of the trace (#" << n_events << ")\n";
      return true;
    }
    HubState::Phase shown = HubState::Phase::kStall;
    bool first = true;
    for (std::int64_t i = 0; i < n && state_.position < n_events; ++i) {
      step_forward();
      if (first || state_.phase != shown) {
        out << banner() << "\n";
        shown = state_.phase;
        first = false;
      }
      out << event_line(trace_.events[state_.position - 1]) << "\n";
    }
    if (state_.position >= n_events) out << "(end of trace)\n";
  } else if (cmd == "s" || cmd == "step") {
    std::int64_t gt = 0;
    if (w.size() >= 2) {
      if (!parse_gt(w[1], &gt)) {
        out << "step: expected a greenthread (a number, main or hub)\n";
        return true;
      }
    } else {
      gt = state_.position ? trace_.events[state_.position - 1].gt
                           : state_.running;
    }
    std::uint64_t skipped = 0;
    for (;;) {
      if (state_.position >= n_events) {
        out << "no further event of gt " << gt_name(gt) << " (at the end, #"
            << n_events << ")\n";
        return true;
      }
      step_forward();
      const StepEvent& e = trace_.events[state_.position - 1];
      if (e.gt == gt || (e.kind == "switch" && e.from == gt)) break;
      ++skipped;
    }
    if (skipped) out << "(" << skipped << " events of others skipped)\n";
    show_current(out);
  } else if (cmd == "c" || cmd == "continue") {
    if (state_.position >= n_events) {
      out << "at the end of the trace (#" << n_events << ")\n";
      return true;
    }
    for (;;) {
      if (state_.position >= n_events) {
        show_current(out);
        out << "(end of trace; no breakpoint hit)\n";
        return true;
      }
      step_forward();
      const StepEvent& e = trace_.events[state_.position - 1];
      for (const Breakpoint& b : breakpoints_) {
        if (hits(b, e)) {
          out << "breakpoint " << b.id << " (" << b.spec << ")\n";
          show_current(out);
          return true;
        }
      }
    }
  } else if (cmd == "b" || cmd == "break") {
    if (w.size() < 2) {
      if (breakpoints_.empty()) out << "no breakpoints\n";
      for (const Breakpoint& b : breakpoints_) {
        out << "  " << b.id << "  " << b.spec << "\n";
      }
      return true;
    }
    Breakpoint b;
    std::string error;
    if (!parse_breakpoint(w[1], &b, &error)) {
      out << "break: " << error << "\n";
      return true;
    }
    b.id = next_breakpoint_++;
    breakpoints_.push_back(b);
    out << "breakpoint " << b.id << ": " << b.spec << "\n";
  } else if (cmd == "d" || cmd == "delete") {
    if (w.size() < 2) {
      breakpoints_.clear();
      out << "all breakpoints deleted\n";
      return true;
    }
    std::int64_t id = 0;
    if (!parse_int(w[1], &id)) {
      out << "delete: expected a breakpoint number\n";
      return true;
    }
    const auto before = breakpoints_.size();
    std::erase_if(breakpoints_,
                  [id](const Breakpoint& b) { return b.id == id; });
    out << (breakpoints_.size() < before ? "deleted breakpoint "
                                         : "no breakpoint ")
        << id << "\n";
  } else if (cmd == "back" || cmd == "bk") {
    std::int64_t n = 1;
    if (!count_arg(1, &n)) return true;
    const std::uint64_t to =
        static_cast<std::uint64_t>(n) >= state_.position
            ? 0
            : state_.position - static_cast<std::uint64_t>(n);
    go_to(to);
    show_current(out);
  } else if (cmd == "goto" || cmd == "g") {
    std::int64_t seq = 0;
    if (w.size() < 2 || !parse_int(w[1], &seq) || seq < 0) {
      out << "goto: expected an event number (0.." << n_events << ")\n";
      return true;
    }
    if (static_cast<std::uint64_t>(seq) > n_events) {
      out << "goto: no event #" << seq << " (the trace has " << n_events
          << ")\n";
      return true;
    }
    go_to(static_cast<std::uint64_t>(seq));
    show_current(out);
  } else if (cmd == "l" || cmd == "list") {
    std::int64_t n = 3;
    if (!count_arg(3, &n)) return true;
    const std::uint64_t cur = state_.position;
    const std::uint64_t lo = cur > static_cast<std::uint64_t>(n) ? cur - n : 1;
    const std::uint64_t hi =
        std::min<std::uint64_t>(n_events, cur + static_cast<std::uint64_t>(n));
    for (std::uint64_t s = lo; s <= hi; ++s) {
      out << (s == cur ? "=> " : "   ") << event_line(trace_.events[s - 1])
          << "\n";
    }
  } else if (cmd == "show" || cmd == "p") {
    if (state_.position == 0) {
      out << trace_.events.size() << " events; header: seed "
          << trace_.header.seed << ", strategy " << trace_.header.strategy
          << "\n";
    } else {
      out << trace_.events[state_.position - 1].line << "\n";
    }
  } else if (cmd == "why") {
    if (state_.position == 0) {
      out << "at the start: no event yet\n";
      return true;
    }
    std::uint64_t s = state_.position;
    out << "cause chain:\n";
    while (s != 0) {
      const StepEvent& e = trace_.events[s - 1];
      out << "  " << event_line(e) << "\n";
      s = e.cause;
    }
  } else if (cmd == "gts" || cmd == "gt" || cmd == "ps") {
    out << gts_view();
  } else if (cmd == "timers") {
    out << timers_view();
  } else if (cmd == "listeners") {
    out << listeners_view();
  } else if (cmd == "net") {
    out << net_view();
  } else {
    out << "unknown command '" << cmd << "' (help lists them)\n";
  }
  return true;
}

void Stepper::run(std::istream& in, std::ostream& out, bool echo) {
  out << format_header_line(trace_) << "\n";
  show_current(out);
  out << "type help for the commands\n";
  std::string line;
  for (;;) {
    out << "(step) " << std::flush;
    if (!std::getline(in, line)) {
      out << "\n";
      break;
    }
    if (echo) out << line << "\n";
    if (!execute(line, out)) break;
  }
}

}  // namespace eventlet::sim
