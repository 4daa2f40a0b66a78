// Copyright 2026 The eventlet-cpp Authors.
#include "sim/trace.h"

#include <algorithm>
#include <charconv>
#include <cstring>
#include <exception>
#include <optional>
#include <set>
#include <stdexcept>

#include "nlohmann/json.hpp"

namespace eventlet::sim {
namespace {

constexpr std::uint64_t kFnvOffset = 0xcbf29ce484222325ULL;
constexpr std::uint64_t kFnvPrime = 0x100000001b3ULL;
constexpr std::size_t kFlushBytes = 1 << 20;
constexpr std::size_t kMaxLine = 1 << 16;

void append_int(std::string& s, std::int64_t v) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  s.append(buf, r.ptr);
}

void append_escaped(std::string& s, std::string_view v) {
  static const char* hex = "0123456789abcdef";
  s.push_back('"');
  for (char ch : v) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == '"' || c == '\\') {
      s.push_back('\\');
      s.push_back(ch);
    } else if (c < 0x20 || c >= 0x7f) {
      // Control characters and every non-ASCII byte (read as Latin-1): the
      // output is ASCII, hence valid UTF-8, whatever the input bytes were.
      s.append("\\u00");
      s.push_back(hex[c >> 4]);
      s.push_back(hex[c & 15]);
    } else {
      s.push_back(ch);
    }
  }
  s.push_back('"');
}

const char* action_name(TimerInfo::Action a) {
  switch (a) {
    case TimerInfo::Action::kResume:
      return "resume";
    case TimerInfo::Action::kThrow:
      return "throw";
    case TimerInfo::Action::kCallback:
      return "callback";
  }
  return "?";
}

const char* ev_name(IoEvents e) { return e == kWrite ? "w" : "r"; }

std::size_t listen_key(int fd, IoEvents e) {
  return static_cast<std::size_t>(fd) * 2 + (e == kWrite ? 1 : 0);
}

}  // namespace

std::uint64_t trace_hash(std::uint64_t prev, std::string_view bytes) {
  std::uint64_t h = prev;
  for (char c : bytes) {
    h ^= static_cast<unsigned char>(c);
    h *= kFnvPrime;
  }
  return h;
}

std::string printable(std::string_view s, std::size_t max) {
  static const char* hex = "0123456789abcdef";
  const bool cut = s.size() > max;
  if (cut) s = s.substr(0, max < 3 ? 0 : max - 3);
  std::string out;
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c < 0x20 || c >= 0x7f) {
      out += "\\x";
      out.push_back(hex[c >> 4]);
      out.push_back(hex[c & 15]);
    } else {
      out.push_back(ch);
    }
  }
  if (cut) out += "...";
  return out;
}

// ---- TraceRecorder
// ------------------------------------------------------------

TraceRecorder::TraceRecorder(Hub& hub, const TraceHeader& header, bool format,
                             std::FILE* sink)
    : hub_(hub), format_(format), sink_(sink), flush_bytes_(kFlushBytes) {
  if (!format_) return;
  nlohmann::ordered_json h;
  h["format"] = kTraceFormat;
  h["version"] = header.version;
  h["seed"] = header.seed;
  h["strategy"] = header.strategy;
  h["build"] = header.build;
  if (header.strategy == "pct") {
    h["pct_depth"] = header.pct_depth;
    h["pct_horizon"] = header.pct_horizon;
  }
  if (header.faults.any()) {
    const FaultOptions& f = header.faults;
    nlohmann::ordered_json faults;
    faults["crash_rate"] = f.host_crash_rate;
    faults["restart_min"] = absl::ToInt64Nanoseconds(f.restart_delay_min);
    faults["restart_max"] = absl::ToInt64Nanoseconds(f.restart_delay_max);
    faults["clock_offset"] = absl::ToInt64Nanoseconds(f.clock_offset_bound);
    faults["clock_drift_ppm"] = f.clock_drift_ppm;
    h["faults"] = faults;
  }
  text_ = h.dump();
  hash_ = trace_hash(kFnvOffset, text_);
  text_.push_back('\n');
  text_.reserve(kFlushBytes + 4096);
}

TraceRecorder::~TraceRecorder() {
  if (installed_) uninstall();
}

void TraceRecorder::install(TieBreaker* inner) {
  inner_ = inner;
  registration_ = hub_.add_observer(*this);
  // FIFO (no inner tie breaker) stays the hub's own fast path: no picks, no
  // choose events.
  if (inner_ != nullptr) hub_.set_tie_breaker(this);
  installed_ = true;
}

void TraceRecorder::uninstall() {
  if (!installed_) return;
  registration_.reset();
  if (inner_ != nullptr) hub_.set_tie_breaker(inner_);
  installed_ = false;
  flush();
}

void TraceRecorder::flush() {
  if (sink_ == nullptr || text_.empty()) return;
  std::fwrite(text_.data(), 1, text_.size(), sink_);
  std::fflush(sink_);
  if (!keep_) text_.clear();
}

