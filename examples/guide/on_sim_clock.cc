// Copyright 2026 The eventlet-cpp Authors.
//
// on_sim_clock.cc (//examples/guide:on_sim_clock, testonly): linked into the
// test build of an example program (the `NAME_on_sim_clock` binaries; `NAME`
// itself, the program the docs tell readers to run, is unchanged), it
// installs the main thread's hub on a sim::SimBackend before main() starts.
// The program's own code is not touched; its timers then fire on a virtual
// clock, in (deadline, sequence) order, so its output cannot depend on how
// busy the machine is. (On
// the real clock, two 5 ms sleeps taken microseconds apart fire in one pass or
// in two, depending on when the kernel lets the hub run.)
//
// Only for programs whose main thread uses no real fds or sockets and is not
// woken from other threads: the SimBackend has no real I/O (watching a real
// fd throws), and a hub with nothing left to do and no stall handler ends the
// program (StallError escapes the hub greenlet), as a deadlock should.
#include <memory>

#include "hub/hub.h"
#include "sim/sim_backend.h"

namespace {

[[maybe_unused]] const bool kInstalled = [] {
  eventlet::Hub::install(std::make_unique<eventlet::sim::SimBackend>());
  return true;
}();

}  // namespace
