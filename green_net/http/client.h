// Copyright 2026 The eventlet-cpp Authors.
//
// client.h: an HTTP/1.1 client over green sockets — eventlet's
// urllib-over-green-sockets, as one call.
//
//   http::Response r = http::fetch("http://127.0.0.1:8080/page/1");
//   std::printf("%d %zu\n", r.status, r.body.size());
//
//   http::FetchOptions post;
//   post.method = "POST";
//   post.headers.push_back({"Content-Type", "application/json"});
//   post.body = R"({"x": 1})";
//   boost::system::error_code ec;
//   http::Response r2 = http::fetch(url, post, ec);   // no exception
//
// What a fetch does: parses the URL (http:// or https://), resolves the host
// with net::resolve (names on a tpool thread; only the calling greenthread
// waits), takes an idle keep-alive connection to (scheme, host, port) from
// the Client or connects a new one (for https, with a TLS handshake), writes
// the request (Host, User-Agent, the options' headers and body; Content-Length
// when there is a body), reads the response with Beast's parser (Content-
// Length, chunked, or until the server closes), follows redirects, and puts
// the connection back for reuse when both sides allow keep-alive.
//
// Blocking: fetch() parks only the calling greenthread; any number of
// greenthreads of one hub may fetch at once through one Client. An enclosing
// eventlet::Timeout or a kill interrupts it by exception (the connection in
// use is closed, never reused).
//
// Bounds: everything a server sends is bounded (FetchOptions): the header
// (max_header_size, interim responses included), the number of interim 1xx
// responses (max_interim_responses), a chunk-size line with its extensions
// (max_chunk_line_size), the trailer (max_trailer_size), the body
// (max_body_size), hence the read buffer; and the time, per wait
// (read_timeout) and in all (total_timeout).
//
// Timeouts (FetchOptions): connect_timeout bounds each connect attempt;
// read_timeout bounds each wait for the socket while writing the request and
// reading the response (so a server that sends a byte every 29 s with a 30 s
// read_timeout is not cut off: set total_timeout, or wrap the call in an
// eventlet::Timeout, for a total deadline).
//
// Redirects: 301, 302, 303, 307 and 308 with a Location header are followed
// (relative locations are resolved against the current URL), at most
// max_redirects times; one more is Errc::kTooManyRedirects. 303 turns the
// request into a GET without body (HEAD stays HEAD), as do 301 and 302 for a
// POST (what browsers, curl and Python's requests do); 307 and 308 keep the
// method and body. Authorization and Cookie headers are dropped when a
// redirect leaves the original host:port. FetchInfo::url is the final URL.
//
// HTTPS (green_net/tls): the server's certificate is verified against the
// system trust store (Debian's ca-certificates) and the URL's host (a DNS
// name, or an IP literal against the certificate's IP entries), and the host
// name is sent as SNI — unless FetchOptions::tls says otherwise (another CA
// bundle, PEM text to trust, or verify = false: curl's --insecure). The
// handshake is bounded by handshake_timeout. Failures are tls::Errc codes
// (tls::error_category(), "eventlet.tls") with their own messages:
// "certificate verify failed: unknown certificate authority ...", "... the
// certificate has expired", "... does not match the host name", "TLS
// handshake timed out", "the server answered in plain HTTP, not TLS (is this
// an http:// port?)". Plain http:// to a TLS port gets whatever the server
// answers (this library's server and nginx answer 400). Each Client makes
// one tls::Context per distinct FetchOptions::tls it has seen (the system
// trust store is loaded once) and keeps it for its lifetime. Under the
// simulator (sim::run) https fails with Errc::kHttpsNotSupported before
// connecting: the simulated network carries plain bytes only.
//
// Keep-alive: a Client keeps up to Options::max_idle_per_host idle
// connections per (scheme, host, port, TLS settings) and max_idle_total in
// all; beyond that, a
// finished connection is closed. An idle connection is dropped after
// max_idle_time. Before a non-idempotent request (POST, PATCH...) reuses one,
// and before any request reuses one idle for probe_after or longer, it is
// checked with a non-blocking peek (one syscall), so that one the server
// closed meanwhile is not written to. If a reused connection fails anyway
// before any byte of the response came back (the server closed it at the
// same moment, or closed it soon after its last answer), an idempotent
// request (GET, HEAD, PUT, DELETE, OPTIONS, TRACE) is retried once on a new
// connection; other methods report the error.
//
// Errors: each call has an error_code form and a throwing form (http::Error,
// a boost::system::system_error whose what() names the method and URL, e.g.
// "GET http://127.0.0.1:1/: Connection refused"). Codes: http::Errc (this
// library's, below, in http::error_category()), socket errors (system
// category: connection refused, connection reset...), resolver errors
// (net::resolver_category(): "Name or service not known"), and Beast's parse
// errors (boost::beast::http::error: "bad status"...). A status code of 4xx or
// 5xx is NOT an error: it comes back as a Response (status 0: none).
//
// Threading: a Client and its connections belong to the OS thread (hub) that
// uses them. The free fetch() uses default_client(), one per thread.
#ifndef EVENTLET_GREEN_NET_HTTP_CLIENT_H_
#define EVENTLET_GREEN_NET_HTTP_CLIENT_H_