Creation TraceRecorder::creation(std::int64_t id) const {
  if (id < 0 || static_cast<std::size_t>(id) >= creations_.size()) return {};
  return creations_[static_cast<std::size_t>(id)];
}

std::uint64_t& TraceRecorder::wake_cause(std::int64_t id) {
  const std::size_t i = id < 0 ? 0 : static_cast<std::size_t>(id) + 1;
  if (i >= wake_cause_.size()) wake_cause_.resize(i * 2 + 16, 0);
  return wake_cause_[i];
}

bool TraceRecorder::begin(std::int64_t gt, const char* kind) {
  count();
  if (!format_) return false;
  line_start_ = text_.size();
  text_.append("{\"seq\":");
  append_int(text_, static_cast<std::int64_t>(seq_));
  text_.append(",\"t\":");
  append_int(text_, hub_.backend().now());
  text_.append(",\"gt\":");
  append_int(text_, gt);
  text_.append(",\"kind\":\"");
  text_.append(kind);
  text_.push_back('"');
  return true;
}

void TraceRecorder::field(const char* key, std::int64_t v) {
  text_.append(",\"");
  text_.append(key);
  text_.append("\":");
  append_int(text_, v);
}

void TraceRecorder::field_str(const char* key, std::string_view v) {
  text_.append(",\"");
  text_.append(key);
  text_.append("\":");
  append_escaped(text_, v);
}

void TraceRecorder::field_ids(const char* key,
                              const std::vector<std::int64_t>& ids) {
  text_.append(",\"");
  text_.append(key);
  text_.append("\":[");
  for (std::size_t i = 0; i < ids.size(); ++i) {
    if (i != 0) text_.push_back(',');
    append_int(text_, ids[i]);
  }
  text_.push_back(']');
}

void TraceRecorder::end(std::uint64_t cause) {
  if (cause != 0) field("cause", static_cast<std::int64_t>(cause));
  hash_ = trace_hash(hash_, std::string_view(text_).substr(
                                line_start_, text_.size() - line_start_));
  static const char* hex = "0123456789abcdef";
  char h[16];
  for (int i = 0; i < 16; ++i) h[i] = hex[(hash_ >> (60 - 4 * i)) & 15];
  text_.append(",\"h\":\"");
  text_.append(h, 16);
  text_.append("\"}\n");
  if (text_.size() >= flush_bytes_ && sink_ != nullptr && !keep_) flush();
}

void TraceRecorder::flush_each_line(bool on) {
  flush_bytes_ = on ? 1 : kFlushBytes;
  if (on) flush();
}

void TraceRecorder::note_stall(const char* why) {
  if (begin(current_id(), "stall")) {
    field_str("why", why);
    end(0);
  }
}

void TraceRecorder::note_outcome(std::string_view result,
                                 std::string_view message) {
  if (begin(current_id(), "outcome")) {
    field_str("result", result);
    field_str("message", message);
    end(0);
  }
}

void TraceRecorder::note_host_start(std::string_view host, std::int64_t start,
                                    std::int64_t offset, std::int64_t drift) {
  if (begin(current_id(), "host_start")) {
    field_str("host", host);
    field("start", start);
    field("offset", offset);
    field("drift", drift);
    end(last_switch_);
  }
}

void TraceRecorder::note_host_crash(std::string_view host,
                                    std::string_view why) {
  if (begin(current_id(), "host_crash")) {
    field_str("host", host);
    field_str("why", why);
    end(last_switch_);
  }
}

void TraceRecorder::note_host_restart(std::string_view host,
                                      std::string_view why,
                                      std::int64_t start) {
  if (begin(current_id(), "host_restart")) {
    field_str("host", host);
    field_str("why", why);
    field("start", start);
    end(last_switch_);
  }
}

void TraceRecorder::note_clock_read(std::string_view host,
                                    std::int64_t reading) {
  if (begin(current_id(), "clock_read")) {
    field_str("host", host);
    field("reading", reading);
    end(last_switch_);
  }
}

void TraceRecorder::note_buggify(std::string_view site, std::uint64_t call) {
  if (begin(current_id(), "buggify")) {
    field_str("site", site);
    field("call", static_cast<std::int64_t>(call));
    end(last_switch_);
  }
}

void TraceRecorder::note_invariant(std::string_view name,
                                   std::string_view message) {
  if (begin(current_id(), "invariant")) {
    field_str("name", name);
    field_str("message", message);
    end(0);
  }
}

void TraceRecorder::on_spawn(const Greenlet& g, const Greenlet& creator) {
  const std::size_t id = static_cast<std::size_t>(g.id());
  if (id >= creations_.size()) creations_.resize(id * 2 + 16);
  creations_[id] = Creation{true, seq_ + 1, hub_.backend().now(), creator.id()};
  if (begin(g.id(), "spawn")) {
    field("by", creator.id());
    end(last_switch_);
  }
}

void TraceRecorder::on_switch(const Greenlet& from, const Greenlet& to) {
  std::uint64_t& cause = wake_cause(to.id());
  if (begin(to.id(), "switch")) {
    field("from", from.id());
    end(cause);
  }
  cause = 0;
  last_switch_ = seq_;
}

