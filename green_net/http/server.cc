// Copyright 2026 The eventlet-cpp Authors.
#include "green_net/http/server.h"

#include <malloc.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <algorithm>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/basic_parser.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/field.hpp>
#include <boost/beast/http/status.hpp>
#include <charconv>
#include <cstring>
#include <ctime>
#include <exception>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

#include "absl/cleanup/cleanup.h"
#include "green_net/convenience.h"
#include "green_net/http/access_log.h"
#include "green_net/http/chunk_limits.h"
#include "green_net/http/metrics.h"
#include "green_net/hub_listeners.h"
#include "green_net/tls/error.h"
#include "green_net/tls/stream.h"
#include "greenthread/cross_hub.h"
#include "greenthread/when_readable.h"
#include "hub/errors.h"
#include "hub/hub.h"
#include "hub/mailbox.h"

namespace eventlet::http {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using net::error_code;

// ---- Helpers ----------------------------------------------------------------

namespace {

constexpr char to_lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

std::string_view view(beast::string_view s) { return {s.data(), s.size()}; }

// Whether a comma-separated header value lists `token` (case-insensitive).
bool has_token(std::string_view value, std::string_view token) {
  while (!value.empty()) {
    std::size_t comma = value.find(',');
    std::string_view item = value.substr(0, comma);
    while (!item.empty() && (item.front() == ' ' || item.front() == '\t'))
      item.remove_prefix(1);
    while (!item.empty() && (item.back() == ' ' || item.back() == '\t'))
      item.remove_suffix(1);
    if (iequals(item, token)) return true;
    if (comma == std::string_view::npos) break;
    value.remove_prefix(comma + 1);
  }
  return false;
}

bool has_crlf(std::string_view s) {
  return s.find_first_of("\r\n") != std::string_view::npos;
}

// Space reserved ahead for a request body announced by Content-Length; the
// rest grows as bytes arrive (a client announcing a body it does not send
// costs no more).
constexpr std::size_t kMaxBodyReserve = 64 * 1024;

void append_number(std::string& out, std::uint64_t n) {
  char digits[24];
  auto [end, ec] = std::to_chars(digits, digits + sizeof digits, n);
  out.append(digits, end);
}

// A Request filled straight from Beast's parser callbacks. The Request's
// strings and header vector keep their capacity from one request to the next,
// so a connection's steady state allocates nothing here.
class RequestParser final : public bhttp::basic_parser<true> {
 public:
  RequestParser(Request& request, const ChunkLimits& limits)
      : request_(request), limits_(limits) {
    request_.body.clear();
  }

  bool expect_continue() const { return expect_continue_; }

 private:
  void on_request_impl(bhttp::verb, beast::string_view method,
                       beast::string_view target, int version,
                       error_code&) override {
    request_.method.assign(method.data(), method.size());
    request_.target.assign(target.data(), target.size());
    request_.version = version;
  }
  void on_response_impl(int, beast::string_view, int, error_code&) override {}
  void on_field_impl(bhttp::field field, beast::string_view name,
                     beast::string_view value, error_code& ec) override {
    if (is_header_done()) {  // a trailer field: counted, dropped
      trailer_bytes_ += name.size() + value.size() + 4;
      if (trailer_bytes_ > limits_.max_trailer_bytes)
        ec = bhttp::error::header_limit;  // 431
      return;
    }
    if (field == bhttp::field::host) ++host_count_;
    std::vector<Header>& headers = request_.headers;
    if (count_ < headers.size()) {
      headers[count_].name.assign(name.data(), name.size());
      headers[count_].value.assign(value.data(), value.size());
    } else {
      headers.push_back(
          Header{std::string(view(name)), std::string(view(value))});
    }
    ++count_;
    if (field == bhttp::field::expect && has_token(view(value), "100-continue"))
      expect_continue_ = true;
    if (field == bhttp::field::transfer_encoding) transfer_encoding_ = true;
  }
  void on_header_impl(error_code& ec) override {
    request_.headers.resize(count_);
    // RFC 7230 3.3.3: a request with Transfer-Encoding must end in chunked.
    if (transfer_encoding_ && !chunked())
      ec = bhttp::error::bad_transfer_encoding;
    // RFC 9112 3.2: exactly one Host in HTTP/1.1, at most one before (400).
    if (host_count_ > 1 || (host_count_ == 0 && request_.version >= 11))
      ec = bhttp::error::bad_field;
  }
  void on_body_init_impl(const boost::optional<std::uint64_t>& length,
                         error_code&) override {
    // Already checked against the body limit.
    if (length) {
      request_.body.reserve(static_cast<std::size_t>(
          std::min<std::uint64_t>(*length, kMaxBodyReserve)));
    }
  }
  std::size_t on_body_impl(beast::string_view body, error_code&) override {
    request_.body.append(body.data(), body.size());
    return body.size();
  }
  // Lines and trailers that arrive whole in one read are checked here;
  // incomplete ones by check_pending_chunk_framing().
  void on_chunk_header_impl(std::uint64_t, beast::string_view extensions,
                            error_code& ec) override {
    if (extensions.size() + 3 > limits_.max_line_bytes)
      ec = bhttp::error::bad_chunk_extension;  // 400
  }
  std::size_t on_chunk_body_impl(std::uint64_t, beast::string_view body,
                                 error_code&) override {
    request_.body.append(body.data(), body.size());
    return body.size();
  }
  void on_finish_impl(error_code&) override {}

