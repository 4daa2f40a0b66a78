// Copyright 2026 The eventlet-cpp Authors.
#include "sim/step.h"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <limits>
#include <set>
#include <sstream>

#include "nlohmann/json.hpp"
#include "sim/step_commands.h"

namespace eventlet::sim {
namespace {

constexpr std::int64_t kNever = std::numeric_limits<std::int64_t>::max() - 1;

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

namespace {

// The event fields the stepper decodes: key, type and where it goes.
struct EventField {
  enum class Type { kInt, kUint, kString, kIds };
  std::string_view key;
  Type type;
  std::int64_t StepEvent::*int_field = nullptr;
  std::uint64_t StepEvent::*uint_field = nullptr;
  std::string StepEvent::*string_field = nullptr;
  std::vector<std::int64_t> StepEvent::*ids_field = nullptr;
  bool StepEvent::*present = nullptr;  // set when the key is there
  unsigned required_bit = 0;
};

constexpr unsigned kAllRequired = 0xf;

const std::vector<EventField>& event_fields() {
  using T = EventField::Type;
  using E = StepEvent;
  static const std::vector<EventField> fields = {
      {"seq", T::kUint, nullptr, &E::seq, nullptr, nullptr, nullptr, 1},
      {"t", T::kInt, &E::t, nullptr, nullptr, nullptr, nullptr, 2},
      {"gt", T::kInt, &E::gt, nullptr, nullptr, nullptr, nullptr, 4},
      {"kind", T::kString, nullptr, nullptr, &E::kind, nullptr, nullptr, 8},
      {"cause", T::kUint, nullptr, &E::cause},
      {"by", T::kInt, &E::by},
      {"from", T::kInt, &E::from},
      {"on", T::kString, nullptr, nullptr, &E::on},
      {"obj", T::kUint, nullptr, &E::obj},
      {"wakes", T::kIds, nullptr, nullptr, nullptr, &E::wakes},
      {"timers", T::kIds, nullptr, nullptr, nullptr, &E::timers},
      {"where", T::kString, nullptr, nullptr, &E::where},
      {"what", T::kString, nullptr, nullptr, &E::what},
      {"timer", T::kUint, nullptr, &E::timer},
      {"deadline", T::kInt, &E::deadline, nullptr, nullptr, nullptr,
       &E::has_deadline},
      {"action", T::kString, nullptr, nullptr, &E::action},
      {"target", T::kInt, &E::target, nullptr, nullptr, nullptr,
       &E::has_target},
      {"fd", T::kInt, &E::fd},
      {"ev", T::kString, nullptr, nullptr, &E::ev},
      {"ready", T::kInt, &E::ready},
      {"set", T::kIds, nullptr, nullptr, nullptr, &E::set},
      {"order", T::kIds, nullptr, nullptr, nullptr, &E::order},
      {"why", T::kString, nullptr, nullptr, &E::why},
      {"packet", T::kUint, nullptr, &E::packet},
      {"src", T::kString, nullptr, nullptr, &E::src},
      {"dst", T::kString, nullptr, nullptr, &E::dst},
      {"bytes", T::kInt, &E::bytes},
      {"at", T::kInt, &E::at, nullptr, nullptr, nullptr, &E::has_at},
      {"jitter", T::kInt, &E::jitter},
      {"reason", T::kString, nullptr, nullptr, &E::reason},
      {"result", T::kString, nullptr, nullptr, &E::result},
      {"message", T::kString, nullptr, nullptr, &E::message},
      {"host", T::kString, nullptr, nullptr, &E::host},
      {"start", T::kInt, &E::start},
      {"offset", T::kInt, &E::offset},
      {"drift", T::kInt, &E::drift},
      {"reading", T::kInt, &E::reading},
  };
  return fields;
}

// Decodes one event line into a StepEvent as nlohmann's parser reads it (no
// JSON tree: the loader is about twice as fast). parse_trace has checked
// the shapes; keys the stepper does not know (a newer format's) are
// skipped, a known key with a value of the wrong type is an error.
class EventDecoder {
 public:
  using json = nlohmann::json;
  explicit EventDecoder(StepEvent* e) : e_(e) {}

  // Whether seq, t, gt and kind were all there.
  bool complete() const { return required_ == kAllRequired; }
  const std::string& error() const { return error_; }

