// Copyright 2026 The eventlet-cpp Authors.
//
// introspection.h: a loopback-only, opt-in introspection port — the spirit of
// eventlet.backdoor without a console: a line protocol answering what
// debug/debug.h formats.
//
//   auto port = eventlet::debug::serve_introspection(
//       *eventlet::net::Address::parse("127.0.0.1:7777"));
//
// and then, from a shell:
//
//   $ nc 127.0.0.1 7777
//   ps
//   GREENTHREADS: ...
//   .
//
// Protocol: one command per line ("\n" or "\r\n"); each answer is the text
// followed by a line holding a single "." (so a client knows where it ends).
// Commands: ps (format_greenthreads), timers (format_hub_timers), listeners
// (format_hub_listeners), stats (format_counts and the observer's totals),
// all (format_all), help, quit. Unknown commands answer "unknown command:
// <cmd>" then the help.
//
// Security: only loopback addresses are accepted (127.0.0.0/8 and ::1);
// anything else throws std::invalid_argument. Anyone on the machine who can
// connect can read the dumps (names, stack symbols) — nothing can be changed.
#ifndef EVENTLET_DEBUG_INTROSPECTION_H_
#define EVENTLET_DEBUG_INTROSPECTION_H_

#include <memory>
#include <string>

#include "green_net/address.h"
#include "greenthread/greenthread.h"

namespace eventlet::debug {

// A running introspection port: a listening socket served by a greenthread of
// the hub that created it (each connection gets its own greenthread, shown in
// the dumps as "introspection"). Use and destroy it on that hub's thread.
class IntrospectionServer {
 public:
  ~IntrospectionServer();  // stop()
  IntrospectionServer(const IntrospectionServer&) = delete;
  IntrospectionServer& operator=(const IntrospectionServer&) = delete;

  // The bound address (the real port if 0 was asked).
  const net::Address& address() const { return address_; }
  // Stops accepting and ends the open connections. Idempotent.
  void stop();

 private:
  friend std::unique_ptr<IntrospectionServer> serve_introspection(
      const net::Address&);
  IntrospectionServer() = default;
  net::Address address_;
  GreenThread<void> thread_;
};

// Listens on `address` (loopback only, see above) and serves in a new
// greenthread of the calling thread's hub. Throws std::invalid_argument for a
// non-loopback address and std::system_error if it cannot listen.
std::unique_ptr<IntrospectionServer> serve_introspection(
    const net::Address& address);

// The answer to one command line (without the final "."), as the port sends
// it. Call on the hub's thread.
std::string introspection_answer(const std::string& command);

}  // namespace eventlet::debug

#endif  // EVENTLET_DEBUG_INTROSPECTION_H_
