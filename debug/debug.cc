// Copyright 2026 The eventlet-cpp Authors.
#include "debug/debug.h"

#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cinttypes>
#include <cstdarg>
#include <cstdio>
#include <string>
#include <vector>

#include "debug/internal/hub_debug.h"
#include "debug/internal/stacks.h"
#include "hub/hub.h"
#include "hub/timer.h"
#include "tpool/tpool.h"

namespace eventlet::debug {
namespace internal {
namespace {

// Frames between the user's code and our observer callback are eventlet's and
// are trimmed at format time; skip only the callback itself here.
constexpr int kSkipObserverFrames = 1;

struct Holder {
  std::unique_ptr<HubDebug> state;
  ~Holder() {
    // Before the hub's own thread-exit teardown (constructed after it, so
    // destroyed before it): take our observer off.
    state.reset();
  }
};
thread_local Holder tls_holder;

}  // namespace

// ---- Watch ----

std::int64_t monotonic_ns() {
  timespec ts;
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return std::int64_t{ts.tv_sec} * 1000000000 + ts.tv_nsec;
}

void Watch::bump() {
  const std::int64_t now = monotonic_ns();
  const std::int64_t held = now - progress_ns.load(std::memory_order_relaxed);
  if (held >= absl::ToInt64Nanoseconds(resolution) &&
      !idle.load(std::memory_order_relaxed)) {
    Missed m;
    m.progress = progress.load(std::memory_order_relaxed);
    m.who = who_runs(&m.id);
    m.held_ns = held;
    std::lock_guard lock(missed_mu);
    if (missed.size() == kMaxMissed) missed.pop_front();
    missed.push_back(std::move(m));
  }
  progress_ns.store(now, std::memory_order_relaxed);
  progress.fetch_add(1, std::memory_order_release);
}

void Watch::set_running(const Greenlet& g) {
  const std::uint32_t s = seq.load(std::memory_order_relaxed);
  seq.store(s + 1, std::memory_order_relaxed);
  std::atomic_thread_fence(std::memory_order_release);
  current_id.store(g.id(), std::memory_order_relaxed);
  callback_seq.store(0, std::memory_order_relaxed);
  exited_id.store(-2, std::memory_order_relaxed);
  const std::string& n = g.name();
  const std::size_t len = std::min<std::size_t>(n.size(), kNameBytes - 1);
  for (std::size_t i = 0; i < len; ++i)
    name[i].store(n[i], std::memory_order_relaxed);
  name[len].store('\0', std::memory_order_relaxed);
  seq.store(s + 2, std::memory_order_release);
}

std::string Watch::who_runs(std::int64_t* id) const {
  for (;;) {
    const std::uint32_t s1 = seq.load(std::memory_order_acquire);
    if (s1 & 1) continue;
    const std::int64_t gid = current_id.load(std::memory_order_relaxed);
    const std::uint64_t cb = callback_seq.load(std::memory_order_relaxed);
    const std::int64_t exited = exited_id.load(std::memory_order_relaxed);
    char buf[kNameBytes];
    for (int i = 0; i < kNameBytes; ++i)
      buf[i] = name[i].load(std::memory_order_relaxed);
    buf[kNameBytes - 1] = '\0';
    std::atomic_thread_fence(std::memory_order_acquire);
    if (seq.load(std::memory_order_relaxed) != s1) continue;
    *id = gid;
    if (exited != -2) {
      // The hub reports no switch after a greenlet exits (see docs).
      return "the greenlet resumed after greenthread " +
             std::to_string(exited) + " exited";
    }
    if (gid == -1) {
      return cb != 0 ? "hub greenlet: timer callback (seq " +
                           std::to_string(cb) + ")"
                     : "hub greenlet";
    }
    if (gid == 0) return buf[0] ? std::string("main (") + buf + ")" : "main";
    std::string who = "greenthread " + std::to_string(gid);
    if (buf[0]) who += std::string(" (") + buf + ")";
    return who;
  }
}

// ---- HubDebug ----

HubDebug::HubDebug(Hub& hub) : hub_(&hub), mailbox_(hub.mailbox()) {
  registered = std::make_shared<Registered>();
  registered->mailbox = mailbox_;
  registered->tid = static_cast<long>(::gettid());
  register_hub(registered);
}

HubDebug::~HubDebug() {
  if (object_stacks) {
    eventlet::internal::object_creation_watchers.fetch_sub(
        1, std::memory_order_relaxed);
  }
  if (watch) monitor_remove(watch);
  registry_set_watch(registered, nullptr);
  registered->mailbox = nullptr;  // the registry holds it weakly
  // Ended already if the hub is gone.
  registration_.reset();
}

HubDebug* HubDebug::get_if_exists() {
  HubDebug* d = tls_holder.state.get();
  Hub* hub = Hub::current_if_exists();
  if (d == nullptr || hub == nullptr) return nullptr;
  if (d->hub_ != hub || d->mailbox_ != hub->mailbox()) return nullptr;
  return d;
}

HubDebug& HubDebug::get() {
  Hub& hub = Hub::current();
  std::unique_ptr<HubDebug>& d = tls_holder.state;
  if (d && (d->hub_ != &hub || d->mailbox_ != hub.mailbox())) {
    // The hub this state belonged to is gone (which ended our registration
    // with it): forget it.
    d.reset();
  }
  if (!d) d = std::make_unique<HubDebug>(hub);
  return *d;
}

void HubDebug::update() {
  if (wanted() && !registration_.active()) {
    registration_ = hub_->add_observer(*this);
  } else if (!wanted() && registration_.active()) {
    registration_.reset();
    parked_since.clear();
  }
  if (!timer_stacks) timer_traces.clear();
  if (!listener_stacks) listener_traces.clear();
  if (!spawn_stacks) spawn_traces.clear();
  if (!object_stacks) object_traces.clear();
}

void HubDebug::on_spawn(const Greenlet& g, const Greenlet& creator) {
  ++spawned;
  if (spawn_stacks) {
    Trace& t = spawn_traces[g.id()];
    capture(t, kSkipObserverFrames);
    t.creator = creator.id();
  }
}

void HubDebug::on_switch(const Greenlet& /*from*/, const Greenlet& to) {
  ++switches;
  if (Watch* w = watch.get()) {
    w->bump();
    w->set_running(to);
  }
  if (!parked_since.empty()) parked_since.erase(to.id());
}

void HubDebug::on_block(const Greenlet& g, const char* /*waiting_on*/) {
  parked_since[g.id()] = hub_->cached_now();
}

bool HubDebug::on_object_create(const ObjectInfo& object) {
  if (!object_stacks) return false;
  Trace& t = object_traces[object.address()];
  capture(t, kSkipObserverFrames);
  t.creator = hub_->current_greenlet().id();
  return true;
}

void HubDebug::on_object_destroy(const ObjectInfo& object) {
  object_traces.erase(object.address());
}

std::string HubDebug::object_creation_site(const ObjectInfo& object) {
  auto it = object_traces.find(object.address());
  if (it == object_traces.end()) return "";
  std::string out;
  for (const std::string& frame :
       trim(symbolize(it->second.pcs, it->second.depth))) {
    out += frame + "\n";
  }
  return out;
}

void HubDebug::on_exit(const Greenlet& g) {
  ++exited;
  spawn_traces.erase(g.id());
  parked_since.erase(g.id());
  if (Watch* w = watch.get()) {
    w->bump();
    w->exited_id.store(g.id(), std::memory_order_relaxed);
  }
}

void HubDebug::on_exception(std::exception_ptr /*error*/,
                            std::string_view /*where*/) {
  ++exceptions;
}

void HubDebug::on_timer_add(const TimerInfo& t) {
  ++timers_added;
  if (timer_stacks) {
    Trace& tr = timer_traces[t.seq()];
    capture(tr, kSkipObserverFrames);
    tr.creator = hub_->current_greenlet().id();
  }
}

void HubDebug::on_timer_fire(const TimerInfo& t) {
  ++timers_fired;
  if (!timer_traces.empty()) timer_traces.erase(t.seq());
  if (Watch* w = watch.get()) {
    w->bump();
    if (t.action() == TimerInfo::Action::kCallback) {
      const std::uint32_t s = w->seq.load(std::memory_order_relaxed);
      w->seq.store(s + 1, std::memory_order_relaxed);
      std::atomic_thread_fence(std::memory_order_release);
      w->callback_seq.store(t.seq(), std::memory_order_relaxed);
      w->seq.store(s + 2, std::memory_order_release);
    }
  }
}

void HubDebug::on_timer_cancel(const TimerInfo& t) {
  ++timers_cancelled;
  if (!timer_traces.empty()) timer_traces.erase(t.seq());
}

void HubDebug::on_listen_add(int fd, IoEvents event, const Greenlet& g) {
  if (listener_stacks) {
    Trace& tr = listener_traces[{fd, static_cast<int>(event), g.id()}];
    capture(tr, kSkipObserverFrames);
    tr.creator = g.id();
  }
}

void HubDebug::on_listen_remove(int fd, IoEvents event, const Greenlet& g) {
  if (!listener_traces.empty())
    listener_traces.erase({fd, static_cast<int>(event), g.id()});
}

void HubDebug::on_pass(std::int64_t /*when*/) {
  if (Watch* w = watch.get()) w->bump();
}

void HubDebug::on_poll(std::int64_t /*deadline*/) {
  if (Watch* w = watch.get()) {
    w->bump();
    w->idle.store(true, std::memory_order_relaxed);
  }
}

void HubDebug::on_poll_done(std::size_t /*ready*/) {
  if (Watch* w = watch.get()) {
    w->bump();  // while still idle: the wait was no holding
    w->idle.store(false, std::memory_order_relaxed);
  }
}

}  // namespace internal

namespace {

using internal::HubDebug;
using internal::Trace;

std::string printf_string(const char* format, ...)
    __attribute__((format(printf, 1, 2)));
std::string printf_string(const char* format, ...) {
  char buf[512];
  va_list args;
  va_start(args, format);
  std::vsnprintf(buf, sizeof buf, format, args);
  va_end(args);
  return buf;
}

std::string stack_text(const Trace& t, int indent) {
  return internal::format_frames(
      internal::trim(internal::symbolize(t.pcs, t.depth)), indent);
}

std::string describe_greenlet(const Greenlet& g) {
  std::string s = g.describe();
  const char* on = g.waiting_on();
  if (on != nullptr && *on != '\0') s += std::string(" [") + on + "]";
  return s;
}

std::string timer_action(const TimerInfo& t) {
  switch (t.action()) {
    case TimerInfo::Action::kResume:
      return t.target() ? "resume " + describe_greenlet(*t.target()) : "resume";
    case TimerInfo::Action::kThrow:
      return t.target() ? "throw into " + describe_greenlet(*t.target())
                        : "throw";
    case TimerInfo::Action::kCallback:
      return t.local() ? "callback (local)" : "callback";
  }
  return "?";
}

}  // namespace

// ---- Creation stacks ----

void hub_listener_stacks(bool on) {
  HubDebug& d = HubDebug::get();
  d.listener_stacks = on;
  d.update();
}

void hub_timer_stacks(bool on) {
  HubDebug& d = HubDebug::get();
  d.timer_stacks = on;
  d.update();
}

void hub_greenthread_stacks(bool on) {
  HubDebug& d = HubDebug::get();
  d.spawn_stacks = on;
  d.update();
}

void hub_object_stacks(bool on) {
  HubDebug& d = HubDebug::get();
  if (on != d.object_stacks) {
    eventlet::internal::object_creation_watchers.fetch_add(
        on ? 1 : -1, std::memory_order_relaxed);
  }
  d.object_stacks = on;
  d.update();
}

// ---- Dumps ----

std::string format_hub_timers() {
  Hub& hub = Hub::current();
  HubDebug* d = HubDebug::get_if_exists();
  const std::int64_t now = hub.fresh_now();
  std::vector<TimerInfo> timers;
  hub.for_each_timer([&](const TimerInfo& t) { timers.push_back(t); });
  std::sort(timers.begin(), timers.end(), [](const auto& a, const auto& b) {
    return a.deadline() != b.deadline() ? a.deadline() < b.deadline()
                                        : a.seq() < b.seq();
  });
  std::size_t pending = 0;
  for (const TimerInfo& t : timers) pending += t.pending();
  std::string out = printf_string(
      "TIMERS: %zu queued (%zu pending), %zu ready wake-ups, hub time %.6f s",
      timers.size(), pending, hub.ready_count(), now / 1e9);
  if (d != nullptr && d->installed()) {
    out += printf_string(", %" PRIu64 " cancelled since tracking began",
                         d->timers_cancelled);
  }
  out += "\n";
  for (const TimerInfo& t : timers) {
    // Queued timers are pending (next_timers) or scheduled (the heap).
    out += printf_string("  due in %9.3f ms  %-9s seq %-6" PRIu64 " ",
                         (t.deadline() - now) / 1e6,
                         t.pending() ? "pending" : "scheduled", t.seq());
    out += timer_action(t);
    out += "\n";
    if (d != nullptr) {
      auto it = d->timer_traces.find(t.seq());
      if (it != d->timer_traces.end()) {
        out += printf_string(
            "      scheduled by %s at:\n",
            it->second.creator == -1 ? "the hub"
            : it->second.creator == 0
                ? "main"
                : ("greenthread " + std::to_string(it->second.creator))
                      .c_str());
        out += stack_text(it->second, 8);
      }
    }
  }
  return out;
}

std::string format_hub_listeners() {
  Hub& hub = Hub::current();
  HubDebug* d = HubDebug::get_if_exists();
  std::string sections[2];
  std::size_t counts[2] = {0, 0};
  hub.for_each_listener([&](int fd, IoEvents event, const Greenlet& g,
                            bool primary) {
    const int which = event == IoEvents::kRead ? 0 : 1;
    ++counts[which];
    std::string& out = sections[which];
    out +=
        printf_string("  fd %-4d %-9s ", fd, primary ? "primary" : "secondary");
    out += describe_greenlet(g) + "\n";
    if (d != nullptr) {
      auto it = d->listener_traces.find({fd, static_cast<int>(event), g.id()});
      if (it != d->listener_traces.end()) {
        out += "      waiting since:\n";
        out += stack_text(it->second, 8);
      }
    }
  });
  return "READERS: " + std::to_string(counts[0]) + "\n" + sections[0] +
         "WRITERS: " + std::to_string(counts[1]) + "\n" + sections[1];
}

std::string format_greenthreads() {
  Hub& hub = Hub::current();
  HubDebug* d = HubDebug::get_if_exists();
  const std::int64_t now = hub.fresh_now();
  std::string out = printf_string(
      "GREENTHREADS: %zu live (besides main), current: %s\n",
      hub.greenlet_count(),
      hub.in_hub_greenlet() ? "hub"
                            : hub.current_greenlet().describe().c_str());
  hub.for_each_greenlet([&](const Greenlet& g) {
    out += "  " + g.describe() + "  " + state_name(g.state());
    const char* on = g.waiting_on();
    if (g.state() == GreenletState::kSuspended && on != nullptr && *on) {
      out += std::string("  waiting on \"") + on + "\"";
      if (d != nullptr) {
        auto it = d->parked_since.find(g.id());
        if (it != d->parked_since.end()) {
          out += printf_string(" for %.3f ms", (now - it->second) / 1e6);
        }
      }
    }
    out += "\n";
    if (d != nullptr) {
      auto it = d->spawn_traces.find(g.id());
      if (it != d->spawn_traces.end()) {
        out += "      spawned by " +
               (it->second.creator == 0 ? std::string("main")
                : it->second.creator == -1
                    ? std::string("the hub")
                    : "greenthread " + std::to_string(it->second.creator)) +
               " at:\n";
        out += stack_text(it->second, 8);
      }
    }
  });
  return out;
}

std::string format_all() {
  return "COUNTS: " + format_counts() + "\n" + format_greenthreads() +
         format_hub_timers() + format_hub_listeners();
}

// ---- Counts ----

HubCounts hub_counts() {
  HubCounts c;
  Hub* hub = Hub::current_if_exists();
  if (hub == nullptr) return c;
  c.greenthreads = hub->greenlet_count();
  c.timers = hub->timer_count();
  c.ready = hub->ready_count();
  c.listeners = hub->listener_count();
  c.iterations = hub->iterations();
  return c;
}

std::string format_counts() {
  const HubCounts c = hub_counts();
  return printf_string(
      "greenthreads %zu, timers %zu, ready %zu, listeners "
      "%zu, iterations %" PRIu64,
      c.greenthreads, c.timers, c.ready, c.listeners, c.iterations);
}

std::string verify_hub_empty() {
  const HubCounts c = hub_counts();
  if (c.greenthreads == 0 && c.timers == 0 && c.ready == 0 &&
      c.listeners == 0) {
    return "";
  }
  return "the hub is not empty: " + format_all();
}

// ---- Settings ----

void hub_exceptions(bool on) {
  Hub::current().set_exception_hook(
      on ? ExceptionHook() : ExceptionHook([](const HubException&) {}));
}

void tpool_exceptions(bool on) { tpool::set_print_exceptions(on); }

bool tpool_exceptions_enabled() { return tpool::print_exceptions(); }

void hub_prevent_multiple_readers(bool on) {
  Hub::current().set_prevent_multiple_readers(on);
}

}  // namespace eventlet::debug