void TraceRecorder::on_block(const Greenlet& g, const char* waiting_on) {
  if (begin(g.id(), "block")) {
    field_str("on", waiting_on == nullptr ? "" : waiting_on);
    if (std::optional<ObjectInfo> object = hub_.waiting_object(g)) {
      field("obj", static_cast<std::int64_t>(object->id()));
    }
    end(0);
  }
}

void TraceRecorder::on_ready(const Greenlet& g, const Greenlet& waker,
                             std::uint64_t timer) {
  // A primitive's wake-up (on_wake) causes the readies that follow it.
  std::uint64_t cause = last_switch_;
  if (wake_left_ != 0) {
    --wake_left_;
    cause = wake_seq_;
  }
  if (begin(g.id(), "ready")) {
    field("by", waker.id());
    field("timer", static_cast<std::int64_t>(timer));
    end(cause);
  }
  wake_cause(g.id()) = seq_;
  ready_mirror_.push_back(g.id());
}

void TraceRecorder::on_wake(const char* op, const ObjectInfo& object,
                            std::span<const Greenlet* const> woken) {
  if (begin(current_id(), op)) {
    field("obj", static_cast<std::int64_t>(object.id()));
    text_.append(",\"wakes\":[");
    for (std::size_t i = 0; i < woken.size(); ++i) {
      if (i != 0) text_.push_back(',');
      append_int(text_, woken[i]->id());
    }
    text_.push_back(']');
    end(last_switch_);
    wake_seq_ = seq_;
    wake_left_ = woken.size();
  }
}

void TraceRecorder::on_prepare_timers(const TimerList& timers) {
  if (begin(current_id(), "prepare_timers")) {
    text_.append(",\"timers\":[");
    for (std::size_t i = 0; i < timers.size(); ++i) {
      if (i != 0) text_.push_back(',');
      append_int(text_, static_cast<std::int64_t>(timers[i].seq()));
    }
    text_.push_back(']');
    end(0);
  }
}

std::uint64_t& TraceRecorder::fd_delivery(std::size_t key) {
  if (key >= fd_deliveries_.size()) fd_deliveries_.resize(key * 2 + 16, 0);
  return fd_deliveries_[key];
}

void TraceRecorder::on_exit(const Greenlet& g) {
  if (begin(g.id(), "exit")) end(creation(g.id()).seq);
}

void TraceRecorder::on_exception(std::exception_ptr error,
                                 std::string_view where) {
  if (format_) {
    std::string what = "unknown exception";
    try {
      if (error) std::rethrow_exception(error);
    } catch (const std::exception& e) {
      what = e.what();
    } catch (...) {
    }
    begin(current_id(), "exception");
    field_str("where", where);
    field_str("what", what);
    end(last_switch_);
  } else {
    count();
  }
}

void TraceRecorder::on_timer_add(const TimerInfo& t) {
  if (begin(current_id(), "timer_add")) {
    field("timer", static_cast<std::int64_t>(t.seq()));
    field("deadline", t.deadline());
    field_str("action", action_name(t.action()));
    if (t.target() != nullptr) field("target", t.target()->id());
    end(0);
    timer_adds_[t.seq()] = seq_;
  }
}

std::uint64_t TraceRecorder::take_timer_add(std::uint64_t timer) {
  auto it = timer_adds_.find(timer);
  if (it == timer_adds_.end()) return 0;
  const std::uint64_t seq = it->second;
  timer_adds_.erase(it);
  return seq;
}

void TraceRecorder::on_timer_fire(const TimerInfo& t) {
  if (begin(current_id(), "timer_fire")) {
    field("timer", static_cast<std::int64_t>(t.seq()));
    end(take_timer_add(t.seq()));
    if (t.action() != TimerInfo::Action::kCallback) {
      if (t.target() != nullptr) wake_cause(t.target()->id()) = seq_;
    } else {
      // The hub runs the callback now: what it does (wake a waiter, spawn)
      // happens because of this timer, not of the last switch.
      last_switch_ = seq_;
    }
  }
}

void TraceRecorder::on_timer_cancel(const TimerInfo& t) {
  if (begin(current_id(), "timer_cancel")) {
    field("timer", static_cast<std::int64_t>(t.seq()));
    end(take_timer_add(t.seq()));
  }
}

void TraceRecorder::on_listen_add(int fd, IoEvents event, const Greenlet& g) {
  if (begin(g.id(), "listen_add")) {
    field("fd", fd);
    field_str("ev", ev_name(event));
    end(0);
    const std::size_t k = listen_key(fd, event);
    if (k >= listen_adds_.size()) listen_adds_.resize(k * 2 + 16, 0);
    listen_adds_[k] = seq_;
    fd_delivery(k) = 0;  // what arrived before the wait did not end it
  }
}

void TraceRecorder::on_listen_fire(int fd, IoEvents event, const Greenlet& g) {
  if (begin(g.id(), "listen_fire")) {
    field("fd", fd);
    field_str("ev", ev_name(event));
    // The packet delivery that made the fd ready, else the poll reporting it.
    std::uint64_t& delivery = fd_delivery(listen_key(fd, event));
    end(delivery != 0 ? delivery : last_poll_done_);
    delivery = 0;
    wake_cause(g.id()) = seq_;
  }
}