#include <boost/system/error_code.hpp>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/time/time.h"
#include "green_net/http/error.h"
#include "green_net/http/message.h"
#include "green_net/http/url.h"
#include "green_net/tls/context.h"

namespace eventlet::http {

// Errc, error_category() and Error are in error.h; Url in url.h.

// The library version, as sent in the default User-Agent.
inline constexpr std::string_view kVersion = "0.1.0";
inline constexpr std::string_view kDefaultUserAgent = "eventlet-cpp/0.1.0";

// ---- Requests and responses ----

// Response and Header are the shared message types (message.h), the same
// the server uses. A fetch fills status, reason (as the server sent it),
// headers (as received, in order; Response::header(name) looks one up
// case-insensitively) and body (de-chunked; empty for HEAD, 204 and 304).

// What a fetch learned besides the final response.
struct FetchInfo {
  std::string url;      // the URL that answered (after redirects)
  int redirects = 0;    // redirects followed to get there
  int version = 11;     // the response's HTTP version: 10 or 11
  bool reused = false;  // the final exchange ran on a kept-alive connection
};

struct FetchOptions {
  // Any token ("GET", "POST", "PUT", "DELETE", "HEAD", "PATCH", "OPTIONS"...);
  // sent as is (methods are case-sensitive).
  std::string method = "GET";
  // Sent after Host and User-Agent, in order. A Host or User-Agent here
  // replaces the default one; "Connection: close" disables keep-alive.
  // Names must be tokens and values free of control characters other than
  // HTAB (no CR, LF or NUL: nothing can add a header line); otherwise the
  // fetch fails with Errc::kBadHeader before anything is sent.
  std::vector<Header> headers;
  // Sent with a Content-Length (also "0" for an empty POST, PUT or PATCH).
  std::string body;

  bool follow_redirects = true;
  int max_redirects = 10;

  // Each connect attempt (one per resolved address). nullopt: no limit.
  std::optional<absl::Duration> connect_timeout = absl::Seconds(10);
  // Each wait for the socket while sending and receiving. nullopt: no limit.
  std::optional<absl::Duration> read_timeout = absl::Seconds(30);
  // The whole fetch: resolving, connecting, writing, reading, redirects.
  // Expiry fails it with Errc::kDeadlineExceeded. Checked against a fresh
  // clock between reads too, so a server whose bytes never run out cannot
  // stretch it. nullopt: no limit.
  std::optional<absl::Duration> total_timeout;

  // Larger response bodies (de-chunked) fail with Errc::kBodyTooLarge (the
  // connection is closed).
  std::uint64_t max_body_size = std::uint64_t{64} << 20;
  // Larger response headers fail with Errc::kHeadersTooLarge. The headers of
  // interim (1xx) responses count against it too, with the final one's.
  std::uint32_t max_header_size = 64 << 10;
  // Interim (1xx, but 101) responses read past before the final one; one
  // more fails with Errc::kTooManyInterimResponses (Go's net/http allows 5).
  int max_interim_responses = 5;
  // A chunked body's chunk-size line (size, extensions, CRLF); longer:
  // Errc::kChunkLineTooLong (Go's net/http allows 4096 too).
  std::uint32_t max_chunk_line_size = 4096;
  // A chunked body's trailer section; larger: Errc::kTrailerTooLarge
  // (checked as it arrives, so a trailer that comes whole within one read
  // may pass it by up to that read, 16 KiB). Trailer fields are appended to
  // the Response's headers.
  std::uint32_t max_trailer_size = 64 << 10;
  // The connection's read buffer never holds more than
  // max(max_header_size, max_chunk_line_size + max_trailer_size) + 16 KiB:
  // body bytes are moved to the Response as they are parsed.

