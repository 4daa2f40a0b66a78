// Copyright 2026 The eventlet-cpp Authors.
//
// server.h: a green HTTP/1.x server. Each connection runs in its own
// greenthread (from a GreenPool, through net::serve); the requests of a
// connection are read, handled and answered in order.
//
//   http::Server server(net::listen(*net::Address::parse("127.0.0.1:8080")),
//                       [](const http::Request& req) {
//                         return http::Response::text(200, "hello\n");
//                       });
//   server.run();   // parks this greenthread until stop()
//
// The handler runs in the connection's greenthread, so it may block
// greenly (sleep, sockets, queues...): that parks only its connection. It
// gets the whole request (header and body already read); what it returns
// is written in one writev.
//
// Protocol, as the server implements it:
//  * HTTP/1.0 and HTTP/1.1 (other versions: 505). Keep-alive for 1.1 unless
//    the client sends "Connection: close", for 1.0 only with
//    "Connection: keep-alive"; a handler may end it by answering with a
//    "Connection: close" header. Pipelined requests are answered in order,
//    one at a time: the next one is not read before the previous answer has
//    been written, and before serving one that was already buffered the
//    connection yields to the hub (as nginx posts it behind other ready
//    events), so a client pipelining without reading gets one request per
//    turn and, once the kernel's buffers are full, waits in write_timeout.
//  * Request line (RFC 9112 section 3): method SP request-target SP
//    HTTP-version CRLF, exactly; anything else (a space in the target, a
//    missing part) is 400. Empty lines before a request are skipped (RFC
//    9112 section 2.2; they count against max_header_bytes).
//  * Header (RFC 9112 sections 3.2 and 5.2): an HTTP/1.1 request without a
//    Host header, or any request with more than one, is 400; a header line
//    continued on the next line (obsolete line folding) is 400.
//  * Request bodies by Content-Length or chunked (the body handed over is
//    de-chunked; trailers are dropped). "Expect: 100-continue" is answered
//    "100 Continue" before the body is read.
//  * The server writes Content-Length (from body.size()), Connection when
//    needed, Date and Server; the handler's own Content-Length,
//    Transfer-Encoding and Connection headers are not copied (Connection:
//    close is honoured). HEAD answers carry no body; 1xx, 204 and 304 carry
//    neither body nor Content-Length. A handler's header with an invalid
//    name, or a value with a control character (CR, LF, NUL...), is a
//    handler error (500).
//  * Errors answered by the server itself, each followed by closing the
//    connection: 400 malformed request (also: a chunk-size line longer than
//    max_chunk_line_bytes), 408 read timeout (best effort), 413 body larger
//    than max_body_bytes, 431 header larger than max_header_bytes or trailer
//    larger than max_trailer_bytes, 505 well-formed HTTP version other than
//    1.0/1.1. A handler that throws gets a 500 (the connection stays usable)
//    and its exception goes to the hub's exception hook. A peer that closes
//    or resets mid-request just ends its connection. Nothing one connection
//    does disturbs another.
//  * Timeouts (ServerOptions): read_timeout bounds the WHOLE header and
//    body of one request, measured from its first byte (for a connection's
//    first request, from accept): a client dribbling bytes is cut off when
//    it expires, however often bytes arrive (each read checks a fresh clock,
//    not only the hub's cached time, so a peer whose bytes never run out is
//    cut off too). idle_timeout bounds the wait for the next request on a
//    kept-alive connection (the connection is then closed silently).
//    write_timeout bounds each wait of a response write.
//  * Memory, per connection: the read buffer holds at most
//    max(max_header_bytes, max_chunk_line_bytes + max_trailer_bytes) + 16 KiB
//    (body bytes are moved out as they are parsed); the request body at most
//    max_body_bytes (the space reserved ahead for a Content-Length is at
//    most 64 KiB, the rest grows as bytes arrive). A connection reuses its
//    read buffer, Request and response header storage from one request to
//    the next; one idle for more than 100 ms (waiting for its first or next
//    request) gives them back while it waits (see "Idle connections" below),
//    buffers grown past 32 KiB (read) or 64 KiB (body)
//    are given back after the request, and everything when the connection
//    closes. After large buffers (1 MiB in all) have been given back, the
//    server asks glibc to return free heap memory to the system
//    (malloc_trim), at once when the last connection closes and otherwise
//    after every 64 MiB.
//
// Idle connections: a plain http connection that has waited 100 ms for its
// next request (or its first) gives back its buffers and its greenthread,
// and waits in a readiness watch instead (spawn_when_readable,
// greenthread/when_readable.h): all it keeps is its record (socket, peer
// address, deadlines: about 270 bytes) and the watch (the hub's
// registration and its timeout timer, two 128-byte blocks) — about 800
// bytes of RSS per connection in all, against nginx's 525
// (docs/PERFORMANCE.md, "Idle keep-alive connections"). When bytes arrive,
// a greenthread (a pooled stack, as any spawn) is spawned that serves on;
// the idle timeout (the first request's read timeout) still closes it and
// counts, stop() closes it, and run() waits for it and ends it as for any
// connection. A busy connection, whose next request comes within 100 ms,
// keeps its greenthread and pays no spawn per request. https connections
// park the same way (their TLS stream is on the heap, with the record),
// unless the TLS layer still holds received bytes of an unfinished record:
// then the connection keeps its greenthread, with only its buffers given
// back, until the rest arrives.
//
// HTTPS: with ServerOptions::tls set, every connection starts with a TLS
// handshake (green_net/tls; TLS 1.2 and 1.3) before its first request,
// bounded by read_timeout from accept; a connection whose handshake fails is
// closed, except that a plain HTTP request sent to the TLS port is answered
// in plain HTTP with "400 Bad Request" saying so (as nginx does). Requests
// and answers then go through the TLS stream with the same rules, limits and
// timeouts as above; a connection ended after a normal answer or an idle
// timeout sends close_notify first. Memory: a TLS connection adds
// tls::Stream's two 17 KiB buffers (its BIO pair), OpenSSL's connection
// state, and up to 16 KiB for gathering a response's pieces into one record;
// OpenSSL's own record buffers are released while the connection idles.
// Under the simulator (sim::run) run() throws std::logic_error: its network
// carries plain bytes only.
//
// On every core (ServerOptions::hubs = N > 1): run() serves on N hubs, one
// per OS thread (net::listen_on_hubs, green_net/hub_listeners.h): hub 0 is
// the caller's and accepts on the Server's listener, which must have been
// bound with SO_REUSEPORT (net::ListenOptions::reuse_port); each other hub
// binds its own SO_REUSEPORT listener to the same address (backlog:
// ServerOptions::backlog) and runs a Server of its own with the same handler
// and options. The kernel spreads connections over the listeners by hashing
// their addresses; a connection stays on its hub. The handler is called on
// every hub's thread at once, so what it shares must be thread-safe (an
// AccessLog is). stop() from any thread (a handler on any hub included)
// stops every hub gracefully, as below; run() returns once every hub's
// connections have ended. An error on one hub (its bind failed, its tls
// credentials did not load) stops the others and run() rethrows it. Stats
// stay per hub (stats(): hub 0's); hub_stats() and total_stats() gather them,
// and metrics_path serves total_stats().
//
// Lifetime and threading: a Server belongs to the hub (OS thread) that runs
// it. run() may be called once; the Server must outlive it. stop() may be
// called before or during run(): from any greenthread of that hub (a handler
// included), and with hubs > 1 from any thread.
#ifndef EVENTLET_GREEN_NET_HTTP_SERVER_H_
#define EVENTLET_GREEN_NET_HTTP_SERVER_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/time/time.h"
#include "green_net/address.h"
#include "green_net/http/message.h"
#include "green_net/http/server_stats.h"
#include "green_net/socket.h"
#include "green_net/tls/context.h"
#include "greenthread/event.h"

