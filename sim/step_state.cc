// Copyright 2026 The eventlet-cpp Authors.
#include "sim/step_state.h"

#include <vector>

#include "sim/trace.h"

namespace eventlet::sim {

// EventKind i (i >= 1) is trace_event_kinds()[i - 1].
EventKind parse_event_kind(std::string_view name) {
  const std::vector<std::string_view>& names = trace_event_kinds();
  for (std::size_t i = 0; i < names.size() && i + 1 < kEventKindCount; ++i) {
    if (names[i] == name) return static_cast<EventKind>(i + 1);
  }
  return EventKind::kUnknown;
}

std::string_view event_kind_name(EventKind kind) {
  const std::size_t i = static_cast<std::size_t>(kind);
  const std::vector<std::string_view>& names = trace_event_kinds();
  return i == 0 || i > names.size() ? "unknown" : names[i - 1];
}

std::string ev_word(const std::string& ev) {
  return ev == "w" ? "write" : "read";
}

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
  const int passes_before = passes;
  switch (e.type) {
    case EventKind::kUnknown:
      return;  // shown generically; the state it would change is unknown
    case EventKind::kSpawn:
      on_spawn(e);
      break;
    case EventKind::kSwitch:
      on_switch(e);
      break;
    case EventKind::kBlock:
      on_block(e);
      break;
    case EventKind::kReady:
      on_ready(e);
      break;
    case EventKind::kExit:
      on_exit(e);
      break;
    case EventKind::kPrepareTimers:
      on_prepare_timers(e);
      break;
    case EventKind::kEventSend:
    case EventKind::kQueuePut:
    case EventKind::kQueueGet:
    case EventKind::kQueueTaskDone:
    case EventKind::kSemRelease:
      // The wake-up's `ready` events (caused by it) queue its greenthreads.
    case EventKind::kException:
    case EventKind::kOutcome:
      break;  // text only
    case EventKind::kTimerAdd:
      on_timer_add(e);
      break;
    case EventKind::kTimerFire:
      on_timer_fire(e);
      break;
    case EventKind::kTimerCancel:
      on_timer_cancel(e);
      break;
    case EventKind::kListenAdd:
      on_listen_add(e);
      break;
    case EventKind::kListenFire:
      on_listen_fire(e);
      break;
    case EventKind::kListenRemove:
      on_listen_remove(e);
      break;
    case EventKind::kNetSend:
      on_net_send(e);
      break;
    case EventKind::kNetDeliver:
      on_net_deliver(e);
      break;
    case EventKind::kNetDrop:
      on_net_drop(e);
      break;
    case EventKind::kChoose:
      on_choose(e);
      break;
    case EventKind::kPass:
      on_pass(e);
      break;
    case EventKind::kPoll:
      on_poll(e);
      break;
    case EventKind::kPollDone:
      on_poll_done(e);
      break;
    case EventKind::kStall:
      on_stall(e);
      break;
    case EventKind::kHostStart:
    case EventKind::kHostCrash:
    case EventKind::kHostRestart:
      on_host(e);
      break;
    case EventKind::kClockRead:
      on_clock_read(e);
      break;
  }
  const bool opened = passes != passes_before;
  pass_opened_by_last_event =
      (e.type == EventKind::kPrepareTimers || e.type == EventKind::kChoose) &&
      (opened || pass_opened_by_last_event);
  // Everything after a pass event belongs to the timer pass.
  if (e.type != EventKind::kPass && e.type != EventKind::kChoose &&
      e.type != EventKind::kPrepareTimers && phase == Phase::kPrepare) {
    phase = Phase::kFireTimers;
  }
}

void HubState::open_pass(const StepEvent& e) {
  ++passes;
  pass_seq = e.seq;
  pass_t = e.t;
}

void HubState::on_spawn(const StepEvent& e) {
  Gt& g = gts[e.gt];
  g.state = "not started";
  g.since = e.seq;
  g.created_by = e.by;
  g.created_at = e.seq;
  auto creator = gts.find(e.by);
  if (creator != gts.end()) g.host = creator->second.host;
}

void HubState::on_switch(const StepEvent& e) {
  Gt& from = gts[e.from];
  if (from.state == "running") {
    from.state = e.from == kHubGt ? "idle" : "suspended";
    from.since = e.seq;
  }
  Gt& to = gts[e.gt];
  to.state = "running";
  to.waiting_on.clear();
  to.queued = false;
  to.woken_at = 0;
  to.woken_how.clear();
  to.since = e.seq;
  running = e.gt;
}

void HubState::on_block(const StepEvent& e) {
  Gt& g = gts[e.gt];
  g.state = "blocked";
  g.waiting_on = e.on;
  g.since = e.seq;
}

void HubState::on_ready(const StepEvent& e) {
  Gt& g = gts[e.gt];
  g.queued = true;
  g.queued_at = e.seq;
  g.queued_by = e.by;
}