  // Sent as User-Agent unless headers has one; empty: none. Like headers'
  // values, it must not contain control characters (CR, LF, NUL...):
  // Errc::kBadHeader.
  std::string user_agent = std::string(kDefaultUserAgent);
  // false: "Connection: close", and the connection is not reused.
  bool keep_alive = true;

  // https only: what the client trusts (default: the system trust store,
  // with host name verification) ...
  tls::ClientConfig tls;
  // ... and the bound on each TLS handshake (tls::Errc::kHandshakeTimeout).
  // nullopt: only read_timeout per wait.
  std::optional<absl::Duration> handshake_timeout = absl::Seconds(10);
};

// ---- Client ----

// Holds idle keep-alive connections per (host, port) and fetches through
// them. Not copyable or movable. Must outlive the fetches that use it; its
// destructor closes the idle connections (and never needs the hub).
class Client {
 public:
  struct Options {
    std::size_t max_idle_per_host = 64;
    std::size_t max_idle_total = 1024;
    // Idle connections older than this are closed instead of reused.
    absl::Duration max_idle_time = absl::Seconds(60);
    // Peek (MSG_PEEK | MSG_DONTWAIT, no wait) at an idle connection before
    // reusing it, and drop it if the server closed it or sent something:
    // always for non-idempotent requests, and for idempotent ones (which are
    // retried if the connection turns out closed) once it has been idle for
    // probe_after. false: never.
    bool probe_idle = true;
    absl::Duration probe_after = absl::Seconds(1);
  };
  // Counters since construction.
  struct Stats {
    std::uint64_t requests = 0;            // request/response exchanges
    std::uint64_t connections_opened = 0;  // successful connects
    std::uint64_t connections_reused = 0;  // exchanges on an idle connection
    std::uint64_t retries = 0;  // idempotent retries after a stale reuse
  };

  Client();
  explicit Client(Options options);
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // See the top of this file. On failure ec is set and an empty Response
  // returned. Parks the calling greenthread.
  Response fetch(std::string_view url, const FetchOptions& options,
                 error_code& ec, FetchInfo* info = nullptr);
  // Throws Error on failure.
  Response fetch(std::string_view url, const FetchOptions& options = {},
                 FetchInfo* info = nullptr);

  // Idle connections now, in all or to one (host, port) (both schemes).
  std::size_t idle_count() const { return idle_total_; }
  std::size_t idle_count(std::string_view host, std::uint16_t port) const;
  // Closes every idle connection.
  void close_idle();

  const Options& options() const { return options_; }
  // Takes effect for connections put back from now on.
  void set_options(const Options& options) { options_ = options; }
  const Stats& stats() const { return stats_; }

 private:
  struct Connection;
  struct Exchange;
  // Where idle connections are pooled: scheme, host, port and, for https,
  // the index of the TLS settings in contexts_ (-1 for http).
  struct Key {
    std::string scheme;
    std::string host;
    std::uint16_t port;
    int tls;
    auto operator<=>(const Key&) const = default;
  };
  using ConnectionPtr = std::unique_ptr<Connection>;

  // fetch() once the deadline (hub time, ns; INT64_MAX: none) is known.
  Response fetch_until(std::string_view url, const FetchOptions& options,
                       std::int64_t deadline, error_code& ec, FetchInfo* info);
  // One request/response on a pooled or new connection, with the retry.
  Response round_trip(const Url& url, const Exchange& exchange, error_code& ec,
                      FetchInfo& info);
  ConnectionPtr take_idle(const Key& key, bool idempotent);
  void put_idle(const Key& key, ConnectionPtr connection);
  ConnectionPtr open(const Url& url, const FetchOptions& options, int tls,
                     error_code& ec);
  // The index in contexts_ of `config`'s context, made on first use.
  int context_index(const tls::ClientConfig& config);

  Options options_;
  Stats stats_;
  std::map<Key, std::vector<ConnectionPtr>> idle_;
  std::size_t idle_total_ = 0;
  // One TLS context per distinct FetchOptions::tls seen (few in practice).
  std::vector<std::pair<tls::ClientConfig, tls::Context>> contexts_;
};

// This OS thread's Client (created on first use), used by the free fetch().
Client& default_client();

// default_client().fetch(...).
Response fetch(std::string_view url, const FetchOptions& options,
               error_code& ec, FetchInfo* info = nullptr);
Response fetch(std::string_view url, const FetchOptions& options = {},
               FetchInfo* info = nullptr);

}  // namespace eventlet::http

#endif  // EVENTLET_GREEN_NET_HTTP_CLIENT_H_