namespace eventlet {
class Greenlet;
class GreenPool;
}  // namespace eventlet

namespace eventlet::http {

class AccessLog;

// Called once per request, in the connection's greenthread. Exceptions
// become 500 answers (GreenletExit, a kill, goes through and ends the
// connection).
using Handler = std::function<Response(const Request&)>;

struct ServerOptions {
  // Open connections, per hub, parked idle ones included (as nginx's
  // worker_connections): at the bound the hub stops accepting until one
  // closes, and new clients wait in the listen backlog.
  std::size_t max_connections = 10000;
  // Hubs (OS threads) serving the listener's address (see "On every core"
  // above); >= 1.
  int hubs = 1;
  // listen() backlog of the listeners made for hubs 1.. (hubs > 1).
  int backlog = 128;
  // Request line + header fields, bytes (larger: 431).
  std::uint32_t max_header_bytes = 16 * 1024;
  // Request body (de-chunked), bytes (larger: 413, decided from
  // Content-Length at once, for chunked bodies as the chunks add up).
  std::uint64_t max_body_bytes = 1024 * 1024;
  // One chunk-size line of a chunked body: size, chunk extensions and CRLF
  // (longer: 400). Go's net/http allows 4096 too.
  std::uint32_t max_chunk_line_bytes = 4096;
  // The trailer section of a chunked body (larger: 431).
  std::uint32_t max_trailer_bytes = 16 * 1024;
  // Header + body of one request, from its first byte (see above).
  absl::Duration read_timeout = absl::Seconds(30);
  // Between requests on a kept-alive connection.
  absl::Duration idle_timeout = absl::Seconds(60);
  // Each wait while writing a response.
  absl::Duration write_timeout = absl::Seconds(30);
  // After an error answer (400/413/431), how long unread input is drained so
  // that the client sees the answer rather than a reset.
  absl::Duration linger_timeout = absl::Seconds(1);
  // false: every connection closes after one request.
  bool keep_alive = true;
  bool tcp_nodelay = true;
  // "Date:" on every response (the wall clock, read at most once per second
  // of hub time).
  bool date_header = true;
  // "Server:" value; empty: no Server header.
  std::string server_name = "eventlet-cpp";
  // Non-empty (e.g. "/metrics"): a GET or HEAD of exactly this path (query
  // ignored) is answered by the server with stats() in the Prometheus text
  // format (metrics.h) instead of calling the handler. Off by default.
  std::string metrics_path;
  // Non-null: one common-log-format line per response written to it
  // (access_log.h), without blocking the hub. Not owned: it must outlive
  // the Server. Off by default.
  AccessLog* access_log = nullptr;
  // Serve https with this certificate chain and key (PEM files, or PEM text
  // in memory); the constructor loads them and throws std::runtime_error
  // naming the file and OpenSSL's reason when it cannot. nullopt: plain http.
  std::optional<tls::ServerCredentials> tls;
};

class Server {
 public:
  // Takes a listening socket (net::listen). Throws std::invalid_argument if
  // `handler` is empty, `listener` is not open or options.hubs < 1,
  // std::runtime_error if options.tls cannot be loaded.
  Server(net::Socket listener, Handler handler, ServerOptions options = {});
  // If run() is still parked in some greenthread (hub teardown, or the
  // server's owner is being unwound), that greenthread is unwound first
  // (Hub::unwind), which ends its connections too. Never parks.
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Accepts and serves connections until stop(); then waits for the
  // connections to finish and returns. Parks the calling greenthread. Killing
  // that greenthread kills the connections' greenthreads too. Throws
  // std::logic_error for https under the simulator. With hubs > 1 it also
  // blocks the calling OS thread while the other hubs finish (run_on_hubs),
  // and rethrows the first hub's error; killing it stops every hub.
  void run();
  // Graceful stop: closes the listener (no new connections), closes every
  // connection that has no complete request in progress — idle between
  // requests, just accepted, or in the middle of receiving a request's
  // header or body (the client gets no answer: the request was not
  // processed, so it may retry) — lets requests being handled or answered
  // finish (their answers say "Connection: close") and makes run() return
  // once every connection has ended (one draining input after an error
  // answer takes up to linger_timeout). Go's Server.Shutdown closes idle and
  // new connections the same way but waits for a request being received
  // until its ReadTimeout; this server does not wait for the client. Never
  // blocks; idempotent. With hubs > 1: thread-safe; every hub (this one
  // too) does the above at its next turn.
  void stop();
  // stop() was called (hubs > 1: on any hub, from any thread).
  bool stopping() const;