  bool null() { return other(); }
  bool boolean(bool) { return other(); }
  bool number_float(json::number_float_t, const std::string&) {
    return other();
  }
  bool binary(json::binary_t&) { return other(); }
  bool number_integer(json::number_integer_t v) { return integer(v); }
  bool number_unsigned(json::number_unsigned_t v) {
    if (v > static_cast<json::number_unsigned_t>(
                std::numeric_limits<std::int64_t>::max())) {
      return wrong_type();
    }
    return integer(static_cast<std::int64_t>(v));
  }
  bool string(std::string& v) {
    if (field_ == nullptr) return true;
    if (field_->type != EventField::Type::kString || in_array_) {
      return wrong_type();
    }
    e_->*field_->string_field = std::move(v);
    required_ |= field_->required_bit;
    return true;
  }
  bool start_object(std::size_t) {
    if (depth_++ == 0) return true;
    return other();
  }
  bool end_object() {
    --depth_;
    return true;
  }
  bool key(std::string& k) {
    field_ = nullptr;
    if (depth_ != 1) return true;  // inside an unknown key's object
    for (const EventField& f : event_fields()) {
      if (f.key == k) field_ = &f;
    }
    return true;
  }
  bool start_array(std::size_t) {
    if (in_array_) return other();
    in_array_ = true;
    return field_ == nullptr || field_->type == EventField::Type::kIds ||
           wrong_type();
  }
  bool end_array() {
    in_array_ = false;
    return true;
  }
  bool parse_error(std::size_t, const std::string&,
                   const nlohmann::detail::exception& ex) {
    error_ = ex.what();
    return false;
  }

 private:
  // A value no known field has (null, bool, float, an object).
  bool other() { return field_ == nullptr || wrong_type(); }
  bool wrong_type() {
    error_ =
        std::string(field_ ? field_->key : "a value") + " has the wrong type";
    return false;
  }
  bool integer(std::int64_t v) {
    if (field_ == nullptr) return true;
    using T = EventField::Type;
    if (in_array_ != (field_->type == T::kIds)) return wrong_type();
    switch (field_->type) {
      case T::kIds:
        (e_->*field_->ids_field).push_back(v);
        return true;
      case T::kInt:
        e_->*field_->int_field = v;
        break;
      case T::kUint:
        if (v < 0) return wrong_type();
        e_->*field_->uint_field = static_cast<std::uint64_t>(v);
        break;
      case T::kString:
        return wrong_type();
    }
    if (field_->present != nullptr) e_->*field_->present = true;
    required_ |= field_->required_bit;
    return true;
  }