void TraceRecorder::on_listen_remove(int fd, IoEvents event,
                                     const Greenlet& g) {
  if (begin(g.id(), "listen_remove")) {
    field("fd", fd);
    field_str("ev", ev_name(event));
    const std::size_t k = listen_key(fd, event);
    end(k < listen_adds_.size() ? listen_adds_[k] : 0);
  }
}

void TraceRecorder::on_net(const NetEvent& e) {
  using K = NetEvent::Kind;
  static constexpr const char* kKinds[] = {
      "net_send",      "net_deliver", "net_drop",      "net_reset",
      "net_duplicate", "net_reorder", "net_partition", "net_heal"};
  if (!begin(current_id(), kKinds[static_cast<int>(e.kind)])) return;
  std::uint64_t cause = 0;
  auto send_of = [&](std::uint64_t packet) -> std::uint64_t {
    auto it = packet_sends_.find(packet);
    return it == packet_sends_.end() ? 0 : it->second;
  };
  switch (e.kind) {
    case K::kPartition:
    case K::kHeal:
      field_str("src", e.from);
      field_str("dst", e.to);
      field_str("reason", e.reason);
      // A call is made by whoever runs; a scheduled change by the clock.
      end(std::string_view(e.reason) == "call" ? last_switch_ : 0);
      return;
    case K::kReset:
      if (e.id != 0) field("packet", static_cast<std::int64_t>(e.id));
      field("fd", e.fd);
      field_str("src", e.from);
      field_str("dst", e.to);
      field_str("reason", e.reason);
      end(last_switch_);
      last_fault_ = seq_;
      for (IoEvents ev : {kRead, kWrite}) {
        std::uint64_t& first = fd_delivery(listen_key(e.fd, ev));
        if (first == 0) first = seq_;
      }
      return;
    case K::kDuplicate:
      field("packet", static_cast<std::int64_t>(e.id));
      field("of", static_cast<std::int64_t>(e.of));
      field_str("what", e.what);
      field_str("src", e.from);
      field_str("dst", e.to);
      field("bytes", static_cast<std::int64_t>(e.bytes));
      end(send_of(e.of));
      last_fault_ = seq_;
      return;
    case K::kReorder:
      field("packet", static_cast<std::int64_t>(e.id));
      field("delay", e.jitter);
      field("at", e.at);
      end(send_of(e.id));
      return;
    case K::kSend:
    case K::kDeliver:
    case K::kDrop:
      break;
  }
  field("packet", static_cast<std::int64_t>(e.id));
  field_str("what", e.what);
  field_str("src", e.from);
  field_str("dst", e.to);
  field("bytes", static_cast<std::int64_t>(e.bytes));
  if (e.kind == K::kSend) {
    if (e.at != Backend::kNoDeadline) field("at", e.at);
    if (e.jitter >= 0) field("jitter", e.jitter);
    if (e.after_fault) cause = last_fault_;
  } else if (e.kind == K::kDrop && e.reason != nullptr) {
    field_str("reason", e.reason);
  }
  if (e.kind != K::kSend) {
    if (auto it = packet_sends_.find(e.id); it != packet_sends_.end()) {
      cause = it->second;
      packet_sends_.erase(it);
    }
  }
  end(cause);
  if (e.kind == K::kSend) packet_sends_[e.id] = seq_;
  if (e.kind == K::kDeliver && e.fd >= 0) {
    for (IoEvents ev : {kRead, kWrite}) {
      if ((e.fd_events & ev) == 0) continue;
      std::uint64_t& first = fd_delivery(listen_key(e.fd, ev));
      if (first == 0) first = seq_;
    }
  }
}

void TraceRecorder::on_pass(std::int64_t /*when*/) {
  ready_mirror_.clear();
  if (begin(current_id(), "pass")) end(0);
}

void TraceRecorder::on_poll(std::int64_t deadline) {
  if (begin(current_id(), "poll")) {
    if (deadline != Backend::kNoDeadline) field("deadline", deadline);
    end(0);
  }
}

void TraceRecorder::on_poll_done(std::size_t ready) {
  if (begin(current_id(), "poll_done")) {
    field("ready", static_cast<std::int64_t>(ready));
    end(0);
    last_poll_done_ = seq_;
  }
}

std::size_t TraceRecorder::pick(std::span<const Greenlet* const> candidates) {
  const std::size_t n = candidates.size();
  std::size_t k = inner_ != nullptr ? inner_->pick(candidates) : 0;
  if (k >= n) k = n - 1;
  if (!format_) return k;
  if (choose_left_.empty()) {
    // First pick of a pass: the pass's wake-ups are the mirror (queued since
    // the previous pass began, in queue order).
    if (ready_mirror_.size() != n) return k;  // cannot name them; no event
    choose_set_ = ready_mirror_;
    choose_left_ = ready_mirror_;
    choose_order_.clear();
  }
  if (choose_left_.size() != n) {  // out of step: give up on this pass
    choose_left_.clear();
    return k;
  }
  choose_order_.push_back(choose_left_[k]);
  choose_left_.erase(choose_left_.begin() + static_cast<std::ptrdiff_t>(k));
  if (n == 2) {
    choose_order_.push_back(choose_left_[0]);
    choose_left_.clear();
    begin(current_id(), "choose");
    field_ids("set", choose_set_);
    field_ids("order", choose_order_);
    end(0);
  }
  return k;
}