  Request& request_;
  const ChunkLimits& limits_;
  std::size_t count_ = 0;
  std::size_t trailer_bytes_ = 0;
  std::size_t host_count_ = 0;
  bool expect_continue_ = false;
  bool transfer_encoding_ = false;
};

// Whether `data` starts with a whole, well-formed request line (RFC 9112
// section 3: token SP target SP "HTTP/" DIGIT "." DIGIT CRLF, the target
// without spaces or control characters) — so that Beast's bad_version means
// "unsupported version" (505), not "garbage" (400).
bool well_formed_request_line(std::string_view data) {
  const std::size_t eol = data.find("\r\n");
  if (eol == std::string_view::npos) return false;
  const std::string_view line = data.substr(0, eol);
  const std::size_t sp1 = line.find(' ');
  const std::size_t sp2 = line.rfind(' ');
  if (sp1 == std::string_view::npos || sp2 == sp1) return false;
  const std::string_view method = line.substr(0, sp1);
  const std::string_view target = line.substr(sp1 + 1, sp2 - sp1 - 1);
  const std::string_view version = line.substr(sp2 + 1);
  if (!valid_header_name(method) || target.empty()) return false;
  for (unsigned char c : target) {
    if (c <= 0x20 || c == 0x7f) return false;
  }
  return version.size() == 8 && version.starts_with("HTTP/") &&
         version[5] >= '0' && version[5] <= '9' && version[6] == '.' &&
         version[7] >= '0' && version[7] <= '9';
}

// Whether a complete header block (request line to the empty line) has a
// line that starts with a space or tab: obsolete line folding, or
// whitespace before the first field (RFC 9112 sections 5.2 and 2.2; both
// are smuggling vectors behind proxies that read them differently).
bool has_folded_line(std::string_view header) {
  for (std::size_t at = header.find('\n'); at != std::string_view::npos;
       at = header.find('\n', at + 1)) {
    if (at + 1 < header.size() &&
        (header[at + 1] == ' ' || header[at + 1] == '\t'))
      return true;
  }
  return false;
}

// "Date: Sun, 06 Nov 1994 08:49:37 GMT\r\n" for the wall clock now.
std::string format_date_line() {
  static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed",
                                          "Thu", "Fri", "Sat"};
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr",
                                            "May", "Jun", "Jul", "Aug",
                                            "Sep", "Oct", "Nov", "Dec"};
  // The Date header is protocol content, not scheduling: it reads the wall
  // clock (at most once per second of hub time).
  const std::time_t now = std::time(nullptr);
  std::tm tm;
  gmtime_r(&now, &tm);
  char text[64];
  const int n = std::snprintf(
      text, sizeof text, "Date: %s, %02d %s %04d %02d:%02d:%02d GMT\r\n",
      kDays[tm.tm_wday % 7], tm.tm_mday, kMonths[tm.tm_mon % 12],
      tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
  return std::string(text, n > 0 ? static_cast<std::size_t>(n) : 0);
}

constexpr std::size_t kReadSize = 4096;
constexpr std::size_t kBodyReadSize = 16384;
// Bodies up to this size are copied behind the header (one buffer to send).
constexpr std::size_t kCopyBodyLimit = 2048;
// Buffers grown past these sizes are released after the request.
constexpr std::size_t kKeepBufferCapacity = 32 * 1024;
constexpr std::size_t kKeepBodyCapacity = 64 * 1024;
// Given-back buffer bytes after which the server calls malloc_trim: at
// once when no connection is left, and every kTrimEveryBytes otherwise.
constexpr std::size_t kTrimAfterBytes = 1024 * 1024;
constexpr std::size_t kTrimEveryBytes = 64 * 1024 * 1024;
constexpr std::size_t kMaxLingerBytes = 4 * 1024 * 1024;
// How long a kept-alive connection waits with its buffers before it gives
// them back (a busy client's next request comes much sooner).
constexpr std::int64_t kHotIdleNs = 100'000'000;

}  // namespace

// ---- Connection -------------------------------------------------------------

// One connection's state, on the heap (its TLS stream too): owned by the
// greenthread serving it, or while it idles without one (idle for longer
// than kHotIdleNs) by its watch (spawn_when_readable), which hands it to a
// new greenthread when bytes arrive. Linked into the server's list while it
// lives.
class Server::Connection {
 public:
  // What serve() ended with: the connection is done (destroy it), or idle
  // and to be parked without a greenthread (park()).
  enum class End { kDone, kIdle };

