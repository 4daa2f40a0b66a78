// Copyright 2026 The eventlet-cpp Authors.
#include "greenthread/greenthread.h"

namespace eventlet::internal {

void GreenThreadCore::run_links() {
  // Take them all first: a callback may link or unlink.
  std::vector<Link> ready = std::move(links);
  links.clear();
  for (Link& link : ready) {
    try {
      link.callback();
    } catch (...) {
      Hub::current().report_exception(std::current_exception(),
                                      "link callback");
    }
  }
  if (on_exit != nullptr) on_exit(on_exit_arg);
}

void GreenThreadCore::kill(std::exception_ptr error) {
  Greenlet* g = greenlet;
  if (g == nullptr || g->dead()) return;
  Hub& hub = g->hub();
  if (!g->started()) {
    // It never runs; its waiters and links learn now, in the caller.
    kill_error = error;
    RefPtr<GreenThreadCore> keep(this);
    hub.discard_unstarted(*g);
    if (!hub.in_hub_greenlet() && !hub.unwinding())
      hub.sleep(absl::ZeroDuration());
    return;
  }
  hub.throw_into(*g, std::move(error));
}

void GreenThreadCore::kill_now() {
  Greenlet* g = greenlet;
  if (g == nullptr || g->dead()) return;
  RefPtr<GreenThreadCore> keep(this);
  if (!g->started()) kill_error = std::make_exception_ptr(GreenletExit{});
  g->hub().unwind(*g);
}

}  // namespace eventlet::internal
