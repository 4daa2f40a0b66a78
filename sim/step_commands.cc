// Copyright 2026 The eventlet-cpp Authors.
#include "sim/step_commands.h"

#include <algorithm>
#include <cstdlib>
#include <limits>

#include "sim/step.h"

namespace eventlet::sim {

bool parse_step_int(const std::string& s, std::int64_t* out) {
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

bool parse_step_gt(const std::string& s, std::int64_t* out) {
  if (s == "hub") {
    *out = kHubGt;
    return true;
  }
  if (s == "main") {
    *out = 0;
    return true;
  }
  return parse_step_int(s, out);
}

bool parse_step_seconds(const std::string& s, std::int64_t* out) {
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

namespace {

using Words = std::vector<std::string>;

// words[1] as a count >= 0 (`def` when absent); false (explained) if bad.
bool count_arg(const Words& w, std::int64_t def, std::int64_t* n,
               std::ostream& out) {
  if (w.size() < 2) {
    *n = def;
    return true;
  }
  if (!parse_step_int(w[1], n) || *n < 0) {
    out << w[0] << ": expected a count, got '" << w[1] << "'\n";
    return false;
  }
  return true;
}

std::uint64_t event_count(const Stepper& s) { return s.trace().events.size(); }

const StepEvent& current(const Stepper& s) {
  return s.trace().events[s.position() - 1];
}

// Whether `e` is about greenthread `gt`: its own, or a switch away from it.
bool about(const StepEvent& e, std::int64_t gt) {
  return e.gt == gt || (e.type == EventKind::kSwitch && e.from == gt);
}

bool cmd_help(Stepper&, const Words&, std::ostream& out) {
  out << Stepper::help_text();
  return true;
}

bool cmd_quit(Stepper&, const Words&, std::ostream&) { return false; }

bool cmd_next(Stepper& s, const Words& w, std::ostream& out) {
  std::int64_t n = 1;
  if (!count_arg(w, 1, &n, out)) return true;
  const std::uint64_t end = event_count(s);
  if (s.position() >= end) {
    out << "at the end of the trace (#" << end << ")\n";
    return true;
  }
  HubState::Phase shown = HubState::Phase::kStall;
  bool first = true;
  for (std::int64_t i = 0; i < n && s.position() < end; ++i) {
    s.go_to(s.position() + 1);
    if (first || s.state().phase != shown) {
      out << s.banner() << "\n";
      shown = s.state().phase;
      first = false;
    }
    out << s.event_line(current(s)) << "\n";
  }
  if (s.position() >= end) out << "(end of trace)\n";
  return true;
}

// The greenthread `s`/`rs` follow: words[1], else the current event's.
bool gt_arg(const Stepper& s, const Words& w, std::int64_t* gt,
            std::ostream& out) {
  if (w.size() >= 2) {
    if (parse_step_gt(w[1], gt)) return true;
    out << w[0] << ": expected a greenthread (a number, main or hub)\n";
    return false;
  }
  *gt = s.position() ? current(s).gt : s.state().running;
  return true;
}

bool cmd_step(Stepper& s, const Words& w, std::ostream& out) {
  std::int64_t gt = 0;
  if (!gt_arg(s, w, &gt, out)) return true;
  const auto& events = s.trace().events;
  std::uint64_t p = s.position();
  while (p < events.size() && !about(events[p], gt)) ++p;
  if (p >= events.size()) {
    s.go_to(events.size());
    out << "no further event of gt " << gt_name(gt) << " (at the end, #"
        << events.size() << ")\n";
    return true;
  }
  const std::uint64_t skipped = p - s.position();
  s.go_to(p + 1);
  if (skipped) out << "(" << skipped << " events of others skipped)\n";
  s.show_current(out);
  return true;
}

bool cmd_reverse_step(Stepper& s, const Words& w, std::ostream& out) {
  std::int64_t gt = 0;
  if (!gt_arg(s, w, &gt, out)) return true;
  const auto& events = s.trace().events;
  // The event before the current one that is about gt (seq p).
  std::uint64_t p = s.position() ? s.position() - 1 : 0;
  while (p > 0 && !about(events[p - 1], gt)) --p;
  if (p == 0) {
    s.go_to(0);
    out << "no earlier event of gt " << gt_name(gt) << " (at the start)\n";
    s.show_current(out);
    return true;
  }
  s.go_to(p);
  s.show_current(out);
  return true;
}

bool cmd_continue(Stepper& s, const Words&, std::ostream& out) {
  const std::uint64_t end = event_count(s);
  if (s.position() >= end) {
    out << "at the end of the trace (#" << end << ")\n";
    return true;
  }
  const Stepper::Breakpoint* b = nullptr;
  const std::uint64_t hit = s.next_hit(s.position(), &b);
  if (hit == 0) {
    s.go_to(end);
    s.show_current(out);
    out << "(end of trace; no breakpoint hit)\n";
    return true;
  }
  s.go_to(hit);
  out << "breakpoint " << b->id << " (" << b->spec << ")\n";
  s.show_current(out);
  return true;
}

bool cmd_reverse_continue(Stepper& s, const Words&, std::ostream& out) {
  if (s.position() == 0) {
    out << "at the start of the trace\n";
    return true;
  }
  const Stepper::Breakpoint* b = nullptr;
  const std::uint64_t hit = s.previous_hit(s.position(), &b);
  s.go_to(hit);
  if (hit == 0) {
    out << "(start of trace; no breakpoint hit)\n";
  } else {
    out << "breakpoint " << b->id << " (" << b->spec << ")\n";
  }
  s.show_current(out);
  return true;
}

bool cmd_break(Stepper& s, const Words& w, std::ostream& out) {
  if (w.size() < 2) {
    if (s.breakpoints().empty()) out << "no breakpoints\n";
    for (const Stepper::Breakpoint& b : s.breakpoints()) {
      out << "  " << b.id << "  " << b.spec << "\n";
    }
    return true;
  }
  Stepper::Breakpoint b;
  std::string error;
  if (!s.add_breakpoint(w[1], &b, &error)) {
    out << "break: " << error << "\n";
    return true;
  }
  out << "breakpoint " << b.id << ": " << b.spec << "\n";
  return true;
}

bool cmd_delete(Stepper& s, const Words& w, std::ostream& out) {
  if (w.size() < 2) {
    s.delete_breakpoints();
    out << "all breakpoints deleted\n";
    return true;
  }
  std::int64_t id = 0;
  if (!parse_step_int(w[1], &id)) {
    out << "delete: expected a breakpoint number\n";
    return true;
  }
  const bool deleted = id >= std::numeric_limits<int>::min() &&
                       id <= std::numeric_limits<int>::max() &&
                       s.delete_breakpoint(static_cast<int>(id));
  out << (deleted ? "deleted breakpoint " : "no breakpoint ") << id << "\n";
  return true;
}

bool cmd_back(Stepper& s, const Words& w, std::ostream& out) {
  std::int64_t n = 1;
  if (!count_arg(w, 1, &n, out)) return true;
  const std::uint64_t k = static_cast<std::uint64_t>(n);
  s.go_to(k >= s.position() ? 0 : s.position() - k);
  s.show_current(out);
  return true;
}

bool cmd_goto(Stepper& s, const Words& w, std::ostream& out) {
  const std::uint64_t end = event_count(s);
  std::int64_t seq = 0;
  if (w.size() < 2 || !parse_step_int(w[1], &seq) || seq < 0) {
    out << "goto: expected an event number (0.." << end << ")\n";
    return true;
  }
  if (static_cast<std::uint64_t>(seq) > end) {
    out << "goto: no event #" << seq << " (the trace has " << end << ")\n";
    return true;
  }
  s.go_to(static_cast<std::uint64_t>(seq));
  s.show_current(out);
  return true;
}

bool cmd_list(Stepper& s, const Words& w, std::ostream& out) {
  std::int64_t n = 3;
  if (!count_arg(w, 3, &n, out)) return true;
  const std::uint64_t k = static_cast<std::uint64_t>(n);
  const std::uint64_t cur = s.position();
  const std::uint64_t lo = cur > k ? cur - k : 1;
  const std::uint64_t hi = std::min<std::uint64_t>(event_count(s), cur + k);
  for (std::uint64_t p = lo; p <= hi; ++p) {
    out << (p == cur ? "=> " : "   ") << s.event_line(s.trace().events[p - 1])
        << "\n";
  }
  return true;
}

bool cmd_show(Stepper& s, const Words&, std::ostream& out) {
  if (s.position() == 0) {
    out << event_count(s) << " events; header: seed " << s.trace().header.seed
        << ", strategy " << s.trace().header.strategy << "\n";
  } else {
    out << current(s).line << "\n";
  }
  return true;
}

bool cmd_why(Stepper& s, const Words&, std::ostream& out) {
  if (s.position() == 0) {
    out << "at the start: no event yet\n";
    return true;
  }
  out << "cause chain:\n";
  // Causes point backwards, so the chain ends.
  for (std::uint64_t p = s.position(); p != 0;) {
    const StepEvent& e = s.trace().events[p - 1];
    out << "  " << s.event_line(e) << "\n";
    p = e.cause < p ? e.cause : 0;
  }
  return true;
}

bool cmd_gts(Stepper& s, const Words& w, std::ostream& out) {
  const std::size_t total = s.state().gts.size();
  const std::size_t per_page = Stepper::kGtsPerPage;
  std::size_t page = 1;
  if (w.size() >= 2 && w[1] == "--all") {
    out << s.gts_view();
    return true;
  }
  if (w.size() >= 3 && w[1] == "--page") {
    std::int64_t p = 0;
    if (!parse_step_int(w[2], &p) || p < 1) {
      out << "gts: --page wants a page number (1, 2, ...)\n";
      return true;
    }
    page = static_cast<std::size_t>(p);
  } else if (w.size() >= 2) {
    std::int64_t gt = 0;
    if (!parse_step_gt(w[1], &gt)) {
      out << "gts: expected a greenthread (a number, main or hub), --all or "
             "--page N\n";
      return true;
    }
    const std::string view = s.gt_view(gt);
    out << (view.empty() ? "no greenthread " + gt_name(gt) + " at #" +
                               std::to_string(s.position()) + "\n"
                         : view);
    return true;
  }
  const std::size_t pages =
      std::max<std::size_t>(1, (total + per_page - 1) / per_page);
  if (page > pages) {
    out << "gts: page " << page << " of " << pages << " does not exist\n";
    return true;
  }
  const std::size_t first = (page - 1) * per_page;
  out << s.gts_view(first, per_page);
  const std::size_t shown_to = std::min(total, first + per_page);
  if (shown_to < total) {
    out << "  (" << total - shown_to << " more: gts --all or gts --page "
        << page + 1 << ")\n";
  }
  return true;
}

bool cmd_timers(Stepper& s, const Words&, std::ostream& out) {
  out << s.timers_view();
  return true;
}

bool cmd_listeners(Stepper& s, const Words&, std::ostream& out) {
  out << s.listeners_view();
  return true;
}

bool cmd_net(Stepper& s, const Words&, std::ostream& out) {
  out << s.net_view();
  return true;
}

}  // namespace

const std::vector<StepCommand>& step_commands() {
  static const std::vector<StepCommand> table = {
      {"next",
       {"n"},
       "n, next [N]",
       "the next event (N events, each printed)",
       cmd_next},
      {"step",
       {"s"},
       "s, step [GT]",
       "the next event of greenthread GT (a number, main or hub;\n"
       "default: the current event's); a switch away from GT counts",
       cmd_step},
      {"continue",
       {"c"},
       "c, continue",
       "run to the next breakpoint (or the end)",
       cmd_continue},
      {"rs",
       {"reverse-step"},
       "rs [GT]",
       "back to the previous event of greenthread GT (default: the\n"
       "current event's)",
       cmd_reverse_step},
      {"rc",
       {"reverse-continue"},
       "rc",
       "back to the previous breakpoint hit (or the start)",
       cmd_reverse_continue},
      {"break",
       {"b"},
       "b, break SPEC",
       "kind=K | gt=N | t>=SECONDS (5ms, 2us, 0.5 ...); b alone lists\n"
       "them. t>= fires once, at the event that crosses that time",
       cmd_break},
      {"delete",
       {"d"},
       "d, delete [N]",
       "delete breakpoint N (all without N)",
       cmd_delete},
      {"back", {"bk"}, "back [N]", "N events back (default 1)", cmd_back},
      {"goto", {"g"}, "goto SEQ", "to event SEQ (0: the start)", cmd_goto},
      {"list",
       {"l"},
       "l, list [N]",
       "N events before and after the current one (default 3)",
       cmd_list},
      {"show", {"p"}, "show", "the current event's JSON line", cmd_show},
      {"why",
       {},
       "why",
       "the chain of causes that led to the current event",
       cmd_why},
      {"gts",
       {"gt", "ps"},
       "gts [GT|--all|--page N]",
       "greenthreads: state, what each waits on (40 a page);\n"
       "gts GT: one greenthread in detail",
       cmd_gts},
      {"timers",
       {},
       "timers",
       "the timer queue (next_timers and the heap)",
       cmd_timers},
      {"listeners", {}, "listeners", "fd listeners", cmd_listeners},
      {"net",
       {},
       "net",
       "the network: hosts, packets in flight, fds, polls",
       cmd_net},
      {"help", {"h", "?"}, "help", "this text", cmd_help},
      {"quit",
       {"q", "exit"},
       "q, quit",
       "leave (so does the end of input)",
       cmd_quit},
  };
  return table;
}

const StepCommand* find_step_command(std::string_view word) {
  for (const StepCommand& c : step_commands()) {
    if (c.name == word) return &c;
    for (std::string_view a : c.aliases) {
      if (a == word) return &c;
    }
  }
  return nullptr;
}

std::string step_commands_help() {
  constexpr std::size_t kColumn = 27;
  std::string s = "commands:\n";
  for (const StepCommand& c : step_commands()) {
    std::string line = "  " + std::string(c.usage);
    line.append(line.size() < kColumn ? kColumn - line.size() : 1, ' ');
    for (char ch : c.help) {
      line += ch;
      if (ch == '\n') line.append(kColumn, ' ');
    }
    s += line + "\n";
  }
  s += "  an empty line repeats the last valid command; Up and Down recall "
       "earlier\n  lines (on a terminal)\n";
  return s;
}

}  // namespace eventlet::sim