  Connection(Server& server, net::Socket socket, const net::Address& peer)
      : server_(server),
        options_(server.options_),
        socket_(std::move(socket)),
        chunk_limits_{options_.max_chunk_line_bytes,
                      options_.max_trailer_bytes},
        peer_(peer),
        busy_(make_busy()) {
    next_ = server_.connections_;
    if (next_ != nullptr) next_->prev_ = this;
    server_.connections_ = this;
    ++server_.stats_.connections_accepted;
    ++server_.stats_.connections_open;
  }
  ~Connection() {
    const std::size_t large = busy_ ? large_capacity() : 0;
    busy_.reset();
    if (prev_ != nullptr) {
      prev_->next_ = next_;
    } else {
      server_.connections_ = next_;
    }
    if (next_ != nullptr) next_->prev_ = prev_;
    --server_.stats_.connections_open;
    server_.given_back(large, /*closing=*/true);
    if (server_.connections_ == nullptr && !server_.no_connections_.ready())
      server_.no_connections_.send();
    if (parked_once_) --server_.parked_;
    if (!server_.room_.ready()) server_.room_.send();
  }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // From accept: socket options, the TLS handshake (use_tls), then serve().
  End start();
  // Serves requests until the connection ends, or idles for longer than
  // kHotIdleNs.
  End serve();
  // Gives back the buffers, ends the calling greenthread's hold on `c` and
  // leaves it to a watch on its socket, which spawns wake() in a new
  // greenthread when bytes arrive, the idle (or first request's read)
  // deadline passes, or the socket is closed (stop()).
  static void park(std::unique_ptr<Connection> c);
  // Drops the watch of a parked connection: destroys it (run()'s cleanup).
  void drop_watch() { watch_.cancel(); }
  // Serve https: a TLS stream over the socket, from the handshake on.
  void use_tls(const tls::Context& context) {
    tls_ = std::make_unique<tls::Stream>(socket_, context);
  }
  // The connection is done: an https one whose stream is up sends
  // close_notify (best effort, bounded by the write timeout).
  void finish();

  // Waiting for a request or receiving one, with no complete request in
  // progress (stop() closes such connections).
  bool receiving() const { return receiving_; }
  net::Socket& socket() { return socket_; }
  Connection* next() const { return next_; }

 private:
  enum class Read { kOk, kEof, kTimeout, kError, kIdle };
  // What read_request() concluded: a request to handle, an error status to
  // answer, or a silent close.
  static constexpr int kHandle = 0;
  static constexpr int kClose = -1;

  // The TLS handshake, within `deadline`. False: the connection is done.
  bool handshake(std::int64_t deadline);
  Read read_more(std::int64_t deadline, std::size_t size);
  // read_more() for the first bytes of a request. A connection idle for
  // longer than kHotIdleNs says kIdle (park it); an https one whose TLS
  // layer still holds received bytes (a socket watch would not see them)
  // gives back its buffers and waits on.
  Read read_idle(std::int64_t deadline);
  // What a connection needs only while it serves a request.
  void release_idle_buffers();
  // A parked connection's watch fired (a new greenthread runs it).
  static void wake(std::unique_ptr<Connection> c, IoWaitResult why);
  int read_request(std::int64_t deadline);
  bool respond(const Response& response, bool keep_alive);
  void reject(int status);
  // Counts a response (and logs it, if the server has an access log) once
  // written or attempted; `body_bytes`: the body bytes it carried.
  void account(int status, std::uint64_t body_bytes);
  bool write_all(iovec* iov, int count);
  void linger();
  // Bytes held in buffers larger than the ones a connection keeps between
  // requests.
  std::size_t large_capacity() const;
  // Gives back the buffers an unusually large request or response made grow.
  void release_large_buffers();

  Server& server_;
  const ServerOptions& options_;
  net::Socket socket_;
  std::unique_ptr<tls::Stream> tls_;  // https: the stream over socket_
  Connection* prev_ = nullptr;
  Connection* next_ = nullptr;
  IoWatchHandle watch_;  // while parked
  // Until the wait for the next request ends: its deadline (the idle
  // timeout, or for the first request the read timeout from accept).
  std::int64_t deadline_ = 0;
  bool first_ = true;  // no request read yet
  // Parked at least once: counted in Server::parked_ until it ends.
  bool parked_once_ = false;
  bool receiving_ = false;
  // The last read filled less than it asked for: the socket is probably
  // empty, so wait for readability before the next read rather than paying
  // for a read that fails with EAGAIN.
  bool drained_ = false;
  const ChunkLimits chunk_limits_;
  net::Address peer_;
  // What a connection needs only while it has a greenthread (reused from
  // one request to the next); null while parked.
  struct Busy {
    Busy(std::size_t buffer_max, const net::Address& peer)
        : buffer(buffer_max) {
      request.peer = peer;
    }
    // Its maximum is never reached: the parser's limits stop a request
    // first (see server.h, "Memory").
    beast::flat_buffer buffer;
    Request request;
    std::string head;      // the response's status line and header
    std::string log_line;  // with an access log: the line being formatted
  };
  std::unique_ptr<Busy> make_busy() const {
    return std::make_unique<Busy>(
        std::max<std::size_t>(options_.max_header_bytes,
                              std::size_t{options_.max_chunk_line_bytes} +
                                  options_.max_trailer_bytes) +
            kBodyReadSize,
        peer_);
  }
  std::unique_ptr<Busy> busy_;
  // When the request being served began (Hub::fresh_now), for the latency
  // histogram.
  std::int64_t request_start_ = 0;
};

Server::Connection::End Server::Connection::start() {
  if (options_.tcp_nodelay && busy_->request.peer.family() != AF_UNIX) {
    error_code ignored;
    socket_.set_option(IPPROTO_TCP, TCP_NODELAY, 1, ignored);
  }
  // The first request's read timeout counts from accept.
  request_start_ = Hub::current().fresh_now();
  deadline_ = request_start_ + absl::ToInt64Nanoseconds(options_.read_timeout);
  if (tls_ != nullptr && !handshake(deadline_)) return End::kDone;
  return serve();
}

