// Copyright 2026 The eventlet-cpp Authors.
//
// The stepper's view logic (sim/step.h): the text view, the reconstructed hub
// state at every position, breakpoints and the command interpreter. The
// golden files are checked by step_golden_test.sh; this covers the kinds the
// demo trace lacks (choose, timer_cancel, exception, stall) and the edges.
#include "sim/step.h"

#include <algorithm>
#include <limits>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/time/time.h"
#include "greenthread/event.h"
#include "greenthread/greenthread.h"
#include "greenthread/queue.h"
#include "greenthread/semaphore.h"
#include "gtest/gtest.h"
#include "sim/sim.h"
#include "sim/testdata/step_demo.h"

namespace eventlet::sim {
namespace {

StepTrace Load(const std::string& text) {
  ParsedTrace parsed;
  TraceError error;
  EXPECT_TRUE(parse_trace(text, &parsed, &error)) << error.to_string();
  StepTrace trace;
  EXPECT_TRUE(load_step_trace(parsed, &trace, &error)) << error.to_string();
  return trace;
}

StepTrace DemoTrace() {
  Options options = testdata::StepDemoOptions();
  options.trace_in_memory = true;
  Result r = run(options, testdata::StepDemo);
  EXPECT_TRUE(r.ok()) << r.summary();
  return Load(r.trace);
}

// The first event of `kind` (0 if none).
std::uint64_t Find(const StepTrace& trace, const std::string& kind,
                   std::uint64_t after = 0) {
  for (const StepEvent& e : trace.events) {
    if (e.seq > after && e.kind == kind) return e.seq;
  }
  return 0;
}

std::string Exec(Stepper& stepper, const std::string& command) {
  std::ostringstream out;
  stepper.execute(command, out);
  return out.str();
}

bool Contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

TEST(StepPrint, TheOutcomeClosesTheTrace) {
  const StepTrace trace = DemoTrace();
  ASSERT_FALSE(trace.events.empty());
  const StepEvent& last = trace.events.back();
  EXPECT_EQ(last.kind, "outcome");
  EXPECT_EQ(last.result, "ok");
  EXPECT_TRUE(Contains(format_event_line(last, 4, 10), "outcome        ok"))
      << format_event_line(last, 4, 10);
}

TEST(StepPrint, OneLinePerEventAfterAHeaderLine) {
  const StepTrace trace = DemoTrace();
  const std::string text = print_trace(trace);
  std::istringstream in(text);
  std::string line;
  std::size_t lines = 0;
  while (std::getline(in, line)) {
    if (lines == 0) {
      EXPECT_EQ(line.rfind("trace: eventlet-sim-trace v4, seed 7, strategy "
                           "fifo, build eventlet-cpp-sim/4; ",
                           0),
                0u)
          << line;
    } else {
      EXPECT_EQ(line.rfind("#" + std::to_string(lines) + " ", 0), 0u) << line;
    }
    ++lines;
  }
  EXPECT_EQ(lines, trace.events.size() + 1);
  EXPECT_EQ(text.back(), '\n');
}

TEST(StepPrint, HeaderLineNamesPctParameters) {
  Options options;
  options.seed = 5;
  options.strategy = Strategy::kPct;
  options.pct_depth = 2;
  options.pct_horizon = 50;
  options.trace_in_memory = true;
  Result r = run(options, [] {
    auto a = spawn([] { eventlet::sleep(); });
    a.wait();
  });
  ASSERT_TRUE(r.ok()) << r.summary();
  const StepTrace trace = Load(r.trace);
  EXPECT_TRUE(Contains(format_header_line(trace),
                       "strategy pct (depth 2, horizon 50), build"))
      << format_header_line(trace);
}

TEST(StepPrint, FormatsTimesAndNames) {
  EXPECT_EQ(format_time(0), "0.000000");
  EXPECT_EQ(format_time(5'000'000), "0.005000");
  EXPECT_EQ(format_time(3'600'000'000'000), "3600.000000");
  EXPECT_EQ(format_time(1'500), "0.000001500");
  EXPECT_EQ(format_time(std::numeric_limits<std::int64_t>::max() - 1), "never");
  EXPECT_EQ(gt_name(-1), "hub");
  EXPECT_EQ(gt_name(3), "3");
  StepEvent e;
  e.seq = 12;
  e.t = 10'000;
  e.gt = 2;
  e.kind = "switch";
  e.type = EventKind::kSwitch;
  e.from = 3;
  e.cause = 11;
  EXPECT_EQ(format_event_line(e),
            "#12  t=0.000010  gt=2    switch         3 -> 2                "
            "          (cause #11)");
}

TEST(StepState, TimersMoveFromNextTimersToTheHeapAndLeaveWhenFired) {
  const StepTrace trace = DemoTrace();
  Stepper stepper(trace);
  const std::uint64_t add = Find(trace, "timer_add");
  ASSERT_NE(add, 0u);
  stepper.go_to(add);
  ASSERT_EQ(stepper.state().timers.size(), 1u);
  EXPECT_FALSE(stepper.state().timers.begin()->second.in_heap);
  EXPECT_TRUE(Contains(stepper.timers_view(), "next_timers"));
  stepper.go_to(Find(trace, "poll", add));
  EXPECT_TRUE(stepper.state().timers.begin()->second.in_heap);
  EXPECT_TRUE(Contains(stepper.timers_view(), " heap"));
  stepper.go_to(Find(trace, "timer_fire"));
  EXPECT_TRUE(stepper.state().timers.empty());
  EXPECT_EQ(stepper.state().timers_fired, 1);
}

TEST(StepState, GreenthreadsShowWhatTheyWaitOn) {
  const StepTrace trace = DemoTrace();
  Stepper stepper(trace);
  stepper.go_to(Find(trace, "poll"));
  const HubState& s = stepper.state();
  EXPECT_EQ(s.gts.at(0).state, "blocked");
  EXPECT_EQ(s.gts.at(0).waiting_on, "write fd");
  EXPECT_EQ(s.gts.at(2).waiting_on, "sleep");
  EXPECT_EQ(s.running, kHubGt);
  EXPECT_EQ(s.phase, HubState::Phase::kPoll);
  const std::string view = stepper.gts_view();
  EXPECT_TRUE(Contains(view,
                       "2     blocked      on sleep since #15; timer 3 "
                       "resume at t=0.005000"))
      << view;
  EXPECT_TRUE(Contains(stepper.banner(), "[poll]"));
  stepper.go_to(trace.events.size());
  EXPECT_EQ(stepper.state().gts.at(1).state, "finished");
  EXPECT_EQ(stepper.state().gts.at(0).state, "running");
}

TEST(StepState, EveryPositionLooksTheSameHoweverItWasReached) {
  const StepTrace trace = DemoTrace();
  Stepper forward(trace);
  Stepper jumping(trace);
  for (std::uint64_t p = 0; p <= trace.events.size(); ++p) {
    forward.go_to(p);
    jumping.go_to(trace.events.size());
    jumping.go_to(p);
    ASSERT_EQ(forward.gts_view(), jumping.gts_view()) << p;
    ASSERT_EQ(forward.timers_view(), jumping.timers_view()) << p;
    ASSERT_EQ(forward.listeners_view(), jumping.listeners_view()) << p;
    ASSERT_EQ(forward.net_view(), jumping.net_view()) << p;
    ASSERT_EQ(forward.banner(), jumping.banner()) << p;
  }
}

// Strings from a trace (an exception's text, an outcome's message) may hold
// control bytes: printed escaped, never raw.
TEST(StepPrint, ControlBytesArePrintedEscaped) {
  StepEvent e;
  e.seq = 1;
  e.kind = "outcome";
  e.type = EventKind::kOutcome;
  e.result = "error";
  e.message = "\x1b]0;owned\x07";
  const std::string line = format_event_line(e, 3, 10);
  EXPECT_NE(line.find("error: \\x1b]0;owned\\x07"), std::string::npos) << line;
  for (char c : line) EXPECT_GE(static_cast<unsigned char>(c), 0x20) << line;
}

// net_send / net_deliver: printed, and listed as in flight in between.
TEST(StepState, PacketsAreInFlightFromSendToDelivery) {
  const StepTrace trace = DemoTrace();
  const std::uint64_t send = Find(trace, "net_send");
  ASSERT_NE(send, 0u);
  const StepEvent& s = trace.events[send - 1];
  EXPECT_EQ(describe_event(s), s.what + " " + std::to_string(s.bytes) + " B " +
                                   s.src + " -> " + s.dst +
                                   ", arrives t=" + format_time(s.at));
  std::uint64_t deliver = 0;
  for (const StepEvent& e : trace.events) {
    if (e.kind == "net_deliver" && e.packet == s.packet) deliver = e.seq;
  }
  ASSERT_NE(deliver, 0u);
  EXPECT_EQ(trace.events[deliver - 1].cause, send);
  EXPECT_TRUE(
      Contains(print_trace(trace),
               "net_deliver    " + s.what + " 0 B " + s.src + " -> " + s.dst))
      << print_trace(trace);

  Stepper stepper(trace);
  stepper.go_to(send);
  EXPECT_EQ(stepper.state().packets.count(s.packet), 1u);
  EXPECT_TRUE(Contains(stepper.net_view(), "1 packet in flight; so far 1 sent"))
      << stepper.net_view();
  EXPECT_TRUE(Contains(stepper.net_view(),
                       "packet 1    syn 0 B      10.0.0.1 -> 10.0.0.2, sent "
                       "at #" +
                           std::to_string(send)))
      << stepper.net_view();
  stepper.go_to(deliver);
  EXPECT_EQ(stepper.state().packets.count(s.packet), 0u);
  EXPECT_EQ(stepper.state().packets_delivered, 1);
  EXPECT_TRUE(Contains(Exec(stepper, "b kind=net_deliver"), "breakpoint 1"));
}

// choose (random strategy), timer_cancel, exception and stall.
TEST(StepState, OtherKinds) {
  Options options;
  options.seed = 3;
  options.strategy = Strategy::kRandom;
  options.trace_in_memory = true;
  Event<int> never;
  Result r = run(options, [&] {
    Event<int> quick;
    auto a = spawn([&] { return quick.wait(absl::Seconds(1)).value_or(-1); });
    auto b = spawn([&] {
      eventlet::sleep(absl::Milliseconds(1));
      quick.send(1);
    });
    spawn_n([] { throw std::runtime_error("boom"); });
    a.wait();
    b.wait();
    never.wait();  // deadlock
  });
  ASSERT_EQ(r.outcome, Outcome::kDeadlock) << r.summary();
  const StepTrace trace = Load(r.trace);
  const std::string text = print_trace(trace);
  EXPECT_TRUE(Contains(text, "choose         set [")) << text;
  EXPECT_TRUE(Contains(text, "timer_cancel   timer ")) << text;
  EXPECT_TRUE(Contains(text, "exception      ")) << text;
  EXPECT_TRUE(Contains(text, "boom")) << text;
  EXPECT_TRUE(Contains(text, "stall          deadlock")) << text;

  Stepper stepper(trace);
  const std::uint64_t choose = Find(trace, "choose");
  stepper.go_to(choose - 1);
  const int passes_before = stepper.state().passes;
  stepper.go_to(choose);
  EXPECT_EQ(stepper.state().phase, HubState::Phase::kPrepare);
  // A choose opens the pass it orders: the banner names that pass, and its
  // pass event (next) stays in it.
  const std::string opened = "pass " + std::to_string(passes_before + 1) +
                             " (#" + std::to_string(choose) + ",";
  EXPECT_TRUE(Contains(stepper.banner(), opened)) << stepper.banner();
  ASSERT_EQ(trace.events[choose].kind, "pass");
  stepper.go_to(choose + 1);
  EXPECT_TRUE(Contains(stepper.banner(), opened)) << stepper.banner();
  stepper.go_to(Find(trace, "timer_cancel"));
  EXPECT_EQ(stepper.state().timers_cancelled, 1);
  EXPECT_TRUE(Contains(stepper.timers_view(), "1 cancelled"));
  stepper.go_to(trace.events.size());
  EXPECT_EQ(stepper.state().phase, HubState::Phase::kStall);
  EXPECT_TRUE(Contains(stepper.banner(), "stall"));
}

TEST(StepState, WakeUpsNameTheirObjectAndPrepareTimersOpensAPass) {
  Options options;
  options.trace_in_memory = true;
  Result r = run(options, [] {
    Semaphore sem(0);
    Queue<int> q;
    auto a = spawn([&] {
      sem.acquire();
      q.put(1);
    });
    eventlet::sleep(absl::Milliseconds(1));
    sem.release();
    q.get();
  });
  ASSERT_TRUE(r.ok()) << r.summary();
  const StepTrace trace = Load(r.trace);
  const std::string text = print_trace(trace);
  EXPECT_TRUE(Contains(text, "waits on Semaphore::acquire (obj 1)")) << text;
  EXPECT_TRUE(Contains(text, "sem_release    Semaphore 1 wakes [1]")) << text;
  EXPECT_TRUE(Contains(text, "queue_put      Queue 2 wakes [0]")) << text;
  EXPECT_TRUE(Contains(text, "ready          queued to run by 0, timer 1"))
      << text;
  // The ready after a wake-up names it as its cause.
  const std::uint64_t release = Find(trace, "sem_release");
  ASSERT_NE(release, 0u);
  EXPECT_EQ(trace.events[release].kind, "ready");  // seq release + 1
  EXPECT_EQ(trace.events[release].cause, release);

  // The first prepare_timers (main's 1 ms sleep joins the heap) opens pass 1
  // and puts its timer in the heap.
  Stepper stepper(trace);
  const std::uint64_t prepare = Find(trace, "prepare_timers");
  ASSERT_NE(prepare, 0u);
  stepper.go_to(prepare);
  EXPECT_EQ(stepper.state().phase, HubState::Phase::kPrepare);
  EXPECT_TRUE(Contains(stepper.banner(),
                       "[prepare timers] -> fire timers -> poll   pass 1 (#" +
                           std::to_string(prepare) + ","))
      << stepper.banner();
  EXPECT_TRUE(Contains(stepper.timers_view(), "heap")) << stepper.timers_view();
  EXPECT_FALSE(Contains(stepper.timers_view(), "next_timers"));
  // Its pass stays in it.
  ASSERT_EQ(trace.events[prepare].kind, "pass");
  stepper.go_to(prepare + 1);
  EXPECT_EQ(stepper.state().passes, 1);
  EXPECT_TRUE(Contains(Exec(stepper, "b kind=sem_release"), "breakpoint 1"));
}

TEST(StepCommands, MoveAndStopAtBreakpoints) {
  const StepTrace trace = DemoTrace();
  Stepper stepper(trace);
  EXPECT_TRUE(Contains(Exec(stepper, "n"), "#1 "));
  EXPECT_EQ(stepper.position(), 1u);
  Exec(stepper, "n 4");
  EXPECT_EQ(stepper.position(), 5u);
  Exec(stepper, "");  // repeats "n 4"
  EXPECT_EQ(stepper.position(), 9u);
  Exec(stepper, "back 3");
  EXPECT_EQ(stepper.position(), 6u);
  Exec(stepper, "back 100");
  EXPECT_EQ(stepper.position(), 0u);
  Exec(stepper, "goto 20");
  EXPECT_EQ(stepper.position(), 20u);

  // step GT: the next event about GT.
  Exec(stepper, "s 2");
  EXPECT_EQ(trace.events[stepper.position() - 1].gt, 2);
  EXPECT_TRUE(Contains(Exec(stepper, "s 7"), "no further event of gt 7"));
  EXPECT_EQ(stepper.position(), trace.events.size());

  Exec(stepper, "goto 0");
  EXPECT_TRUE(Contains(Exec(stepper, "b kind=timer_fire"), "breakpoint 1"));
  EXPECT_TRUE(Contains(Exec(stepper, "c"), "breakpoint 1 (kind=timer_fire)"));
  EXPECT_EQ(trace.events[stepper.position() - 1].kind, "timer_fire");
  Exec(stepper, "d");
  Exec(stepper, "goto 0");
  Exec(stepper, "b t>=0.002");
  Exec(stepper, "c");
  EXPECT_EQ(trace.events[stepper.position() - 1].t, 2'000'000);
  Exec(stepper, "d");
  Exec(stepper, "goto 0");
  Exec(stepper, "b gt=hub");
  Exec(stepper, "c");
  EXPECT_EQ(trace.events[stepper.position() - 1].gt, kHubGt);
  Exec(stepper, "d");
  EXPECT_TRUE(Contains(Exec(stepper, "c"), "end of trace; no breakpoint hit"));
  EXPECT_TRUE(Contains(Exec(stepper, "n"), "at the end of the trace"));
}

TEST(StepCommands, BadInputIsExplainedNotFatal) {
  const StepTrace trace = DemoTrace();
  Stepper stepper(trace);
  EXPECT_TRUE(Contains(Exec(stepper, "frobnicate"), "unknown command"));
  EXPECT_TRUE(Contains(Exec(stepper, "b kind=nope"), "unknown kind"));
  EXPECT_TRUE(Contains(Exec(stepper, "b gt=x"), "gt=N"));
  EXPECT_TRUE(Contains(Exec(stepper, "b t>=soon"), "t>=SECONDS"));
  EXPECT_TRUE(Contains(Exec(stepper, "b whenever"), "breakpoints:"));
  EXPECT_TRUE(Contains(Exec(stepper, "goto"), "goto: expected"));
  EXPECT_TRUE(Contains(Exec(stepper, "goto 100000"), "no event #100000"));
  EXPECT_TRUE(Contains(Exec(stepper, "n x"), "expected a count"));
  EXPECT_TRUE(Contains(Exec(stepper, "d 9"), "no breakpoint 9"));
  EXPECT_TRUE(Contains(Exec(stepper, "why"), "at the start"));
  EXPECT_EQ(stepper.position(), 0u);
  std::ostringstream out;
  EXPECT_FALSE(stepper.execute("q", out));
}

TEST(StepCommands, RunReadsCommandsUntilQuitOrEndOfInput) {
  const StepTrace trace = DemoTrace();
  Stepper stepper(trace);
  std::istringstream in("n\ngts\n");
  std::ostringstream out;
  stepper.run(in, out, /*echo=*/true);
  const std::string s = out.str();
  EXPECT_TRUE(Contains(s, "(step) n\n")) << s;
  EXPECT_TRUE(Contains(s, "(step) gts\ngreenthreads at #1")) << s;
}

TEST(StepCommands, AnEmptyLineRepeatsTheLastValidCommandOnly) {
  const StepTrace trace = DemoTrace();
  Stepper stepper(trace);
  Exec(stepper, "n 2");
  EXPECT_TRUE(Contains(Exec(stepper, "nonsense"), "unknown command"));
  const std::string repeated = Exec(stepper, "");
  EXPECT_FALSE(Contains(repeated, "unknown command")) << repeated;
  EXPECT_EQ(stepper.position(), 4u);
}

// A t>= breakpoint fires at the event that crosses the time, not at every
// later one; rc goes back to it, then to the start.
TEST(StepCommands, TimeBreakpointsFireOnceAndReverseContinueFindsThem) {
  const StepTrace trace = DemoTrace();
  Stepper stepper(trace);
  Exec(stepper, "b t>=2ms");
  EXPECT_TRUE(Contains(Exec(stepper, "c"), "breakpoint 1 (t>=2ms)"));
  const std::uint64_t hit = stepper.position();
  EXPECT_GE(trace.events[hit - 1].t, 2'000'000);
  EXPECT_LT(trace.events[hit - 2].t, 2'000'000);
  EXPECT_TRUE(Contains(Exec(stepper, "c"), "end of trace; no breakpoint hit"));
  EXPECT_EQ(stepper.position(), trace.events.size());
  EXPECT_TRUE(Contains(Exec(stepper, "rc"), "breakpoint 1 (t>=2ms)"));
  EXPECT_EQ(stepper.position(), hit);
  EXPECT_TRUE(Contains(Exec(stepper, "rc"), "start of trace; no breakpoint"));
  EXPECT_EQ(stepper.position(), 0u);
  EXPECT_TRUE(Contains(Exec(stepper, "rc"), "at the start"));
}

TEST(StepCommands, ReverseStepGoesToTheGreenthreadsPreviousEvent) {
  const StepTrace trace = DemoTrace();
  Stepper stepper(trace);
  Exec(stepper, "goto 40");
  Exec(stepper, "rs 1");
  const std::uint64_t p = stepper.position();
  ASSERT_GT(p, 0u);
  ASSERT_LT(p, 40u);
  const StepEvent& e = trace.events[p - 1];
  EXPECT_TRUE(e.gt == 1 || (e.kind == "switch" && e.from == 1)) << e.line;
  for (std::uint64_t q = p + 1; q < 40; ++q) {
    const StepEvent& between = trace.events[q - 1];
    EXPECT_FALSE(between.gt == 1 ||
                 (between.kind == "switch" && between.from == 1))
        << between.line;
  }
  EXPECT_TRUE(Contains(Exec(stepper, "rs 7"), "no earlier event of gt 7"));
  EXPECT_EQ(stepper.position(), 0u);
}

TEST(StepCommands, GtsShowsOneGreenthreadOrPagesThroughAll) {
  Options options;
  options.trace_in_memory = true;
  Result r = run(options, [] {
    std::vector<GreenThread<void>> gts;
    for (int i = 0; i < 50; ++i) {
      gts.push_back(spawn([] { eventlet::sleep(absl::Milliseconds(1)); }));
    }
    for (auto& g : gts) g.wait();
  });
  ASSERT_TRUE(r.ok()) << r.summary();
  const StepTrace trace = Load(r.trace);
  Stepper stepper(trace);
  const std::string end = std::to_string(trace.events.size());
  Exec(stepper, "goto " + end);
  const std::string page1 = Exec(stepper, "gts");
  // hub, main and 50: 40 on the first page.
  EXPECT_TRUE(Contains(page1, "(12 more: gts --all or gts --page 2)")) << page1;
  EXPECT_EQ(std::count(page1.begin(), page1.end(), '\n'), 1 + 40 + 1);
  const std::string page2 = Exec(stepper, "gts --page 2");
  EXPECT_EQ(std::count(page2.begin(), page2.end(), '\n'), 1 + 12) << page2;
  EXPECT_TRUE(Contains(Exec(stepper, "gts --page 3"), "does not exist"));
  const std::string all = Exec(stepper, "gts --all");
  EXPECT_EQ(std::count(all.begin(), all.end(), '\n'), 1 + 52);

  const std::string finished = Exec(stepper, "gts 7");
  EXPECT_TRUE(Contains(
      finished, "greenthread 7 at #" + end + " (t=0.001000): finished since #"))
      << finished;
  Exec(stepper, "goto 100");
  const std::string one = Exec(stepper, "gts 7");
  EXPECT_TRUE(Contains(one, "greenthread 7 at #100")) << one;
  EXPECT_TRUE(Contains(one, "spawned by 0 at #")) << one;
  EXPECT_TRUE(Contains(one, "events so far: ")) << one;
  EXPECT_TRUE(Contains(one, "next: #")) << one;
  EXPECT_TRUE(Contains(Exec(stepper, "gts 999"), "no greenthread 999 at #100"));
  EXPECT_TRUE(Contains(Exec(stepper, "gts x"), "expected a greenthread"));
}

// The stepper knows every kind of this format: EventKind follows
// trace_event_kinds() one to one, so each kind reaches its own handler.
TEST(StepLoad, EveryKindOfTheFormatIsAnEventKind) {
  const std::vector<std::string_view>& kinds = trace_event_kinds();
  ASSERT_EQ(kinds.size() + 1, kEventKindCount);
  for (std::string_view kind : kinds) {
    const EventKind type = parse_event_kind(kind);
    EXPECT_NE(type, EventKind::kUnknown) << kind;
    EXPECT_EQ(event_kind_name(type), kind);
  }
  // Each enumerator by name: its handler is the one for that kind.
  const std::pair<EventKind, std::string_view> all[] = {
      {EventKind::kSpawn, "spawn"},
      {EventKind::kSwitch, "switch"},
      {EventKind::kBlock, "block"},
      {EventKind::kReady, "ready"},
      {EventKind::kEventSend, "event_send"},
      {EventKind::kQueuePut, "queue_put"},
      {EventKind::kQueueGet, "queue_get"},
      {EventKind::kQueueTaskDone, "queue_task_done"},
      {EventKind::kSemRelease, "sem_release"},
      {EventKind::kPrepareTimers, "prepare_timers"},
      {EventKind::kExit, "exit"},
      {EventKind::kException, "exception"},
      {EventKind::kTimerAdd, "timer_add"},
      {EventKind::kTimerFire, "timer_fire"},
      {EventKind::kTimerCancel, "timer_cancel"},
      {EventKind::kListenAdd, "listen_add"},
      {EventKind::kListenFire, "listen_fire"},
      {EventKind::kListenRemove, "listen_remove"},
      {EventKind::kPass, "pass"},
      {EventKind::kPoll, "poll"},
      {EventKind::kPollDone, "poll_done"},
      {EventKind::kChoose, "choose"},
      {EventKind::kStall, "stall"},
      {EventKind::kOutcome, "outcome"},
      {EventKind::kNetSend, "net_send"},
      {EventKind::kNetDeliver, "net_deliver"},
      {EventKind::kNetDrop, "net_drop"},
      {EventKind::kHostStart, "host_start"},
      {EventKind::kHostCrash, "host_crash"},
      {EventKind::kHostRestart, "host_restart"},
      {EventKind::kClockRead, "clock_read"},
  };
  static_assert(std::size(all) + 1 == kEventKindCount);
  for (const auto& [type, name] : all) EXPECT_EQ(event_kind_name(type), name);
  EXPECT_EQ(parse_event_kind("nope"), EventKind::kUnknown);
  EXPECT_EQ(event_kind_name(EventKind::kUnknown), "unknown");
}

// Kinds a newer trace format adds: decoded, shown as their fields, changing
// no state; breakpoints accept them.
TEST(StepLoad, UnknownKindsAreShownGenericallyAndChangeNothing) {
  ParsedTrace parsed;
  parsed.lines = {
      "{}",
      R"({"seq":1,"t":0,"gt":1,"kind":"spawn","by":0,"h":"0"})",
      R"({"seq":2,"t":5,"gt":1,"kind":"mutex_unlock","by":1,"target":2,)"
      R"("lock":{"q":[1,2]},"what":"Mutex","h":"0"})",
      R"({"seq":3,"t":6,"gt":-1,"kind":"timers_compact","moved":[4,5],"h":"0"})",
  };
  StepTrace trace;
  TraceError error;
  ASSERT_TRUE(load_step_trace(parsed, &trace, &error)) << error.to_string();
  ASSERT_EQ(trace.events.size(), 3u);
  EXPECT_EQ(trace.events[1].type, EventKind::kUnknown);
  EXPECT_EQ(trace.events[1].kind, "mutex_unlock");
  EXPECT_EQ(describe_event(trace.events[1]),
            R"(by=1 target=2 lock={"q":[1,2]} what=Mutex)");
  EXPECT_EQ(describe_event(trace.events[2]), "moved=[4,5]");

  Stepper stepper(trace);
  stepper.go_to(1);
  const std::string before = stepper.gts_view();
  const HubState at_spawn = stepper.state();
  stepper.go_to(3);
  EXPECT_EQ(stepper.position(), 3u);
  EXPECT_EQ(stepper.state().t, 6);
  EXPECT_EQ(stepper.state().timers.size(), at_spawn.timers.size());
  EXPECT_EQ(stepper.state().phase, at_spawn.phase);
  EXPECT_EQ(stepper.state().passes, at_spawn.passes);
  EXPECT_EQ(stepper.gts_view().substr(stepper.gts_view().find('\n')),
            before.substr(before.find('\n')));
  EXPECT_TRUE(Contains(Exec(stepper, "b kind=timers_compact"), "breakpoint 1"));
  // Any kind of the format, even one this trace does not hold.
  EXPECT_TRUE(Contains(Exec(stepper, "b kind=sem_release"), "breakpoint 2"));
  EXPECT_TRUE(Contains(Exec(stepper, "b kind=nope"), "unknown kind"));
}

// Simulated hosts: up and down in the net view and the banner, their
// greenthreads (start ones and what they spawn) marked, clock readings kept.
TEST(StepState, HostsGoUpAndDownAndOwnTheirGreenthreads) {
  ParsedTrace parsed;
  parsed.lines = {
      "{}",
      R"({"seq":1,"t":0,"gt":1,"kind":"spawn","by":0,"h":"0"})",
      R"({"seq":2,"t":0,"gt":0,"kind":"host_start","host":"10.0.0.2",)"
      R"("start":1,"offset":-5,"drift":100,"h":"0"})",
      R"({"seq":3,"t":0,"gt":0,"kind":"switch","from":-1,"h":"0"})",
      R"({"seq":4,"t":0,"gt":2,"kind":"spawn","by":1,"h":"0"})",
      R"({"seq":5,"t":7,"gt":1,"kind":"clock_read","host":"10.0.0.2",)"
      R"("reading":2,"h":"0"})",
      R"({"seq":6,"t":9,"gt":0,"kind":"host_crash","host":"10.0.0.2",)"
      R"("why":"test","h":"0"})",
      R"({"seq":7,"t":9,"gt":-1,"kind":"pass","h":"0"})",
      R"({"seq":8,"t":20,"gt":-1,"kind":"host_restart","host":"10.0.0.2",)"
      R"("why":"seed","start":3,"h":"0"})",
  };
  StepTrace trace;
  TraceError error;
  ASSERT_TRUE(load_step_trace(parsed, &trace, &error)) << error.to_string();
  EXPECT_EQ(describe_event(trace.events[1]),
            "10.0.0.2 up: start in 1, clock offset -0.000000005, drift 100 "
            "ppb");
  EXPECT_EQ(describe_event(trace.events[4]),
            "10.0.0.2 reads its clock: 0.000000002");
  EXPECT_EQ(describe_event(trace.events[5]), "10.0.0.2 crashes (test)");
  EXPECT_EQ(describe_event(trace.events[7]),
            "10.0.0.2 restarts (seed): start in 3");
  Stepper stepper(trace);
  stepper.go_to(5);
  EXPECT_TRUE(stepper.state().hosts.at("10.0.0.2").up);
  EXPECT_EQ(stepper.state().gts.at(2).host, "10.0.0.2");  // spawned by 1
  EXPECT_TRUE(Contains(stepper.gts_view(), "on host 10.0.0.2"));
  EXPECT_TRUE(Contains(stepper.net_view(), "host 10.0.0.2 up since #2"));
  EXPECT_TRUE(Contains(stepper.net_view(), "read 0.000000002 at #5"));
  stepper.go_to(7);
  EXPECT_FALSE(stepper.state().hosts.at("10.0.0.2").up);
  EXPECT_TRUE(Contains(stepper.net_view(),
                       "host 10.0.0.2 down since #6 (test); 1 crash"));
  EXPECT_TRUE(Contains(stepper.banner(), "hosts down: 10.0.0.2"))
      << stepper.banner();
  stepper.go_to(8);
  EXPECT_TRUE(Contains(stepper.net_view(),
                       "host 10.0.0.2 up since #8 (seed), start in 3"));
  EXPECT_EQ(stepper.state().gts.at(3).host, "10.0.0.2");
  EXPECT_FALSE(Contains(stepper.banner(), "hosts down"));
}

TEST(StepLoad, AKnownFieldOfTheWrongTypeIsAnError) {
  ParsedTrace parsed;
  parsed.lines = {"{}", R"({"seq":1,"t":0,"gt":1,"kind":"spawn","by":"x"})"};
  StepTrace trace;
  TraceError error;
  EXPECT_FALSE(load_step_trace(parsed, &trace, &error));
  EXPECT_EQ(error.line, 2u);
  EXPECT_TRUE(Contains(error.message, "by has the wrong type"))
      << error.message;
  parsed.lines = {"{}", R"({"seq":1,"t":0,"kind":"spawn","by":0})"};
  EXPECT_FALSE(load_step_trace(parsed, &trace, &error));
  EXPECT_TRUE(Contains(error.message, "with seq, t, gt and kind"))
      << error.message;
}

TEST(StepLoad, RejectsBadTracesWithTheLine) {
  StepTrace trace;
  TraceError error;
  EXPECT_FALSE(
      load_step_trace_file("/nonexistent/trace.jsonl", &trace, &error));
  EXPECT_TRUE(Contains(error.message, "cannot open"));
  ParsedTrace parsed;
  EXPECT_FALSE(parse_trace("{\"format\":\"x\"}\n", &parsed, &error));
  EXPECT_EQ(error.line, 1u);
}

}  // namespace
}  // namespace eventlet::sim
