// Copyright 2026 The eventlet-cpp Authors.
//
// hub_group.h: one hub on each of N OS threads — how a program uses every
// core (nginx's worker processes, Go's GOMAXPROCS, tokio's multi-thread
// runtime, done eventlet's way: a hub per thread, greenthreads that never
// move between hubs).
//
//   eventlet::run_on_hubs(2, [&](int hub_index) {
//     // The main greenlet of hub `hub_index`, on its own OS thread: spawn,
//     // serve, wait... Hand work to another hub with the cross-hub
//     // primitives (greenthread/cross_hub.h).
//   });
//
// run_on_hubs(n, fn) runs fn(0) on the calling thread (its hub) and fn(1) ..
// fn(n - 1) on n - 1 new threads, each with a fresh hub (made before fn
// runs, so hubs are numbered — Hub::id() — in index order among themselves);
// it returns when all have returned. Each new thread destroys its hub before it exits
// (Hub::destroy_current: pending greenthreads are unwound), so fn must leave
// nothing running that refers to its frame. If some fn throws, the first
// exception (by hub index) is rethrown once every thread has finished; the
// others are dropped. Blocking: fn(0) runs first, in the calling greenlet;
// then the calling OS thread blocks in join() until the other hubs' fns
// return (its own hub does not run meanwhile), so call it from a thread's
// main code, not from a greenthread others on the same hub rely on.
// Throws std::invalid_argument if n < 1.
#ifndef EVENTLET_HUB_HUB_GROUP_H_
#define EVENTLET_HUB_HUB_GROUP_H_

#include <functional>

namespace eventlet {

void run_on_hubs(int n, const std::function<void(int hub_index)>& fn);

}  // namespace eventlet

#endif  // EVENTLET_HUB_HUB_GROUP_H_