Server::Connection::End Server::Connection::serve() {
  Hub& hub = Hub::current();
  const std::int64_t read_ns = absl::ToInt64Nanoseconds(options_.read_timeout);
  const std::int64_t idle_ns = absl::ToInt64Nanoseconds(options_.idle_timeout);
  for (;;) {
    receiving_ = true;
    if (busy_->buffer.size() == 0) {
      if (server_.stopping_) return End::kDone;
      const Read r = read_idle(deadline_);
      if (r == Read::kIdle) return End::kIdle;
      if (r == Read::kTimeout) {
        ++(first_ ? server_.stats_.read_timeouts
                  : server_.stats_.idle_timeouts);
      }
      if (r != Read::kOk) return End::kDone;  // timeout, or the peer left
      if (!first_) {
        request_start_ = hub.fresh_now();
        deadline_ = request_start_ + read_ns;
      }
    } else if (!first_) {
      // A pipelined request, already (partly) read: let the other ready
      // connections go first, as nginx does.
      hub.sleep(absl::ZeroDuration());
      if (server_.stopping_ || !socket_.is_open()) return End::kDone;
      request_start_ = hub.fresh_now();
      deadline_ = request_start_ + read_ns;
    }
    first_ = false;

    const int status = read_request(deadline_);
    receiving_ = false;
    if (status == kClose) return End::kDone;
    if (status != kHandle) {
      reject(status);
      return End::kDone;
    }

    Response response;
    try {
      if (server_.serves_metrics(busy_->request)) {
        response = metrics_response(server_.root().total_stats());
      } else {
        response = server_.handler_(busy_->request);
      }
      for (const Header& h : response.headers) {
        if (!valid_header_name(h.name) || !valid_header_value(h.value)) {
          throw std::invalid_argument(
              "http::Response: header \"" + h.name +
              "\" has an invalid name or a control character in its value");
        }
      }
      if (response.status < 100 || response.status > 999 ||
          has_crlf(response.reason)) {
        throw std::invalid_argument("http::Response: bad status " +
                                    std::to_string(response.status));
      }
    } catch (const GreenletExit&) {
      throw;
    } catch (...) {
      ++server_.stats_.handler_errors;
      hub.report_exception(std::current_exception(),
                           "http handler for " + busy_->request.method + " " +
                               busy_->request.target + " from " +
                               busy_->request.peer.to_string());
      response = Response::text(500, "Internal Server Error\n");
    }
    ++server_.stats_.requests_served;
    bool keep_alive =
        busy_->request.keep_alive && options_.keep_alive && !server_.stopping_;
    if (keep_alive) {
      for (const Header& h : response.headers) {
        if (iequals(h.name, "connection") && has_token(h.value, "close"))
          keep_alive = false;
      }
    }
    const bool sent = respond(response, keep_alive);
    if (response.body.capacity() > kKeepBodyCapacity) {
      const std::size_t large = response.body.capacity();
      response = Response();
      server_.given_back(large, /*closing=*/false);
    }
    if (!sent || !keep_alive) return End::kDone;
    release_large_buffers();
    deadline_ = hub.cached_now() + idle_ns;
  }
}

void Server::Connection::park(std::unique_ptr<Connection> c) {
  Connection* const raw = c.get();
  raw->busy_.reset();
  Server& server = raw->server_;
  if (!raw->parked_once_) {
    raw->parked_once_ = true;
    ++server.parked_;
  }
  const std::int64_t left =
      std::max<std::int64_t>(raw->deadline_ - Hub::current().fresh_now(), 0);
  raw->watch_ = spawn_when_readable(
      raw->socket_.fd(), absl::Nanoseconds(left),
      [c = std::move(c)](IoWaitResult why) mutable { wake(std::move(c), why); },
      &server);
}

void Server::Connection::wake(std::unique_ptr<Connection> c, IoWaitResult why) {
  c->watch_ = IoWatchHandle();
  switch (why) {
    case IoWaitResult::kReady:
      break;
    case IoWaitResult::kTimedOut:
      ++(c->first_ ? c->server_.stats_.read_timeouts
                   : c->server_.stats_.idle_timeouts);
      c->finish();
      return;
    case IoWaitResult::kClosed:
      return;  // stop() closed it
  }
  c->busy_ = c->make_busy();
  c->drained_ = false;  // bytes are waiting: read at once
  if (c->serve() == End::kIdle) {
    park(std::move(c));
  } else {
    c->finish();
  }
}

void Server::Connection::finish() {
  if (tls_ == nullptr || !tls_->connected() || !socket_.is_open()) return;
  socket_.set_timeout(options_.write_timeout);
  error_code ignored;
  tls_->shutdown(ignored);  // close_notify
}

std::size_t Server::Connection::large_capacity() const {
  std::size_t bytes = 0;
  if (busy_->request.body.capacity() > kKeepBodyCapacity)
    bytes += busy_->request.body.capacity();
  if (busy_->buffer.capacity() > kKeepBufferCapacity)
    bytes += busy_->buffer.capacity();
  return bytes;
}

void Server::Connection::release_large_buffers() {
  const std::size_t before = large_capacity();
  if (before == 0) return;
  if (busy_->request.body.capacity() > kKeepBodyCapacity)
    std::string().swap(busy_->request.body);
  if (busy_->buffer.capacity() > kKeepBufferCapacity &&
      busy_->buffer.size() == 0)
    busy_->buffer.shrink_to_fit();
  server_.given_back(before - large_capacity(), /*closing=*/false);
}

