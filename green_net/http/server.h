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
//    "Connection: close" header. Pipelined requests are answered in order.
//  * Request bodies by Content-Length or chunked (the body handed over is
//    de-chunked; trailers are dropped). "Expect: 100-continue" is answered
//    "100 Continue" before the body is read.
//  * The server writes Content-Length (from body.size()), Connection when
//    needed, Date and Server; the handler's own Content-Length,
//    Transfer-Encoding and Connection headers are not copied (Connection:
//    close is honoured). HEAD answers carry no body; 1xx, 204 and 304 carry
//    neither body nor Content-Length.
//  * Errors answered by the server itself, each followed by closing the
//    connection: 400 malformed request, 408 read timeout (best effort), 413
//    body larger than max_body_bytes, 431 header larger than
//    max_header_bytes, 505 HTTP version other than 1.0/1.1. A handler that
//    throws gets a 500 (the connection stays usable) and its exception goes
//    to the hub's exception hook. A peer that closes or resets mid-request
//    just ends its connection. Nothing one connection does disturbs another.
//  * Timeouts (ServerOptions): read_timeout bounds the WHOLE header and
//    body of one request, measured from its first byte (for a connection's
//    first request, from accept): a client dribbling bytes is cut off when
//    it expires, however often bytes arrive. idle_timeout bounds the wait
//    for the next request on a kept-alive connection (the connection is
//    then closed silently). write_timeout bounds each wait of a response
//    write.
//  * Memory: a connection reuses its read buffer, Request and response
//    header storage from one request to the next; one idle for more than
//    100 ms between requests gives them back while it waits.
//
// Lifetime and threading: a Server belongs to the hub (OS thread) that runs
// it. run() may be called once; the Server must outlive it. stop() may be
// called from any greenthread of that hub (a handler included), before or
// during run().
#ifndef EVENTLET_GREEN_NET_HTTP_SERVER_H_
#define EVENTLET_GREEN_NET_HTTP_SERVER_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/time/time.h"
#include "green_net/address.h"
#include "green_net/http/message.h"
#include "green_net/socket.h"

namespace eventlet {
class Greenlet;
}

namespace eventlet::http {

// Called once per request, in the connection's greenthread. Exceptions
// become 500 answers (GreenletExit, a kill, goes through and ends the
// connection).
using Handler = std::function<Response(const Request&)>;

struct ServerOptions {
  // Connections served at once (greenthreads); more wait in the listen
  // backlog.
  std::size_t max_connections = 10000;
  // Request line + header fields, bytes (larger: 431).
  std::uint32_t max_header_bytes = 16 * 1024;
  // Request body, bytes (larger: 413, decided from Content-Length at once).
  std::uint64_t max_body_bytes = 1024 * 1024;
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
};

// Counters since construction.
struct ServerStats {
  std::uint64_t connections_accepted = 0;
  std::uint64_t connections_open = 0;
  std::uint64_t requests_served = 0;    // answered by the handler (incl. 500)
  std::uint64_t requests_rejected = 0;  // 400/408/413/431/505 by the server
  std::uint64_t handler_errors = 0;     // handler threw: 500
};

class Server {
 public:
  // Takes a listening socket (net::listen). Throws std::invalid_argument if
  // `handler` is empty or `listener` is not open.
  Server(net::Socket listener, Handler handler, ServerOptions options = {});
  // If run() is still parked in some greenthread (hub teardown, or the
  // server's owner is being unwound), that greenthread is unwound first
  // (Hub::unwind), which ends its connections too. Never parks.
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Accepts and serves connections until stop(); then waits for the
  // connections to finish and returns. Parks the calling greenthread. Killing
  // that greenthread kills the connections' greenthreads too.
  void run();
  // Graceful stop: closes the listener (no new connections), closes
  // keep-alive connections that are idle between requests, lets requests in
  // progress finish (their answers say "Connection: close") and makes run()
  // return once every connection has ended (one draining input after an
  // error answer takes up to linger_timeout). Never blocks; idempotent.
  void stop();
  bool stopping() const { return stopping_; }

  // Where the server listens (known from construction on).
  const net::Address& address() const { return address_; }
  const ServerStats& stats() const { return stats_; }
  const ServerOptions& options() const { return options_; }

 private:
  class Connection;
  void serve_connection(net::Socket socket, const net::Address& peer);
  // "Date: ...\r\n", remade when the hub's second changes.
  std::string_view date_line();

  net::Socket listener_;
  net::Address address_;
  Handler handler_;
  ServerOptions options_;
  ServerStats stats_;
  bool stopping_ = false;
  bool running_ = false;
  Greenlet* runner_ = nullptr;  // the greenthread in run(), while running_
  // Live connections (an intrusive list through Connection), for stop().
  Connection* connections_ = nullptr;
  std::string server_line_;  // "Server: ...\r\n" or empty
  std::int64_t date_second_ = -1;
  std::string date_line_;
};

}  // namespace eventlet::http

#endif  // EVENTLET_GREEN_NET_HTTP_SERVER_H_
