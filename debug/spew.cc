// Copyright 2026 The eventlet-cpp Authors.
#include "debug/spew.h"

#include <memory>

#include "hub/hub.h"
#include "sim/trace.h"

namespace eventlet::debug {
namespace {

// The calling thread's spewing recorder, and the hub it watches.
struct Spewer {
  Hub* hub = nullptr;
  std::unique_ptr<sim::TraceRecorder> recorder;
  ~Spewer() { unspew(); }
};
thread_local Spewer tls_spewer;

}  // namespace

void spew(std::FILE* out) {
  unspew();
  Hub& hub = Hub::current();
  sim::TraceHeader header;
  header.strategy = "live";
  auto recorder =
      std::make_unique<sim::TraceRecorder>(hub, header, /*format=*/true, out);
  recorder->flush_each_line(true);
  recorder->install(nullptr);
  tls_spewer.hub = &hub;
  tls_spewer.recorder = std::move(recorder);
}

void unspew() {
  Spewer& s = tls_spewer;
  if (!s.recorder) return;
  const bool hub_alive = Hub::current_if_exists() == s.hub;
  // A trace ends with its outcome event: the stepper and the timeline then
  // load it whole.
  if (hub_alive) s.recorder->note_outcome("ok", "debug::unspew()");
  if (hub_alive) {
    s.recorder->uninstall();  // other observers stay registered
    s.recorder.reset();
  } else {
    // Its hub is gone (which ended its registration): it goes quiet and is
    // left as is (a small object, kept until the process ends), since it
    // would otherwise reset the gone hub's tie breaker.
    s.recorder->stop_formatting();
    s.recorder->flush();
    (void)s.recorder.release();
  }
  s.hub = nullptr;
}

bool spewing() { return tls_spewer.recorder != nullptr; }

}  // namespace eventlet::debug