Server::Connection::Read Server::Connection::read_idle(std::int64_t deadline) {
  const std::int64_t hot = Hub::current().cached_now() + kHotIdleNs;
  if (hot < deadline) {
    const Read r = read_more(hot, kReadSize);
    if (r != Read::kTimeout) return r;
    // Idle for a while: give the greenthread back too (park()).
    if (tls_ == nullptr || !tls_->has_buffered_input()) return Read::kIdle;
    release_idle_buffers();
  }
  return read_more(deadline, kReadSize);
}

void Server::Connection::release_idle_buffers() {
  busy_->buffer.clear();
  busy_->buffer.shrink_to_fit();
  std::string().swap(busy_->head);
  std::string().swap(busy_->log_line);
  std::vector<Header>().swap(busy_->request.headers);
  std::string().swap(busy_->request.body);
  std::string().swap(busy_->request.target);
  std::string().swap(busy_->request.method);
}

bool Server::Connection::handshake(std::int64_t deadline) {
  receiving_ = true;  // stop() closes a connection still shaking hands
  const std::int64_t left = deadline - Hub::current().fresh_now();
  error_code ec;
  tls_->handshake(ec, absl::Nanoseconds(std::max<std::int64_t>(left, 1)));
  receiving_ = false;
  if (!ec) return true;
  ++server_.stats_.tls_handshake_failures;
  if (ec == tls::Errc::kPlainHttpRequest && socket_.is_open()) {
    // As nginx does: say so in plain HTTP, then close.
    static constexpr std::string_view kBody =
        "This port speaks HTTPS: the plain HTTP request was refused.\n";
    const std::string answer =
        "HTTP/1.1 400 Bad Request\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n"
        "Content-Length: " +
        std::to_string(kBody.size()) + "\r\nConnection: close\r\n\r\n" +
        std::string(kBody);
    ++server_.stats_.requests_rejected;
    socket_.set_timeout(options_.write_timeout);
    socket_.sendall(answer.data(), answer.size(), ec);
    if (!ec) linger();
  }
  return false;
}

Server::Connection::Read Server::Connection::read_more(std::int64_t deadline,
                                                       std::size_t size) {
  if (!socket_.is_open()) return Read::kError;
  Hub& hub = Hub::current();
  // A fresh clock: while the peer's bytes keep coming, nothing parks and the
  // hub's cached time does not move.
  std::int64_t left = deadline - hub.fresh_now();
  if (left <= 0) return Read::kTimeout;
  if (drained_ && !(tls_ != nullptr && tls_->has_buffered_input())) {
    switch (hub.wait_for_io(socket_.fd(), kRead, absl::Nanoseconds(left))) {
      case IoWaitResult::kReady:
        break;
      case IoWaitResult::kTimedOut:
        return Read::kTimeout;
      case IoWaitResult::kClosed:
        return Read::kError;
    }
    left = std::max<std::int64_t>(deadline - hub.cached_now(), 1);
  }
  const auto space = busy_->buffer.prepare(size);
  socket_.set_timeout(absl::Nanoseconds(left));  // for a spurious wake-up
  error_code ec;
  const std::size_t n = tls_ != nullptr
                            ? tls_->read_some(space.data(), space.size(), ec)
                            : socket_.recv(space.data(), space.size(), ec);
  if (ec) {
    if (ec != boost::system::errc::timed_out) return Read::kError;
    drained_ = true;
    return Read::kTimeout;
  }
  if (n == 0) return Read::kEof;
  server_.stats_.bytes_received += n;
  busy_->buffer.commit(n);
  drained_ = n < space.size();
  return Read::kOk;
}

int Server::Connection::read_request(std::int64_t deadline) {
  RequestParser parser(busy_->request, chunk_limits_);
  parser.header_limit(options_.max_header_bytes);
  parser.body_limit(options_.max_body_bytes);
  parser.eager(true);
  bool sent_continue = false;
  std::size_t empty_line_bytes = 0;
  for (;;) {
    if (busy_->buffer.size() != 0 && !parser.got_some()) {
      // RFC 9112 2.2: empty lines before a request are ignored.
      const auto data = busy_->buffer.data();
      const char* p = static_cast<const char*>(data.data());
      std::size_t n = 0;
      while (n < data.size() && (p[n] == '\r' || p[n] == '\n')) ++n;
      busy_->buffer.consume(n);
      empty_line_bytes += n;
      if (empty_line_bytes > options_.max_header_bytes) return 431;
    }
    if (busy_->buffer.size() != 0) {
      const auto data = busy_->buffer.data();
      const std::string_view bytes(static_cast<const char*>(data.data()),
                                   data.size());
      const bool header_was_done = parser.is_header_done();
      error_code ec;
      const std::size_t used = parser.put(data, ec);
      if (ec && ec != bhttp::error::need_more) {
        if (ec == bhttp::error::header_limit) return 431;
        if (ec == bhttp::error::body_limit) return 413;
        if (ec == bhttp::error::bad_version && well_formed_request_line(bytes))
          return 505;
        return 400;
      }
      if (!header_was_done && parser.is_header_done() &&
          has_folded_line(bytes.substr(0, bytes.find("\r\n\r\n") + 2)))
        return 400;
      busy_->buffer.consume(used);
      if (parser.is_done()) break;
      if (!ec && used != 0 && busy_->buffer.size() != 0) continue;
      if (parser.is_header_done() && parser.chunked()) {
        const auto rest = busy_->buffer.data();
        switch (check_pending_chunk_framing(
            std::string_view(static_cast<const char*>(rest.data()),
                             rest.size()),
            chunk_limits_)) {
          case ChunkFramingCheck::kOk:
            break;
          case ChunkFramingCheck::kLineTooLong:
            return 400;
          case ChunkFramingCheck::kTrailerTooLarge:
            return 431;
        }
      }
    }
    if (!sent_continue && parser.is_header_done() && parser.expect_continue() &&
        busy_->request.version >= 11) {
      sent_continue = true;
      static constexpr char kContinue[] = "HTTP/1.1 100 Continue\r\n\r\n";
      iovec iov{const_cast<char*>(kContinue), sizeof kContinue - 1};
      if (!write_all(&iov, 1)) return kClose;
    }
    switch (read_more(deadline,
                      parser.is_header_done() ? kBodyReadSize : kReadSize)) {
      case Read::kOk:
        break;
      case Read::kTimeout:
        return 408;
      case Read::kEof:
      case Read::kError:
      case Read::kIdle:  // (read_idle's only)
        return kClose;   // the peer left mid-request: nobody to answer
    }
  }
  busy_->request.keep_alive = parser.keep_alive();
  return kHandle;
}