// ---- Parsing
// ------------------------------------------------------------------

std::string TraceError::to_string() const {
  if (line == 0) return "trace: " + message;
  return "trace line " + std::to_string(line) + ": " + message;
}

namespace {

enum class Type { kInt, kUint, kString, kIds };

struct FieldSpec {
  const char* key;
  Type type;
  bool required;
};

struct KindSpec {
  const char* kind;
  std::vector<FieldSpec> fields;
};

const std::vector<KindSpec>& kind_specs() {
  static const std::vector<KindSpec> specs = {
      {"spawn", {{"by", Type::kInt, true}}},
      {"switch", {{"from", Type::kInt, true}}},
      {"block", {{"on", Type::kString, true}, {"obj", Type::kUint, false}}},
      {"ready", {{"by", Type::kInt, true}, {"timer", Type::kUint, true}}},
      {"event_send", {{"obj", Type::kUint, true}, {"wakes", Type::kIds, true}}},
      {"queue_put", {{"obj", Type::kUint, true}, {"wakes", Type::kIds, true}}},
      {"queue_get", {{"obj", Type::kUint, true}, {"wakes", Type::kIds, true}}},
      {"queue_task_done",
       {{"obj", Type::kUint, true}, {"wakes", Type::kIds, true}}},
      {"sem_release",
       {{"obj", Type::kUint, true}, {"wakes", Type::kIds, true}}},
      {"prepare_timers", {{"timers", Type::kIds, true}}},
      {"exit", {}},
      {"exception",
       {{"where", Type::kString, true}, {"what", Type::kString, true}}},
      {"timer_add",
       {{"timer", Type::kUint, true},
        {"deadline", Type::kInt, true},
        {"action", Type::kString, true},
        {"target", Type::kInt, false}}},
      {"timer_fire", {{"timer", Type::kUint, true}}},
      {"timer_cancel", {{"timer", Type::kUint, true}}},
      {"listen_add", {{"fd", Type::kInt, true}, {"ev", Type::kString, true}}},
      {"listen_fire", {{"fd", Type::kInt, true}, {"ev", Type::kString, true}}},
      {"listen_remove",
       {{"fd", Type::kInt, true}, {"ev", Type::kString, true}}},
      {"pass", {}},
      {"poll", {{"deadline", Type::kInt, false}}},
      {"poll_done", {{"ready", Type::kUint, true}}},
      {"choose", {{"set", Type::kIds, true}, {"order", Type::kIds, true}}},
      {"stall", {{"why", Type::kString, true}}},
      {"outcome",
       {{"result", Type::kString, true}, {"message", Type::kString, true}}},
      {"net_send",
       {{"packet", Type::kUint, true},
        {"what", Type::kString, true},
        {"src", Type::kString, true},
        {"dst", Type::kString, true},
        {"bytes", Type::kUint, true},
        {"at", Type::kInt, false},
        {"jitter", Type::kUint, false}}},
      {"net_deliver",
       {{"packet", Type::kUint, true},
        {"what", Type::kString, true},
        {"src", Type::kString, true},
        {"dst", Type::kString, true},
        {"bytes", Type::kUint, true}}},
      {"net_drop",
       {{"packet", Type::kUint, true},
        {"what", Type::kString, true},
        {"src", Type::kString, true},
        {"dst", Type::kString, true},
        {"bytes", Type::kUint, true},
        {"reason", Type::kString, false}}},
      {"host_start",
       {{"host", Type::kString, true},
        {"start", Type::kInt, true},
        {"offset", Type::kInt, true},
        {"drift", Type::kInt, true}}},
      {"host_crash",
       {{"host", Type::kString, true}, {"why", Type::kString, true}}},
      {"host_restart",
       {{"host", Type::kString, true},
        {"why", Type::kString, true},
        {"start", Type::kInt, true}}},
      {"clock_read",
       {{"host", Type::kString, true}, {"reading", Type::kInt, true}}},
      {"net_reset",
       {{"packet", Type::kUint, false},
        {"fd", Type::kInt, true},
        {"src", Type::kString, true},
        {"dst", Type::kString, true},
        {"reason", Type::kString, true}}},
      {"net_duplicate",
       {{"packet", Type::kUint, true},
        {"of", Type::kUint, true},
        {"what", Type::kString, true},
        {"src", Type::kString, true},
        {"dst", Type::kString, true},
        {"bytes", Type::kUint, true}}},
      {"net_reorder",
       {{"packet", Type::kUint, true},
        {"delay", Type::kUint, true},
        {"at", Type::kInt, true}}},
      {"net_partition",
       {{"src", Type::kString, true},
        {"dst", Type::kString, true},
        {"reason", Type::kString, true}}},
      {"net_heal",
       {{"src", Type::kString, true},
        {"dst", Type::kString, true},
        {"reason", Type::kString, true}}},
      {"buggify", {{"site", Type::kString, true}, {"call", Type::kUint, true}}},
      {"invariant",
       {{"name", Type::kString, true}, {"message", Type::kString, true}}},
  };
  return specs;
}

const char* type_name(Type t) {
  switch (t) {
    case Type::kInt:
      return "an integer";
    case Type::kUint:
      return "a non-negative integer";
    case Type::kString:
      return "a string";
    case Type::kIds:
      return "an array of integers";
  }
  return "?";
}

bool has_type(const nlohmann::json& v, Type t) {
  switch (t) {
    case Type::kInt:
      return v.is_number_integer() &&
             (v.is_number_unsigned() ? v.get<std::uint64_t>() <=
                                           static_cast<std::uint64_t>(INT64_MAX)
                                     : true);
    case Type::kUint:
      return v.is_number_unsigned() ||
             (v.is_number_integer() && v.get<std::int64_t>() >= 0);
    case Type::kString:
      return v.is_string();
    case Type::kIds:
      if (!v.is_array()) return false;
      for (const auto& e : v) {
        if (!has_type(e, Type::kInt)) return false;
      }
      return true;
  }
  return false;
}

bool is_hex16(std::string_view s) {
  if (s.size() != 16) return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

// Parses one line as JSON; discarded (is_discarded()) if it is not valid
// JSON or if any object in it repeats a key (nlohmann would keep the last:
// two readers could disagree on what the line says).
nlohmann::json parse_strict(std::string_view line) {
  std::vector<std::set<std::string>> keys;  // one per open object
  bool duplicate = false;
  auto callback = [&](int /*depth*/, nlohmann::json::parse_event_t event,
                      nlohmann::json& parsed) {
    using E = nlohmann::json::parse_event_t;
    if (event == E::object_start) {
      keys.emplace_back();
    } else if (event == E::object_end) {
      if (!keys.empty()) keys.pop_back();
    } else if (event == E::key && !keys.empty()) {
      if (!keys.back().insert(parsed.get<std::string>()).second) {
        duplicate = true;
      }
    }
    return true;
  };
  nlohmann::json j = nlohmann::json::parse(line, callback, false);
  if (duplicate) return nlohmann::json(nlohmann::json::value_t::discarded);
  return j;
}

// The header's "faults" object (sim/faults.h's FaultOptions).
bool read_faults(const nlohmann::json& j, FaultOptions* f, std::string* why) {
  *why =
      "\"faults\" in the header needs exactly crash_rate, restart_min, "
      "restart_max, clock_offset (non-negative integers but the rate) and "
      "clock_drift_ppm, within their bounds";
  if (!j.is_object() || j.size() != 5) return false;
  for (const char* key : {"restart_min", "restart_max", "clock_offset"}) {
    auto v = j.find(key);
    if (v == j.end() || !v->is_number_unsigned() ||
        v->get<std::uint64_t>() > static_cast<std::uint64_t>(INT64_MAX)) {
      return false;
    }
  }
  for (const char* key : {"crash_rate", "clock_drift_ppm"}) {
    auto v = j.find(key);
    if (v == j.end() || !v->is_number()) return false;
  }
  f->host_crash_rate = j["crash_rate"].get<double>();
  f->restart_delay_min =
      absl::Nanoseconds(j["restart_min"].get<std::int64_t>());
  f->restart_delay_max =
      absl::Nanoseconds(j["restart_max"].get<std::int64_t>());
  f->clock_offset_bound =
      absl::Nanoseconds(j["clock_offset"].get<std::int64_t>());
  f->clock_drift_ppm = j["clock_drift_ppm"].get<double>();
  if (!(f->host_crash_rate >= 0) || !(f->clock_drift_ppm >= 0) ||
      !(f->clock_drift_ppm < 1e6) ||
      f->restart_delay_max < f->restart_delay_min) {
    return false;
  }
  why->clear();
  return true;
}

bool check_header(std::string_view line, TraceHeader* h, std::string* why) {
  nlohmann::json j = parse_strict(line);
  if (j.is_discarded() || !j.is_object()) {
    *why = "expected the header, a JSON object without repeated keys; got: " +
           printable(line);
    return false;
  }
  auto format = j.find("format");
  if (format == j.end() || !format->is_string() ||
      format->get<std::string>() != kTraceFormat) {
    *why = std::string("expected \"format\":\"") + kTraceFormat +
           "\" in the header (not a trace?)";
    return false;
  }
  auto version = j.find("version");
  if (version == j.end() || !version->is_number_integer()) {
    *why = "expected an integer \"version\" in the header";
    return false;
  }
  if (version->get<std::int64_t>() != kTraceVersion) {
    *why = "unsupported trace version " + printable(version->dump()) +
           ": this build reads version " + std::to_string(kTraceVersion);
    if (version->get<std::int64_t>() == 3) {
      *why +=
          " (version 3 traces have no host events (host_start, host_crash, "
          "clock_read...): record the program again with this build)";
    } else if (version->get<std::int64_t>() == 2) {
      *why +=
          " (version 2 traces have no prepare_timers or wake-up events "
          "(event_send, queue_put, sem_release...) and other causes: record "
          "the program again with this build)";
    } else if (version->get<std::int64_t>() < kTraceVersion) {
      *why +=
          " (older traces have no outcome event and cannot drive a replay: "
          "record the program again with this build)";
    }
    return false;
  }
  auto seed = j.find("seed");
  if (seed == j.end() || !seed->is_number_unsigned()) {
    *why = "expected a non-negative integer \"seed\" in the header";
    return false;
  }
  auto strategy = j.find("strategy");
  if (strategy == j.end() || !strategy->is_string()) {
    *why = "expected a string \"strategy\" in the header";
    return false;
  }
  const std::string s = strategy->get<std::string>();
  if (s != "fifo" && s != "random" && s != "pct" && s != "live") {
    *why = "unknown strategy \"" + printable(s) +
           "\" (expected fifo, random, pct or live)";
    return false;
  }
  auto build = j.find("build");
  if (build == j.end() || !build->is_string()) {
    *why = "expected a string \"build\" in the header";
    return false;
  }
  std::size_t keys = 5;
  if (s == "pct") {
    for (const char* key : {"pct_depth", "pct_horizon"}) {
      auto v = j.find(key);
      if (v == j.end() || !v->is_number_unsigned() ||
          v->get<std::uint64_t>() == 0) {
        *why = std::string("a pct trace's header needs \"") + key +
               "\" (a positive integer)";
        return false;
      }
    }
    h->pct_depth = j["pct_depth"].get<std::uint64_t>();
    if (h->pct_depth > kMaxPctDepth) {
      *why = "\"pct_depth\" above " + std::to_string(kMaxPctDepth);
      return false;
    }
    h->pct_horizon = j["pct_horizon"].get<std::uint64_t>();
    keys = 7;
  }
  if (auto faults = j.find("faults"); faults != j.end()) {
    if (!read_faults(*faults, &h->faults, why)) return false;
    ++keys;
  }
  if (j.size() != keys) {
    *why = "unexpected fields in the header";
    return false;
  }
  h->version = kTraceVersion;
  h->seed = seed->get<std::uint64_t>();
  h->strategy = s;
  h->build = build->get<std::string>();
  return true;
}

// What check_event learnt about a valid line.
struct EventInfo {
  std::string kind;
  bool edited = false;  // a choose whose hash does not match (allowed edit)
};

bool is_permutation_of(const nlohmann::json& a, const nlohmann::json& b) {
  std::vector<std::int64_t> x, y;
  for (const auto& v : a) x.push_back(v.get<std::int64_t>());
  for (const auto& v : b) y.push_back(v.get<std::int64_t>());
  std::sort(x.begin(), x.end());
  std::sort(y.begin(), y.end());
  return x == y;
}

bool check_event(std::string_view line, std::uint64_t expect_seq,
                 bool allow_edited_choices, std::int64_t* last_t,
                 std::uint64_t* hash, EventInfo* info, std::string* why) {
  // The hash first: it catches any change of bytes, with a precise message.
  static constexpr std::string_view kH = ",\"h\":\"";
  const std::size_t at = line.rfind(kH);
  if (at == std::string_view::npos || line.size() != at + kH.size() + 18 ||
      line.substr(line.size() - 2) != "\"}" ||
      !is_hex16(line.substr(at + kH.size(), 16))) {
    *why = "expected the event to end with ,\"h\":\"<16 hex digits>\"}";
    return false;
  }
  const std::string_view recorded = line.substr(at + kH.size(), 16);
  const std::uint64_t h = trace_hash(*hash, line.substr(0, at));
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(h));
  const bool hash_ok = recorded == std::string_view(hex, 16);
  if (!hash_ok && !allow_edited_choices) {
    *why = "rolling hash mismatch (expected " + std::string(hex, 16) +
           "): the line or one before it was altered";
    return false;
  }
  nlohmann::json j = parse_strict(line);
  if (j.is_discarded() || !j.is_object()) {
    *why = "expected an event, a JSON object without repeated keys; got: " +
           printable(line);
    return false;
  }
  auto seq = j.find("seq");
  if (seq == j.end() || !has_type(*seq, Type::kUint) ||
      seq->get<std::uint64_t>() != expect_seq) {
    *why = "expected \"seq\":" + std::to_string(expect_seq);
    return false;
  }
  auto t = j.find("t");
  if (t == j.end() || !has_type(*t, Type::kInt)) {
    *why = "expected an integer \"t\" (virtual time, ns)";
    return false;
  }
  if (t->get<std::int64_t>() < 0) {
    *why =
        "negative time " + printable(t->dump()) + " (virtual time starts at 0)";
    return false;
  }
  if (t->get<std::int64_t>() < *last_t) {
    *why = "time goes backwards (" + printable(t->dump()) + " < " +
           std::to_string(*last_t) + ")";
    return false;
  }
  auto gt = j.find("gt");
  if (gt == j.end() || !has_type(*gt, Type::kInt)) {
    *why = "expected an integer \"gt\" (greenthread id)";
    return false;
  }
  auto kind = j.find("kind");
  if (kind == j.end() || !kind->is_string()) {
    *why = "expected a string \"kind\"";
    return false;
  }
  const std::string k = kind->get<std::string>();
  const KindSpec* spec = nullptr;
  for (const KindSpec& s : kind_specs()) {
    if (k == s.kind) spec = &s;
  }
  if (spec == nullptr) {
    *why = "unknown kind \"" + printable(k) + "\"";
    return false;
  }
  if (!hash_ok && k != "choose") {
    *why = "rolling hash mismatch (expected " + std::string(hex, 16) +
           "): the line was altered (only the order of a choose event may "
           "be edited)";
    return false;
  }
  std::size_t known = 5;  // seq t gt kind h
  for (const FieldSpec& f : spec->fields) {
    auto v = j.find(f.key);
    if (v == j.end()) {
      if (f.required) {
        *why = "a " + k + " event needs \"" + f.key + "\" (" +
               type_name(f.type) + ")";
        return false;
      }
      continue;
    }
    if (!has_type(*v, f.type)) {
      *why = std::string("\"") + f.key + "\" must be " + type_name(f.type);
      return false;
    }
    ++known;
  }
  if (k == "choose" && !is_permutation_of(j["set"], j["order"])) {
    *why =
        "a choose event's \"order\" must list the ids of its \"set\", "
        "each as often";
    return false;
  }
  auto cause = j.find("cause");
  if (cause != j.end()) {
    if (!has_type(*cause, Type::kUint) || cause->get<std::uint64_t>() == 0 ||
        cause->get<std::uint64_t>() >= expect_seq) {
      *why = "\"cause\" must be the seq of an earlier event";
      return false;
    }
    ++known;
  }
  if (j.size() != known) {
    *why = "unexpected fields in a " + k + " event";
    return false;
  }
  *last_t = t->get<std::int64_t>();
  // Chained through the recorded hash: an edited choose line does not make
  // every later line fail.
  std::uint64_t recorded_h = 0;
  std::from_chars(recorded.data(), recorded.data() + recorded.size(),
                  recorded_h, 16);
  *hash = recorded_h;
  info->kind = k;
  info->edited = !hash_ok;
  return true;
}

}  // namespace