  StepEvent* e_;
  const EventField* field_ = nullptr;  // the current key's (null: unknown)
  std::string error_;
  int depth_ = 0;
  bool in_array_ = false;
  unsigned required_ = 0;  // EventField::required_bit of those seen
};

}  // namespace

bool load_step_trace(const ParsedTrace& parsed, StepTrace* out,
                     TraceError* error) {
  out->header = parsed.header;
  out->events.clear();
  out->events.reserve(parsed.lines.empty() ? 0 : parsed.lines.size() - 1);
  for (std::size_t i = 1; i < parsed.lines.size(); ++i) {
    const std::string& line = parsed.lines[i];
    StepEvent e;
    EventDecoder decoder(&e);
    if (!nlohmann::json::sax_parse(line, &decoder) || !decoder.complete()) {
      *error = {i + 1, decoder.error().empty()
                           ? "not a JSON object with seq, t, gt and kind"
                           : "bad field: " + decoder.error()};
      return false;
    }
    if (e.seq != out->events.size() + 1) {
      *error = {i + 1, "seq out of order"};
      return false;
    }
    e.type = parse_event_kind(e.kind);
    e.line = line;
    out->events.push_back(std::move(e));
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

namespace {

// A kind the stepper does not know: its fields other than seq, t, gt, kind,
// cause and h, as "key=value" in the line's order.
std::string describe_unknown(const StepEvent& e) {
  const nlohmann::ordered_json j =
      nlohmann::ordered_json::parse(e.line, nullptr, false);
  if (!j.is_object()) return "";
  std::string s;
  for (auto it = j.begin(); it != j.end(); ++it) {
    const std::string& key = it.key();
    if (key == "seq" || key == "t" || key == "gt" || key == "kind" ||
        key == "cause" || key == "h") {
      continue;
    }
    if (!s.empty()) s += ' ';
    s += key + "=" + (it->is_string() ? it->get<std::string>() : it->dump());
  }
  return s;
}

std::string describe_net(const StepEvent& e) {
  std::string s =
      e.what + " " + std::to_string(e.bytes) + " B " + e.src + " -> " + e.dst;
  if (e.type == EventKind::kNetSend && e.has_at) {
    s += ", arrives t=" + format_time(e.at);
  }
  if (e.type == EventKind::kNetSend && e.jitter > 0) {
    s += " (jitter " + format_time(e.jitter) + ")";
  }
  if (e.type == EventKind::kNetDrop && !e.reason.empty()) {
    s += " (" + e.reason + ")";
  }
  return s;
}

}  // namespace

std::string describe_event(const StepEvent& e) {
  switch (e.type) {
    case EventKind::kUnknown:
      return describe_unknown(e);
    case EventKind::kSpawn:
      return "spawned by " + gt_name(e.by);
    case EventKind::kSwitch:
      return gt_name(e.from) + " -> " + gt_name(e.gt);
    case EventKind::kBlock:
      return "waits on " + e.on +
             (e.obj != 0 ? " (obj " + std::to_string(e.obj) + ")" : "");
    case EventKind::kReady:
      return "queued to run by " + gt_name(e.by) + ", timer " +
             std::to_string(e.timer);
    case EventKind::kEventSend:
      return "Event " + std::to_string(e.obj) + " wakes " + ids(e.wakes);
    case EventKind::kSemRelease:
      return "Semaphore " + std::to_string(e.obj) + " wakes " + ids(e.wakes);
    case EventKind::kQueuePut:
    case EventKind::kQueueGet:
    case EventKind::kQueueTaskDone:
      return "Queue " + std::to_string(e.obj) + " wakes " + ids(e.wakes);
    case EventKind::kPrepareTimers:
      return "timers " + ids(e.timers) + " -> heap";
    case EventKind::kExit:
      return "finished";
    case EventKind::kException:
      return e.where + ": " + e.what;
    case EventKind::kTimerAdd: {
      std::string s = "timer " + std::to_string(e.timer) +
                      " due t=" + format_time(e.deadline) + ", " + e.action;
      if (e.has_target) s += " " + gt_name(e.target);
      return s;
    }
    case EventKind::kTimerFire:
    case EventKind::kTimerCancel:
      return "timer " + std::to_string(e.timer);
    case EventKind::kListenAdd:
    case EventKind::kListenFire:
    case EventKind::kListenRemove:
      return "fd " + std::to_string(e.fd) + " " + ev_word(e.ev);
    case EventKind::kNetSend:
    case EventKind::kNetDeliver:
    case EventKind::kNetDrop:
      return describe_net(e);
    case EventKind::kPass:
      return "timer pass begins";
    case EventKind::kPoll:
      return e.has_deadline ? "until t=" + format_time(e.deadline)
                            : "no deadline";
    case EventKind::kPollDone:
      return std::to_string(e.ready) +
             (e.ready == 1 ? " fd ready" : " fds ready");
    case EventKind::kChoose:
      return "set " + ids(e.set) + " order " + ids(e.order);
    case EventKind::kStall:
      return e.why;
    case EventKind::kOutcome:
      return e.message.empty() ? e.result : e.result + ": " + e.message;
    case EventKind::kHostStart:
      return e.host + " up: start in " + gt_name(e.start) + ", clock offset " +
             format_time(e.offset) + ", drift " + std::to_string(e.drift) +
             " ppb";
    case EventKind::kHostCrash:
      return e.host + " crashes (" + e.why + ")";
    case EventKind::kHostRestart:
      return e.host + " restarts (" + e.why + "): start in " + gt_name(e.start);
    case EventKind::kClockRead:
      return e.host + " reads its clock: " + format_time(e.reading);
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

// ---- The stepper
// ---------------------------------------------------------------

bool StreamLineSource::read_line(const std::string& prompt, std::string* line) {
  out_ << prompt << std::flush;
  if (!std::getline(in_, *line)) return false;
  if (echo_) out_ << *line << "\n";
  return true;
}

Stepper::Stepper(const StepTrace& trace, std::uint64_t checkpoint_interval)
    : trace_(trace) {
  widths(trace, &seq_width_, &t_width_);
  const std::uint64_t n = trace.events.size();
  interval_ = checkpoint_interval != 0
                  ? checkpoint_interval
                  : std::max(kMinCheckpointInterval,
                             (n + kMaxCheckpoints - 1) / kMaxCheckpoints);
  checkpoints_.reserve(n / interval_ + 1);
  checkpoints_.push_back(state_);
  HubState s;
  for (const StepEvent& e : trace.events) {
    s.apply(e);
    if (s.position % interval_ == 0) checkpoints_.push_back(s);
  }
}

std::string Stepper::event_line(const StepEvent& e) const {
  return format_event_line(e, seq_width_, t_width_);
}

void Stepper::go_to(std::uint64_t position) {
  position = std::min<std::uint64_t>(position, trace_.events.size());
  const std::uint64_t base = position / interval_ * interval_;
  if (position < state_.position || base > state_.position) {
    state_ = checkpoints_[position / interval_];
  }
  while (state_.position < position) {
    state_.apply(trace_.events[state_.position]);
  }
}

bool Stepper::add_breakpoint(const std::string& spec, Breakpoint* added,
                             std::string* error) {
  Breakpoint b;
  b.spec = spec;
  if (spec.rfind("kind=", 0) == 0) {
    b.kind = spec.substr(5);
    // The format's kinds, and any the trace holds (a newer format's).
    const std::vector<std::string_view>& kinds = trace_event_kinds();
    bool known = std::find(kinds.begin(), kinds.end(), b.kind) != kinds.end();
    for (std::size_t i = 0; !known && i < trace_.events.size(); ++i) {
      known = trace_.events[i].kind == b.kind;
    }
    if (!known) {
      *error = "unknown kind '" + printable(b.kind) + "'";
      return false;
    }
  } else if (spec.rfind("gt=", 0) == 0) {
    std::int64_t v = 0;
    if (!parse_step_gt(spec.substr(3), &v)) {
      *error = "gt=N wants a greenthread number (or main, hub)";
      return false;
    }
    b.gt = v;
  } else if (spec.rfind("t>=", 0) == 0) {
    std::int64_t v = 0;
    if (!parse_step_seconds(spec.substr(3), &v)) {
      *error = "t>=SECONDS wants a time such as 0.005, 5ms, 10us";
      return false;
    }
    b.t_at_least = v;
  } else {
    *error = "breakpoints: kind=K, gt=N or t>=SECONDS";
    return false;
  }
  b.id = next_breakpoint_++;
  breakpoints_.push_back(b);
  *added = b;
  return true;
}

bool Stepper::delete_breakpoint(int id) {
  return std::erase_if(breakpoints_,
                       [id](const Breakpoint& b) { return b.id == id; }) > 0;
}

bool Stepper::hits(const Breakpoint& b, const StepEvent& e) const {
  if (!b.kind.empty()) return e.kind == b.kind;
  if (b.gt) return e.gt == *b.gt;
  if (b.t_at_least) {
    // Crossed here: this event reaches the time and the one before did not.
    return e.t >= *b.t_at_least &&
           (e.seq == 1 || trace_.events[e.seq - 2].t < *b.t_at_least);
  }
  return false;
}

std::uint64_t Stepper::next_hit(std::uint64_t after,
                                const Breakpoint** which) const {
  for (std::uint64_t p = after + 1; p <= trace_.events.size(); ++p) {
    for (const Breakpoint& b : breakpoints_) {
      if (hits(b, trace_.events[p - 1])) {
        *which = &b;
        return p;
      }
    }
  }
  *which = nullptr;
  return 0;
}

std::uint64_t Stepper::previous_hit(std::uint64_t before,
                                    const Breakpoint** which) const {
  for (std::uint64_t p =
           std::min<std::uint64_t>(before, trace_.events.size() + 1);
       p-- > 1;) {
    for (const Breakpoint& b : breakpoints_) {
      if (hits(b, trace_.events[p - 1])) {
        *which = &b;
        return p;
      }
    }
  }
  *which = nullptr;
  return 0;
}

std::string Stepper::banner() const {
  using P = HubState::Phase;
  const P p = state_.phase;
  if (p == P::kStart) {
    return "-- phase: start (main runs; the hub has not looped yet)  "
           "then prepare timers -> fire timers -> poll";
  }
  if (p == P::kStall) return "-- phase: stall (the run ends here)";
  std::string down;
  for (const auto& [address, h] : state_.hosts) {
    if (!h.up) down += (down.empty() ? "" : ", ") + address;
  }
  if (!down.empty()) down = "   hosts down: " + down;
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
  return s + down;
}

void Stepper::show_current(std::ostream& out) const {
  if (state_.position == 0) {
    out << "at the start, before #1 (" << trace_.events.size() << " events)\n";
    return;
  }
  out << banner() << "\n"
      << event_line(trace_.events[state_.position - 1]) << "\n";
}

std::string Stepper::gts_view(std::size_t first, std::size_t count) const {
  std::ostringstream out;
  out << "greenthreads at #" << state_.position
      << " (t=" << format_time(state_.t) << "):\n";
  std::size_t index = 0;
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
    if (index++ < first) continue;
    if (index - first > count) break;
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
    if (!g.host.empty()) notes.push_back("on host " + g.host);
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
  for (const auto& [address, h] : state_.hosts) {
    out << "  host " << address << " " << (h.up ? "up" : "down") << " since #"
        << h.since;
    if (!h.why.empty()) out << " (" << h.why << ")";
    if (h.up) out << ", start in " << gt_name(h.start);
    out << "; " << h.crashes << (h.crashes == 1 ? " crash" : " crashes")
        << "; clock offset " << format_time(h.offset) << ", drift " << h.drift
        << " ppb";
    if (h.has_reading) {
      out << ", read " << format_time(h.reading) << " at #" << h.read_at;
    }
    out << "\n";
  }
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

std::string Stepper::gt_view(std::int64_t gt) const {
  auto it = state_.gts.find(gt);
  if (it == state_.gts.end()) return "";
  const HubState::Gt& g = it->second;
  std::ostringstream out;
  out << "greenthread " << gt_name(gt) << " at #" << state_.position
      << " (t=" << format_time(state_.t) << "): " << g.state;
  if (g.state == "blocked") out << " on " << g.waiting_on;
  if (g.since != 0) out << " since #" << g.since;
  out << "\n";
  if (g.created_at != 0) {
    out << "  spawned by " << gt_name(g.created_by) << " at #" << g.created_at
        << " (t=" << format_time(trace_.events[g.created_at - 1].t) << ")\n";
  }
  if (g.woken_at != 0 && g.state != "running") {
    out << "  waking: " << g.woken_how << " at #" << g.woken_at << "\n";
  }
  if (g.queued) {
    out << "  ready: queued by " << gt_name(g.queued_by) << " at #"
        << g.queued_at << "\n";
  }
  for (const auto& [id, tm] : state_.timers) {
    if (!tm.has_target || tm.target != gt) continue;
    out << "  timer " << id << " " << tm.action
        << " due t=" << format_time(tm.deadline) << " (added #" << tm.added_at
        << ", " << (tm.in_heap ? "heap" : "next_timers") << ")\n";
  }
  for (const auto& [key, l] : state_.listeners) {
    if (l.gt != gt) continue;
    out << "  fd " << key.first << " " << ev_word(key.second) << " since #"
        << l.added_at
        << (l.fired_at ? ", ready at #" + std::to_string(l.fired_at)
                       : std::string(", waiting"))
        << "\n";
  }
  // Its events so far (its own and switches away from it): the count, the
  // last few, and the next one.
  constexpr std::size_t kRecent = 5;
  std::vector<const StepEvent*> recent;
  std::uint64_t count = 0;
  auto about = [gt](const StepEvent& e) {
    return e.gt == gt || (e.type == EventKind::kSwitch && e.from == gt);
  };
  for (std::uint64_t p = state_.position; p > 0; --p) {
    const StepEvent& e = trace_.events[p - 1];
    if (!about(e)) continue;
    ++count;
    if (recent.size() < kRecent) recent.push_back(&e);
  }
  out << "  events so far: " << count;
  if (!recent.empty()) {
    out << (recent.size() < count
                ? "; the last " + std::to_string(recent.size())
                : std::string())
        << ":";
  }
  out << "\n";
  for (auto r = recent.rbegin(); r != recent.rend(); ++r) {
    out << "    " << event_line(**r) << "\n";
  }
  for (std::uint64_t p = state_.position; p < trace_.events.size(); ++p) {
    if (about(trace_.events[p])) {
      out << "  next: " << event_line(trace_.events[p]) << "\n";
      break;
    }
  }
  return out.str();
}

std::string Stepper::help_text() { return step_commands_help(); }

bool Stepper::execute(const std::string& raw, std::ostream& out) {
  std::string line = trim(raw);
  if (line.empty()) line = last_command_;
  if (line.empty()) return true;
  const std::vector<std::string> words = split_words(line);
  const StepCommand* command = find_step_command(words[0]);
  if (command == nullptr) {
    out << "unknown command '" << printable(words[0])
        << "' (help lists them)\n";
    return true;
  }
  last_command_ = line;
  return command->run(*this, words, out);
}

void Stepper::run(LineSource& in, std::ostream& out) {
  out << format_header_line(trace_) << "\n";
  show_current(out);
  out << "type help for the commands\n";
  std::string line;
  for (;;) {
    if (!in.read_line("(step) ", &line)) {
      out << "\n";
      break;
    }
    if (!execute(line, out)) break;
  }
}

void Stepper::run(std::istream& in, std::ostream& out, bool echo) {
  StreamLineSource source(in, out, echo);
  run(source, out);
}

}  // namespace eventlet::sim