  // Where the server listens (known from construction on).
  const net::Address& address() const { return address_; }
  // This hub's counts (with hubs > 1, hub 0's); read on its thread.
  const ServerStats& stats() const { return stats_; }
  // Each hub's counts, by hub index ({stats()} when hubs == 1). With hubs >
  // 1 during run(), each other hub copies its own at its next turn (posted
  // to its mailbox): parks the calling greenthread until all have answered.
  // A hub that has finished gives the counts it finished with. Call it from
  // a greenthread of one of the server's hubs (a handler, for instance) or
  // on hub 0's thread.
  std::vector<ServerStats> hub_stats();
  // The sum of hub_stats() (what metrics_path serves).
  ServerStats total_stats();
  const ServerOptions& options() const { return options_; }

 private:
  class Connection;
  struct Hubs;  // the hubs of a run() with hubs > 1
  // stop() on this hub only.
  void stop_here();
  // run() with hubs > 1, and run() on this hub alone.
  void run_every_hub();
  void run_here();
  // The Server that run() was called on (this one, or a hub's parent).
  Server& root() { return parent_ != nullptr ? *parent_ : *this; }
  void serve_connection(net::Socket socket, const net::Address& peer);
  // When run() ends however it ends: unwinds the greenthreads of woken idle
  // connections and destroys the idle ones that have none. Never parks.
  void end_connections();
  // A connection gave back `bytes` of large buffers (`closing`: from its
  // destructor, after connections_open was decremented): calls malloc_trim
  // when enough has been given back (see "Memory" above).
  void given_back(std::size_t bytes, bool closing);
  // "Date: ...\r\n", remade when the hub's second changes.
  std::string_view date_line();
  // The access log's time, remade when the hub's second changes.
  std::string_view log_time();
  // Parks the accept loop while max_connections are open (`handlers` of
  // the accept loop running, plus parked_) and the server is not stopping.
  void wait_for_room(const GreenPool& handlers);
  // Whether `request` asks for options_.metrics_path.
  bool serves_metrics(const Request& request) const;