void HubState::on_exit(const StepEvent& e) {
  Gt& g = gts[e.gt];
  g.state = "finished";
  g.waiting_on.clear();
  g.queued = false;
  g.since = e.seq;
}

void HubState::on_prepare_timers(const StepEvent& e) {
  for (std::int64_t id : e.timers) {
    auto it = timers.find(static_cast<std::uint64_t>(id));
    if (it != timers.end()) it->second.in_heap = true;
  }
  // After a poll (or at the start), or made by a greenthread that chains the
  // next pass itself, it opens the next pass; the hub's after a pass's
  // timers prepares the poll (and stays in that pass).
  if (phase == Phase::kPoll || phase == Phase::kStart || e.gt != kHubGt) {
    open_pass(e);
  }
  phase = Phase::kPrepare;
}

void HubState::on_timer_add(const StepEvent& e) {
  timers[e.timer] = Timer{.deadline = e.deadline,
                          .action = e.action,
                          .target = e.target,
                          .has_target = e.has_target,
                          .added_at = e.seq,
                          .added_by = e.gt};
  ++timers_added;
}

void HubState::on_timer_fire(const StepEvent& e) {
  auto it = timers.find(e.timer);
  if (it != timers.end() && it->second.has_target &&
      it->second.action != "callback") {
    Gt& g = gts[it->second.target];
    g.woken_at = e.seq;
    g.woken_how = "timer " + std::to_string(e.timer) + " fired";
  }
  timers.erase(e.timer);
  ++timers_fired;
}

void HubState::on_timer_cancel(const StepEvent& e) {
  timers.erase(e.timer);
  ++timers_cancelled;
}

void HubState::on_listen_add(const StepEvent& e) {
  listeners[{e.fd, e.ev}] = Listener{.gt = e.gt, .added_at = e.seq};
  ++fds[{e.fd, e.ev}].adds;
}

void HubState::on_listen_fire(const StepEvent& e) {
  auto it = listeners.find({e.fd, e.ev});
  if (it != listeners.end()) it->second.fired_at = e.seq;
  Gt& g = gts[e.gt];
  g.woken_at = e.seq;
  g.woken_how = "fd " + std::to_string(e.fd) + " " + ev_word(e.ev) + " ready";
  ++fds[{e.fd, e.ev}].fires;
}

void HubState::on_listen_remove(const StepEvent& e) {
  listeners.erase({e.fd, e.ev});
  ++fds[{e.fd, e.ev}].removes;
}

void HubState::on_net_send(const StepEvent& e) {
  packets[e.packet] = Packet{.what = e.what,
                             .src = e.src,
                             .dst = e.dst,
                             .bytes = e.bytes,
                             .at = e.at,
                             .has_at = e.has_at,
                             .sent_at = e.seq,
                             .sent_by = e.gt};
  ++packets_sent;
}

void HubState::on_net_deliver(const StepEvent& e) {
  packets.erase(e.packet);
  ++packets_delivered;
}

void HubState::on_net_drop(const StepEvent& e) {
  packets.erase(e.packet);
  ++packets_dropped;
}

void HubState::on_choose(const StepEvent& e) {
  // A choose opens the pass whose wake-ups it orders (its `pass` event
  // comes next), unless its prepare_timers did: the banner names that pass,
  // not the one before.
  phase = Phase::kPrepare;
  if (!pass_opened_by_last_event) open_pass(e);
}

void HubState::on_pass(const StepEvent& e) {
  // The pass's prepare joined next_timers to the heap.
  for (auto& [id, tm] : timers) tm.in_heap = true;
  phase = Phase::kPrepare;
  if (!pass_opened_by_last_event) open_pass(e);
}

void HubState::on_poll(const StepEvent& e) {
  for (auto& [id, tm] : timers) tm.in_heap = true;
  phase = Phase::kPoll;
  ++polls;
  poll_seq = e.seq;
  poll_deadline = e.deadline;
  poll_has_deadline = e.has_deadline;
}

void HubState::on_poll_done(const StepEvent& e) {
  phase = Phase::kPoll;
  poll_done_seq = e.seq;
  poll_ready = e.ready;
}

void HubState::on_stall(const StepEvent&) { phase = Phase::kStall; }

void HubState::on_host(const StepEvent& e) {
  Host& h = hosts[e.host];
  h.since = e.seq;
  if (e.type == EventKind::kHostCrash) {
    h.up = false;
    h.why = e.why;
    ++h.crashes;
    return;
  }
  h.up = true;
  h.start = e.start;
  if (e.type == EventKind::kHostStart) {
    h.offset = e.offset;
    h.drift = e.drift;
  } else {
    h.why = e.why;
  }
  gts[e.start].host = e.host;
}

void HubState::on_clock_read(const StepEvent& e) {
  Host& h = hosts[e.host];
  h.has_reading = true;
  h.reading = e.reading;
  h.read_at = e.seq;
}

}  // namespace eventlet::sim