const std::vector<std::string_view>& trace_event_kinds() {
  static const std::vector<std::string_view> kinds = [] {
    std::vector<std::string_view> v;
    for (const KindSpec& s : kind_specs()) v.push_back(s.kind);
    return v;
  }();
  return kinds;
}

bool parse_trace(std::string_view text, ParsedTrace* out, TraceError* error,
                 const ParseOptions& options) {
  *out = ParsedTrace{};
  std::size_t pos = 0;
  std::size_t line_no = 0;
  std::uint64_t hash = kFnvOffset;
  std::int64_t last_t = 0;
  bool ended = false;  // the outcome event was read
  std::string why;
  auto fail = [&](std::size_t line, std::string message) {
    error->line = line;
    error->message = std::move(message);
    return false;
  };
  if (text.empty()) return fail(1, "empty file: expected the header");
  while (pos < text.size()) {
    ++line_no;
    const std::size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) {
      return fail(line_no, "truncated: the last line has no newline");
    }
    const std::string_view line = text.substr(pos, nl - pos);
    pos = nl + 1;
    if (line.size() > kMaxLine) {
      return fail(line_no,
                  "line longer than " + std::to_string(kMaxLine) + " bytes");
    }
    if (line_no == 1) {
      if (!check_header(line, &out->header, &why)) return fail(1, why);
      hash = trace_hash(hash, line);
    } else {
      if (ended) {
        return fail(line_no, "an event after the outcome event (the last)");
      }
      EventInfo info;
      if (!check_event(line, line_no - 1, options.allow_edited_choices, &last_t,
                       &hash, &info, &why)) {
        return fail(line_no, why);
      }
      if (info.edited) out->edited_lines.push_back(line_no);
      ended = info.kind == "outcome";
    }
    out->lines.emplace_back(line);
  }
  out->complete = ended;
  if (!ended && !options.allow_edited_choices) {
    return fail(line_no + 1,
                "no outcome event at the end: the recording did not finish "
                "(or the file was cut short)");
  }
  out->final_hash = hash;
  return true;
}

std::string TraceOutcome::to_string() const {
  if (message.empty()) return result;
  std::string quoted;
  append_escaped(quoted, message);
  return result + " " + quoted;
}

TraceOutcome trace_outcome(const ParsedTrace& trace) {
  TraceOutcome out;
  if (trace.lines.size() < 2) return out;
  const nlohmann::json j =
      nlohmann::json::parse(trace.lines.back(), nullptr, false);
  if (!j.is_object() || j.value("kind", "") != "outcome") return out;
  out.result = j.value("result", "");
  out.message = j.value("message", "");
  return out;
}

}  // namespace eventlet::sim