bool Server::Connection::respond(const Response& response, bool keep_alive) {
  std::string& out = busy_->head;
  out.clear();
  out.append("HTTP/1.1 ");
  append_number(out, static_cast<std::uint64_t>(response.status));
  out.push_back(' ');
  out.append(response.reason.empty() ? reason_phrase(response.status)
                                     : std::string_view(response.reason));
  out.append("\r\n");
  out.append(server_.server_line_);
  if (options_.date_header) out.append(server_.date_line());
  for (const Header& h : response.headers) {
    // The server frames the message itself.
    switch (to_lower(h.name[0])) {
      case 'c':
        if (iequals(h.name, "content-length") || iequals(h.name, "connection"))
          continue;
        break;
      case 't':
        if (iequals(h.name, "transfer-encoding")) continue;
        break;
    }
    out.append(h.name);
    out.append(": ");
    out.append(h.value);
    out.append("\r\n");
  }
  const int s = response.status;
  const bool body_allowed = !(s < 200 || s == 204 || s == 304);
  if (body_allowed) {
    out.append("Content-Length: ");
    append_number(out, response.body.size());
    out.append("\r\n");
  }
  if (!keep_alive) {
    out.append("Connection: close\r\n");
  } else if (busy_->request.version == 10) {
    out.append("Connection: keep-alive\r\n");
  }
  out.append("\r\n");
  std::string_view body;
  if (body_allowed && busy_->request.method != "HEAD") body = response.body;
  iovec iov[2];
  int count = 1;
  if (body.size() <= kCopyBodyLimit) {
    out.append(body);
  } else {
    iov[1] = {const_cast<char*>(body.data()), body.size()};
    count = 2;
  }
  iov[0] = {out.data(), out.size()};
  const bool sent = write_all(iov, count);
  account(s, body.size());
  return sent;
}

void Server::Connection::account(int status, std::uint64_t body_bytes) {
  ServerStats& stats = server_.stats_;
  const int status_class = status / 100;
  if (status_class >= 1 && status_class <= 5)
    ++stats.responses_by_class[static_cast<std::size_t>(status_class - 1)];
  Hub& hub = Hub::current();
  stats.latency.record(hub.fresh_now() - request_start_);
  AccessLog* log = options_.access_log;
  if (log == nullptr) return;
  busy_->log_line.clear();
  append_common_log_line(busy_->log_line, busy_->request.peer.host(),
                         server_.log_time(), busy_->request.method,
                         busy_->request.target, busy_->request.version, status,
                         body_bytes);
  if (!log->append(busy_->log_line)) ++stats.access_log_dropped;
}

bool Server::Connection::write_all(iovec* iov, int count) {
  if (!socket_.is_open()) return false;
  socket_.set_timeout(options_.write_timeout);
  while (count > 0) {
    error_code ec;
    std::size_t n = tls_ != nullptr ? tls_->writev(iov, count, ec)
                                    : socket_.writev(iov, count, ec);
    if (ec) {
      ++server_.stats_.write_errors;
      if (ec == boost::system::errc::timed_out) ++server_.stats_.write_timeouts;
      return false;
    }
    server_.stats_.bytes_sent += n;
    while (count > 0 && n >= iov->iov_len) {
      n -= iov->iov_len;
      ++iov;
      --count;
    }
    if (count > 0) {
      iov->iov_base = static_cast<char*>(iov->iov_base) + n;
      iov->iov_len -= n;
    }
  }
  return true;
}

void Server::Connection::reject(int status) {
  ++server_.stats_.requests_rejected;
  if (status == 408) ++server_.stats_.read_timeouts;
  // The version may not have been parsed: answer as 1.1, and close.
  busy_->request.version = 11;
  busy_->request.method.clear();
  Response response;
  response.status = status;
  response.headers.push_back(
      Header{"Content-Type", "text/plain; charset=utf-8"});
  response.body.assign(reason_phrase(status));
  response.body.push_back('\n');
  if (!respond(response, false)) return;
  // After a timeout the client is not listening; otherwise let it read the
  // answer before the close (unread input would make it a reset).
  if (status != 408) linger();
}

