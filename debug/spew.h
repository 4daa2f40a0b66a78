// Copyright 2026 The eventlet-cpp Authors.
//
// spew.h: eventlet's debug.spew() / unspew(), for C++.
//
// eventlet's Spew is a Python line tracer (sys.settrace): it prints every
// line executed. C++ has no such hook, so here the hub itself is what is
// traced: spew() prints every event of the calling thread's hub as it
// happens — spawns, switches, blocks and wake-ups (with who woke whom),
// timers added, fired and cancelled, listeners added, fired and removed,
// passes and polls — one line each, in the simulator's trace format
// (docs/trace-format.md: the same one-line JSON events, a header line first),
// flushed line by line.
//
//   eventlet::debug::spew();        // to stderr
//   ... the program runs, each hub event printed ...
//   eventlet::debug::unspew();
//
// "t" is the hub's clock (CLOCK_MONOTONIC ns on the real hub, virtual ns
// under the simulator); "seq" counts from the spew() call. The trace is not
// a replayable one (it starts mid-run, and a live hub's schedule is not
// recorded with its decisions): read it, or open it in the stepper or the
// timeline.
//
// spew() on a hub already spewing starts over (new header) on the new
// stream. Cost: while on, every hub event formats a line and writes it (one
// fwrite + fflush each); off, nothing. Use on the hub's OS thread. `out` is
// not closed; it must stay open until unspew() (or the thread's exit).
// Under sim::run, the run's own recorder (if any) keeps working: spew's
// recorder registers beside it.
#ifndef EVENTLET_DEBUG_SPEW_H_
#define EVENTLET_DEBUG_SPEW_H_

#include <cstdio>

namespace eventlet::debug {

void spew(std::FILE* out = stderr);
// Stops it: writes the closing outcome event ("ok", "debug::unspew()") and
// flushes. No-op if not spewing.
void unspew();
bool spewing();

}  // namespace eventlet::debug

#endif  // EVENTLET_DEBUG_SPEW_H_