  net::Socket listener_;
  net::Address address_;
  std::optional<tls::Context> tls_context_;  // from options_.tls
  Handler handler_;
  ServerOptions options_;
  ServerStats stats_;
  bool stopping_ = false;
  bool running_ = false;
  Greenlet* runner_ = nullptr;  // the greenthread in run(), while running_
  // Live connections (an intrusive list through Connection), for stop().
  Connection* connections_ = nullptr;
  // Sent when the last connection ends (run() waits for it).
  Event<> no_connections_;
  // Open connections that outlived their accept-loop handler (parked once:
  // idle, or served since by a greenthread of their own).
  std::size_t parked_ = 0;
  // Sent when a connection ends or leaves its handler, and by stop(): the
  // accept loop waits for it while max_connections are open
  // (wait_for_room()).
  Event<> room_;
  std::string server_line_;  // "Server: ...\r\n" or empty
  std::int64_t date_second_ = -1;
  std::string date_line_;
  std::int64_t log_second_ = -1;
  std::string log_time_;
  std::size_t given_back_bytes_ = 0;
  // hubs > 1: shared with the Servers run() makes on hubs 1..; those point
  // back here through parent_.
  std::unique_ptr<Hubs> hubs_;
  Server* parent_ = nullptr;
};

}  // namespace eventlet::http

#endif  // EVENTLET_GREEN_NET_HTTP_SERVER_H_