void Server::Connection::linger() {
  error_code ec;
  socket_.shutdown(SHUT_WR, ec);
  if (ec) return;
  Hub& hub = Hub::current();
  const std::int64_t deadline =
      hub.fresh_now() + absl::ToInt64Nanoseconds(options_.linger_timeout);
  std::size_t total = 0;
  busy_->buffer.clear();
  while (total < kMaxLingerBytes) {
    const std::int64_t left = deadline - hub.cached_now();
    if (left <= 0) return;
    const auto space = busy_->buffer.prepare(kReadSize);
    socket_.set_timeout(absl::Nanoseconds(left));
    const std::size_t n = socket_.recv(space.data(), space.size(), ec);
    if (ec || n == 0) return;
    server_.stats_.bytes_received += n;
    total += n;
  }
}

// ---- Hubs -------------------------------------------------------------------

// What the hubs of a run() with hubs > 1 share. `stop` and `slots` (under
// `mutex`) from any thread; a slot's `server` is only dereferenced on its own
// hub's thread.
struct Server::Hubs {
  explicit Hubs(int n) : slots(static_cast<std::size_t>(n)) {}

  struct Slot {
    std::shared_ptr<Mailbox> mailbox;  // the hub's, while `server` runs
    Server* server = nullptr;          // serving on that hub, or null
    ServerStats final_stats;           // what it finished with
  };
  CrossHubEvent<> stop;
  std::mutex mutex;
  std::vector<Slot> slots;

  // Serves `server` as hub `index`'s, then keeps its final stats.
  void serve(int index, Server& server) {
    Slot& slot = slots[static_cast<std::size_t>(index)];
    {
      std::lock_guard lock(mutex);
      slot.mailbox = Hub::current().mailbox();
      slot.server = &server;
    }
    struct Leave {
      Hubs& hubs;
      Slot& slot;
      ~Leave() {
        std::lock_guard lock(hubs.mutex);
        slot.final_stats = slot.server->stats_;
        slot.server = nullptr;
        slot.mailbox.reset();
      }
    } leave{*this, slot};
    server.run_here();
  }
  // On hub `index`'s thread: stops its server, if it still runs.
  void stop_hub(int index) {
    Server* server;
    {
      std::lock_guard lock(mutex);
      server = slots[static_cast<std::size_t>(index)].server;
    }
    if (server != nullptr) server->stop_here();
  }
};

namespace {

// One hub's answer to Server::hub_stats(): its stats, or nullopt if it was
// dropped unanswered (the hub went away first; its final stats then hold).
using StatsReply = std::pair<std::size_t, std::optional<ServerStats>>;

// Posted to a hub's mailbox by Server::hub_stats(): answers with what
// answer() reads, or with nullopt when destroyed unanswered (the hub went
// away first), so the asker never waits for a hub that is gone.
class StatsRequest {
 public:
  StatsRequest(std::shared_ptr<CrossHubQueue<StatsReply>> replies,
               std::size_t index)
      : replies_(std::move(replies)), index_(index) {}
  StatsRequest(StatsRequest&& other) noexcept = default;
  StatsRequest& operator=(StatsRequest&&) = delete;
  ~StatsRequest() {
    if (replies_) replies_->put({index_, std::nullopt});
  }
  void answer(ServerStats stats) {
    replies_->put({index_, std::move(stats)});
    replies_.reset();
  }

 private:
  std::shared_ptr<CrossHubQueue<StatsReply>> replies_;  // null once answered
  std::size_t index_;
};

}  // namespace

std::vector<ServerStats> Server::hub_stats() {
  Server& root = this->root();
  if (!root.hubs_) return {stats_};
  Hubs& hubs = *root.hubs_;
  const std::shared_ptr<Mailbox> here = Hub::current().mailbox();
  auto replies = std::make_shared<CrossHubQueue<StatsReply>>();
  std::vector<ServerStats> out(hubs.slots.size());
  std::size_t pending = 0;
  {
    std::lock_guard lock(hubs.mutex);
    for (std::size_t i = 0; i < hubs.slots.size(); ++i) {
      Hubs::Slot& slot = hubs.slots[i];
      if (slot.server == nullptr) {
        out[i] = slot.final_stats;
      } else if (slot.mailbox == here) {
        out[i] = slot.server->stats_;  // this thread's own
      } else {
        ++pending;
        // Runs on hub i's thread, where its server's stats are written.
        slot.mailbox->post(
            [request = StatsRequest(replies, i), &hubs, i]() mutable {
              ServerStats stats;
              {
                std::lock_guard lock(hubs.mutex);
                const Hubs::Slot& s = hubs.slots[i];
                stats = s.server != nullptr ? s.server->stats_ : s.final_stats;
              }
              request.answer(std::move(stats));
            });
      }
    }
  }
  for (; pending > 0; --pending) {
    StatsReply reply = replies->get();
    if (reply.second) {
      out[reply.first] = *reply.second;
    } else {
      std::lock_guard lock(hubs.mutex);
      out[reply.first] = hubs.slots[reply.first].final_stats;
    }
  }
  return out;
}

ServerStats Server::total_stats() {
  ServerStats total;
  for (const ServerStats& s : hub_stats()) total += s;
  return total;
}

// ---- Server -----------------------------------------------------------------

Server::Server(net::Socket listener, Handler handler, ServerOptions options)
    : listener_(std::move(listener)),
      handler_(std::move(handler)),
      options_(std::move(options)) {
  if (!handler_) throw std::invalid_argument("http::Server: empty handler");
  if (!listener_.is_open())
    throw std::invalid_argument("http::Server: listener is not open");
  if (options_.hubs < 1)
    throw std::invalid_argument("http::Server: hubs must be >= 1");
  if (options_.hubs > 1) hubs_ = std::make_unique<Hubs>(options_.hubs);
  address_ = listener_.local_address();
  if (options_.tls) tls_context_ = tls::Context::server(*options_.tls);
  if (!options_.server_name.empty()) {
    if (has_crlf(options_.server_name))
      throw std::invalid_argument("http::Server: server_name contains CR/LF");
    server_line_ = "Server: " + options_.server_name + "\r\n";
  }
}

