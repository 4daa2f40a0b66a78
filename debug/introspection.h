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
// all (format_all), help, quit, and those a program adds with an
// IntrospectionCommand (below; e.g. an http::Server's statistics). Unknown
// commands answer "unknown command: <cmd>" then the help.
//
// Security: only loopback addresses are accepted (127.0.0.0/8 and ::1);
// anything else throws std::invalid_argument. Anyone on the machine who can
// connect can read the dumps (names, stack symbols) — nothing can be changed.
#ifndef EVENTLET_DEBUG_INTROSPECTION_H_
#define EVENTLET_DEBUG_INTROSPECTION_H_

#include <functional>
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

// A command added to the introspection ports of the calling thread while
// this object lives (RAII), for a program's own dumps:
//
//   debug::IntrospectionCommand http_stats(
//       "http", "the web server's statistics (Prometheus text)",
//       [&server] { return http::format_prometheus(server.stats()); });
//   $ printf 'http\n' | nc 127.0.0.1 7777
//
// `answer` runs on this thread (the hub's), in the connection's greenthread;
// it should not block. Its text gets a final '\n' if it lacks one; a line
// holding only "." in it would end the answer early, so such a line is sent
// as ". " instead. Throws std::invalid_argument if `name` is empty, holds
// whitespace, or names a built-in or an already added command. Create and
// destroy it on one thread; it is neither copyable nor movable.
class IntrospectionCommand {
 public:
  IntrospectionCommand(std::string name, std::string help,
                       std::function<std::string()> answer);
  ~IntrospectionCommand();
  IntrospectionCommand(const IntrospectionCommand&) = delete;
  IntrospectionCommand& operator=(const IntrospectionCommand&) = delete;

  const std::string& name() const { return name_; }
  const std::string& help() const { return help_; }
  std::string answer() const;

 private:
  std::string name_;
  std::string help_;
  std::function<std::string()> answer_;
};

// The answer to one command line (without the final "."), as the port sends
// it. Call on the hub's thread.
std::string introspection_answer(const std::string& command);

}  // namespace eventlet::debug

#endif  // EVENTLET_DEBUG_INTROSPECTION_H_