Server::~Server() {
  if (running_) Hub::current().unwind(*runner_);
}

void Server::given_back(std::size_t bytes, bool closing) {
  given_back_bytes_ += bytes;
  const bool last = closing && stats_.connections_open == 0;
  if (given_back_bytes_ >= kTrimEveryBytes ||
      (last && given_back_bytes_ >= kTrimAfterBytes)) {
    given_back_bytes_ = 0;
#ifdef __GLIBC__
    // glibc keeps freed heap memory (its mmap threshold rises after the
    // first large free, so later large buffers come from the heap): hand it
    // back to the system.
    malloc_trim(0);
#endif
  }
}

std::string_view Server::log_time() {
  const std::int64_t second = Hub::current().cached_now() / 1'000'000'000;
  if (second != log_second_) {
    log_second_ = second;
    // Like the Date header, the log's time is the wall clock.
    log_time_ = common_log_time(std::time(nullptr));
  }
  return log_time_;
}

bool Server::serves_metrics(const Request& request) const {
  return !options_.metrics_path.empty() &&
         request.path() == options_.metrics_path &&
         (request.method == "GET" || request.method == "HEAD");
}

std::string_view Server::date_line() {
  const std::int64_t second = Hub::current().cached_now() / 1'000'000'000;
  if (second != date_second_) {
    date_second_ = second;
    date_line_ = format_date_line();
  }
  return date_line_;
}

void Server::run() {
  if (running_) throw std::logic_error("http::Server::run: already running");
  if (tls_context_ && Hub::current().backend().network() != nullptr)
    throw std::logic_error(
        "http::Server::run: https is not supported under the simulator "
        "(sim::run): its in-memory network carries plain bytes only");
  if (hubs_) {
    run_every_hub();
  } else {
    run_here();
  }
}

void Server::run_every_hub() {
  running_ = true;
  runner_ = &Hub::current().current_greenlet();
  absl::Cleanup done = [this] { running_ = false; };
  ServerOptions hub_options = options_;
  hub_options.hubs = 1;
  net::listen_on_hubs(
      listener_, options_.hubs, options_.backlog, hubs_->stop,
      [&](int index, net::Socket& listener) {
        if (index == 0) {
          hubs_->serve(0, *this);
          return;
        }
        Server server(std::move(listener), handler_, hub_options);
        server.parent_ = this;
        hubs_->serve(index, server);
      },
      [this](int index, net::Socket&) { hubs_->stop_hub(index); });
}

void Server::run_here() {
  running_ = true;
  runner_ = &Hub::current().current_greenlet();
  absl::Cleanup done = [this] { running_ = false; };
  // However run() ends (a kill, hub teardown), no connection outlives it.
  absl::Cleanup end = [this] { end_connections(); };
  net::serve(
      listener_,
      [this](net::Socket socket, net::Address peer) {
        serve_connection(std::move(socket), peer);
      },
      options_.max_connections,
      [this](const GreenPool& handlers) { wait_for_room(handlers); });
  // net::serve waited for the greenthreads it spawned; connections that
  // idled without one since (stop() closed those that were idle then) end
  // by themselves.
  while (connections_ != nullptr) {
    if (no_connections_.ready()) no_connections_.reset();
    no_connections_.wait();
  }
}

void Server::end_connections() {
  // Woken parked connections' greenthreads, started or not (their group is
  // this server), then the parked ones (dropping a watch destroys its
  // connection). Never parks.
  Hub::current().unwind_group(this);
  for (Connection* c = connections_; c != nullptr;) {
    Connection* const next = c->next();
    c->drop_watch();
    c = next;
  }
}

void Server::wait_for_room(const GreenPool& handlers) {
  while (handlers.running() + parked_ >= options_.max_connections &&
         !stopping_) {
    if (room_.ready()) room_.reset();
    room_.wait();
  }
}

void Server::serve_connection(net::Socket socket, const net::Address& peer) {
  auto connection =
      std::make_unique<Connection>(*this, std::move(socket), peer);
  if (tls_context_) connection->use_tls(*tls_context_);
  if (connection->start() == Connection::End::kIdle) {
    Connection::park(std::move(connection));
  } else {
    connection->finish();
  }
  // This handler's slot frees as it returns (room_ wakes the accept loop
  // after that, at the next pass).
  if (!room_.ready()) room_.send();
}

void Server::stop() {
  if (hubs_) {
    hubs_->stop.try_send();  // each hub calls stop_here() on its own thread
    return;
  }
  stop_here();
}

bool Server::stopping() const {
  return hubs_ ? hubs_->stop.ready() : stopping_;
}

void Server::stop_here() {
  if (stopping_) return;
  stopping_ = true;
  listener_.close();  // wakes the accept loop: run() stops accepting
  if (!room_.ready()) room_.send();  // or its wait for room
  for (Connection* c = connections_; c != nullptr; c = c->next()) {
    // Wakes its greenthread, which ends.
    if (c->receiving()) c->socket().close();
  }
}

}  // namespace eventlet::http
