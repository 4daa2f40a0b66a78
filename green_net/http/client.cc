// Copyright 2026 The eventlet-cpp Authors.
#include "green_net/http/client.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <algorithm>
#include <boost/asio/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/field.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/span_body.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/verb.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/system/error_code.hpp>
#include <optional>

#include "green_net/http/beast_stream.h"
#include "green_net/http/chunk_limits.h"
#include "green_net/resolver.h"
#include "green_net/socket.h"
#include "green_net/tls/stream.h"
#include "greenthread/timeout.h"
#include "hub/hub.h"

namespace eventlet::http {
namespace {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;

beast::string_view bsv(std::string_view s) { return {s.data(), s.size()}; }
std::string_view ssv(beast::string_view s) { return {s.data(), s.size()}; }

// An empty Response: what the error_code form returns on failure.
Response no_response() {
  Response r;
  r.status = 0;
  return r;
}

bool is_idempotent(std::string_view method) {
  return method == "GET" || method == "HEAD" || method == "PUT" ||
         method == "DELETE" || method == "OPTIONS" || method == "TRACE";
}

bool is_redirect(int status) {
  return status == 301 || status == 302 || status == 303 || status == 307 ||
         status == 308;
}

// Errors that mean "the server had closed this connection": worth one retry
// on a new connection when the connection was a reused one.
bool is_stale_connection_error(const error_code& ec) {
  return ec == bhttp::error::end_of_stream || ec == boost::asio::error::eof ||
         ec == boost::system::errc::connection_reset ||
         ec == boost::system::errc::broken_pipe ||
         ec == boost::system::errc::connection_aborted;
}

// Beast's and the socket's codes, as this library names them.
error_code map_error(const error_code& ec, bool connecting) {
  if (ec == boost::system::errc::timed_out &&
      ec.category() != error_category()) {
    return connecting ? Errc::kConnectTimeout : Errc::kReadTimeout;
  }
  if (ec == bhttp::error::end_of_stream) return Errc::kConnectionClosed;
  if (ec == bhttp::error::partial_message) return Errc::kPartialResponse;
  if (ec == bhttp::error::body_limit) return Errc::kBodyTooLarge;
  if (ec == bhttp::error::header_limit) return Errc::kHeadersTooLarge;
  return ec;
}

}  // namespace

// ---- Client ----

struct Client::Connection {
  net::Socket socket;
  std::unique_ptr<tls::Stream> tls;  // over `socket`, for https
  beast::flat_buffer buffer;
  std::int64_t idle_since = 0;  // hub time (ns) when put back
};

// One request as sent (it changes along a redirect chain).
struct Client::Exchange {
  std::string method;
  std::vector<Header> headers;
  std::string body;
  const FetchOptions* options;
  // Hub time (ns) when total_timeout expires (INT64_MAX: never).
  std::int64_t deadline;
};

namespace {

// Bytes read per recv, and reserved in a connection's read buffer.
constexpr std::size_t kReadBufferBytes = 16 * 1024;

// What total_timeout's Timeout raises inside a fetch; caught in fetch().
struct DeadlineExpired {};

// A connection's bytes: the socket's, or the TLS stream's over it. Has the
// scatter/gather calls BasicBeastStream needs.
class Transport {
 public:
  Transport(net::Socket& socket, tls::Stream* tls)
      : socket_(socket), tls_(tls) {}
  void set_timeout(std::optional<absl::Duration> timeout) {
    socket_.set_timeout(timeout);
  }
  std::size_t recv(void* buffer, std::size_t size, error_code& ec) {
    return tls_ ? tls_->read_some(buffer, size, ec)
                : socket_.recv(buffer, size, ec);
  }
  std::size_t readv(const iovec* iov, int count, error_code& ec) {
    return tls_ ? tls_->readv(iov, count, ec) : socket_.readv(iov, count, ec);
  }
  std::size_t writev(const iovec* iov, int count, error_code& ec) {
    return tls_ ? tls_->writev(iov, count, ec) : socket_.writev(iov, count, ec);
  }
  // Bytes already received but not yet parsed, in the TLS layer.
  bool has_buffered_input() const {
    return tls_ != nullptr && tls_->has_buffered_input();
  }

 private:
  net::Socket& socket_;
  tls::Stream* tls_;
};

// Reads from `socket` into `buffer` and feeds `parser` until it has parsed
// the message's header (header_only) or the whole message. Adds the bytes
// the parser consumed to `consumed`. Fails with kDeadlineExceeded once the
// fresh hub time passes `deadline`, and with the chunk framing errors of
// chunk_limits.h.
template <class Parser>
void feed(Transport& socket, beast::flat_buffer& buffer, Parser& parser,
          bool header_only, const FetchOptions& options, std::int64_t deadline,
          std::size_t& consumed, error_code& ec) {
  const ChunkLimits limits{options.max_chunk_line_size,
                           options.max_trailer_size};
  Hub& hub = Hub::current();
  for (;;) {
    if (buffer.size() != 0) {
      const std::size_t used = parser.put(buffer.data(), ec);
      buffer.consume(used);
      consumed += used;
      if (ec && ec != bhttp::error::need_more) return;
      ec.clear();
      if (parser.is_done() || (header_only && parser.is_header_done())) return;
      if (used != 0 && buffer.size() != 0) continue;
      if (parser.is_header_done() && parser.chunked()) {
        const auto pending = buffer.data();
        switch (check_pending_chunk_framing(
            std::string_view(static_cast<const char*>(pending.data()),
                             pending.size()),
            limits)) {
          case ChunkFramingCheck::kOk:
            break;
          case ChunkFramingCheck::kLineTooLong:
            ec = Errc::kChunkLineTooLong;
            return;
          case ChunkFramingCheck::kTrailerTooLarge:
            ec = Errc::kTrailerTooLarge;
            return;
        }
      }
    }
    // A fresh clock: while the server's bytes keep coming nothing parks, and
    // the hub's cached time does not move.
    const std::int64_t left = deadline - hub.fresh_now();
    if (left <= 0) {
      ec = Errc::kDeadlineExceeded;
      return;
    }
    std::optional<absl::Duration> wait = options.read_timeout;
    if (deadline != INT64_MAX && (!wait || absl::Nanoseconds(left) < *wait))
      wait = absl::Nanoseconds(left);
    socket.set_timeout(wait);
    const auto space = buffer.prepare(kReadBufferBytes);
    const std::size_t n = socket.recv(space.data(), space.size(), ec);
    if (ec) {
      if (ec == boost::system::errc::timed_out && hub.fresh_now() >= deadline)
        ec = Errc::kDeadlineExceeded;
      return;
    }
    if (n == 0) {
      if (!parser.got_some()) {
        ec = bhttp::error::end_of_stream;
      } else {
        parser.put_eof(ec);  // ends a body read to the end, or partial
      }
      return;
    }
    buffer.commit(n);
  }
}

// True if an idle connection looks usable: nothing to read and not closed.
bool probe_alive(net::Socket& socket) {
  char byte;
  error_code ec;
  socket.peek(&byte, 1, ec);
  return ec == boost::system::errc::resource_unavailable_try_again;
}

// Writes the request and reads the response on `socket` (`buffer` holds
// what was read beyond a response). `got_some` tells whether any byte of a
// response arrived; `reusable` whether the connection may serve another
// request; `version` is the response's HTTP version.
Response exchange_on(Transport& socket, beast::flat_buffer& buffer,
                     const Url& url, const std::string& method,
                     const std::vector<Header>& headers,
                     const std::string& body, const FetchOptions& options,
                     std::int64_t deadline, error_code& ec, bool& got_some,
                     bool& reusable, int& version) {
  got_some = false;
  reusable = false;
  BasicBeastStream<Transport> stream(socket);

  bhttp::request<bhttp::span_body<const char>> req;
  const bhttp::verb verb = bhttp::string_to_verb(bsv(method));
  if (verb == bhttp::verb::unknown) {
    req.method_string(bsv(method));
  } else {
    req.method(verb);
  }
  req.target(bsv(url.target));
  req.version(11);
  if (!find_header(headers, "Host"))
    req.set(bhttp::field::host, url.authority());
  if (!options.user_agent.empty() && !find_header(headers, "User-Agent"))
    req.set(bhttp::field::user_agent, options.user_agent);
  for (const Header& f : headers) {
    req.insert(bsv(f.name), bsv(f.value));
  }
  if (!body.empty() || method == "POST" || method == "PUT" ||
      method == "PATCH") {
    req.content_length(body.size());
    req.body() = {body.data(), body.size()};
  }
  if (!options.keep_alive) req.keep_alive(false);
  const bool request_keep_alive = req.keep_alive();

  bhttp::write(stream, req, ec);
  if (ec) return no_response();

  const bool head = method == "HEAD";
  std::optional<bhttp::response_parser<bhttp::string_body>> parser;
  // Chunk-size lines that arrive whole are checked here; incomplete ones by
  // feed().
  auto check_chunk_line = [&](std::uint64_t, beast::string_view extensions,
                              error_code& chunk_ec) {
    if (extensions.size() + 3 > options.max_chunk_line_size)
      chunk_ec = Errc::kChunkLineTooLong;
  };
  std::size_t header_bytes = 0;  // of the interim responses so far
  for (int interim = 0;; ++interim) {
    if (interim > options.max_interim_responses) {
      ec = Errc::kTooManyInterimResponses;
      return no_response();
    }
    parser.emplace();
    parser->body_limit(options.max_body_size);
    if (header_bytes >= options.max_header_size) {
      ec = Errc::kHeadersTooLarge;
      return no_response();
    }
    parser->header_limit(
        static_cast<std::uint32_t>(options.max_header_size - header_bytes));
    parser->on_chunk_header(check_chunk_line);
    if (head) parser->skip(true);
    // The header first, then the body: Beast 1.74's parser, in eager mode,
    // drops the body_limit error of a Content-Length that is too large when
    // body bytes came in the same read as the header (basic_parser::put goes
    // on parsing after finish_header failed), so that limit is checked here;
    // chunked and read-to-EOF bodies are limited by the parser as they
    // arrive.
    feed(socket, buffer, *parser, /*header_only=*/true, options, deadline,
         header_bytes, ec);
    if (parser->got_some()) got_some = true;
    if (ec) return no_response();
    const int status = parser->get().result_int();
    // Interim responses (100 Continue, 103 Early Hints): read on.
    if (status >= 100 && status < 200 && status != 101) continue;
    if (!parser->is_done()) {
      const boost::optional<std::uint64_t> length = parser->content_length();
      if (length && *length > options.max_body_size) {
        ec = bhttp::error::body_limit;
        return no_response();
      }
      parser->eager(true);
      std::size_t body_bytes = 0;
      feed(socket, buffer, *parser, /*header_only=*/false, options, deadline,
           body_bytes, ec);
      if (ec) return no_response();
    }
    break;
  }

  reusable = request_keep_alive && parser->keep_alive() && buffer.size() == 0 &&
             !socket.has_buffered_input();
  bhttp::response<bhttp::string_body> msg = parser->release();
  Response res;
  res.status = msg.result_int();
  res.reason = std::string(ssv(msg.reason()));
  version = msg.version();
  for (const auto& f : msg) {
    res.headers.push_back(
        {std::string(ssv(f.name_string())), std::string(ssv(f.value()))});
  }
  res.body = std::move(msg.body());
  return res;
}

}  // namespace

Client::Client() = default;
Client::Client(Options options) : options_(options) {}
Client::~Client() = default;

std::size_t Client::idle_count(std::string_view host,
                               std::uint16_t port) const {
  std::size_t count = 0;
  for (const auto& [key, list] : idle_) {
    if (key.host == host && key.port == port) count += list.size();
  }
  return count;
}

int Client::context_index(const tls::ClientConfig& config) {
  for (std::size_t i = 0; i < contexts_.size(); ++i) {
    if (contexts_[i].first == config) return static_cast<int>(i);
  }
  contexts_.emplace_back(config, tls::Context::client(config));
  return static_cast<int>(contexts_.size() - 1);
}

void Client::close_idle() {
  idle_.clear();
  idle_total_ = 0;
}

Client::ConnectionPtr Client::take_idle(const Key& key, bool idempotent) {
  auto it = idle_.find(key);
  if (it == idle_.end()) return nullptr;
  std::vector<ConnectionPtr>& list = it->second;
  const std::int64_t now = Hub::current().cached_now();
  ConnectionPtr found;
  while (!list.empty() && !found) {
    ConnectionPtr c = std::move(list.back());  // most recently used first
    list.pop_back();
    --idle_total_;
    const absl::Duration idle = absl::Nanoseconds(now - c->idle_since);
    if (idle > options_.max_idle_time) continue;  // closed by ~Connection
    if (options_.probe_idle && (!idempotent || idle >= options_.probe_after) &&
        !probe_alive(c->socket))
      continue;
    found = std::move(c);
  }
  if (list.empty()) idle_.erase(it);
  return found;
}

void Client::put_idle(const Key& key, ConnectionPtr connection) {
  if (idle_total_ >= options_.max_idle_total) return;
  std::vector<ConnectionPtr>& list = idle_[key];
  if (list.size() >= options_.max_idle_per_host) return;
  connection->idle_since = Hub::current().cached_now();
  list.push_back(std::move(connection));
  ++idle_total_;
}

Client::ConnectionPtr Client::open(const Url& url, const FetchOptions& options,
                                   int tls, error_code& ec) {
  if (tls >= 0 && Hub::current().backend().network() != nullptr) {
    ec = Errc::kHttpsNotSupported;
    return nullptr;
  }
  std::vector<net::Address> addresses = net::resolve(url.host, url.port, ec);
  if (ec) return nullptr;
  error_code last = boost::system::errc::make_error_code(
      boost::system::errc::host_unreachable);
  for (const net::Address& address : addresses) {
    net::Socket socket = net::Socket::open(address.family(), SOCK_STREAM, ec);
    if (!ec) socket.connect(address, ec, options.connect_timeout);
    if (!ec) {
      auto connection = std::make_unique<Connection>();
      connection->socket = std::move(socket);
      connection->socket.set_option(IPPROTO_TCP, TCP_NODELAY, 1, ec);
      ec.clear();  // best effort
      connection->buffer.reserve(kReadBufferBytes);
      ++stats_.connections_opened;
      if (tls >= 0) {
        // The handshake's failures are final: another address would present
        // the same certificate.
        connection->tls = std::make_unique<tls::Stream>(
            connection->socket, contexts_[tls].second, url.host);
        connection->socket.set_timeout(options.read_timeout);
        connection->tls->handshake(ec, options.handshake_timeout);
        if (ec) return nullptr;
      }
      return connection;
    }
    last = ec;
  }
  ec = map_error(last, /*connecting=*/true);
  return nullptr;
}

Response Client::round_trip(const Url& url, const Exchange& ex, error_code& ec,
                            FetchInfo& info) {
  const Key key{url.scheme, url.host, url.port,
                url.is_https() ? context_index(ex.options->tls) : -1};
  for (int attempt = 0;; ++attempt) {
    ConnectionPtr connection =
        attempt == 0 ? take_idle(key, is_idempotent(ex.method)) : nullptr;
    const bool reused = connection != nullptr;
    if (!reused) {
      connection = open(url, *ex.options, key.tls, ec);
      if (ec) return no_response();
    } else {
      ++stats_.connections_reused;
    }
    connection->socket.set_timeout(ex.options->read_timeout);
    ++stats_.requests;
    bool got_some = false;
    bool reusable = false;
    Transport transport(connection->socket, connection->tls.get());
    Response res = exchange_on(transport, connection->buffer, url, ex.method,
                               ex.headers, ex.body, *ex.options, ex.deadline,
                               ec, got_some, reusable, info.version);
    if (!ec) {
      info.reused = reused;
      if (reusable) put_idle(key, std::move(connection));
      return res;
    }
    if (reused && attempt == 0 && !got_some && is_idempotent(ex.method) &&
        is_stale_connection_error(ec)) {
      ++stats_.retries;
      continue;  // the stale connection is closed here
    }
    ec = map_error(ec, /*connecting=*/false);
    return no_response();
  }
}

Response Client::fetch(std::string_view url_text, const FetchOptions& options,
                       error_code& ec, FetchInfo* info) {
  if (!options.total_timeout)
    return fetch_until(url_text, options, INT64_MAX, ec, info);
  const std::int64_t deadline =
      Hub::current().fresh_now() +
      absl::ToInt64Nanoseconds(*options.total_timeout);
  try {
    Timeout timeout(*options.total_timeout,
                    std::make_exception_ptr(DeadlineExpired{}));
    return fetch_until(url_text, options, deadline, ec, info);
  } catch (const DeadlineExpired&) {
    ec = Errc::kDeadlineExceeded;
    return no_response();
  }
}

Response Client::fetch_until(std::string_view url_text,
                             const FetchOptions& options, std::int64_t deadline,
                             error_code& ec, FetchInfo* info) {
  FetchInfo local_info;
  const bool want_url = info != nullptr;
  if (info == nullptr) info = &local_info;
  *info = FetchInfo();
  Url url = Url::parse(url_text, ec);
  if (ec) return no_response();
  if (!is_token(options.method)) {
    ec = Errc::kBadMethod;
    return no_response();
  }
  if (!valid_header_value(options.user_agent)) {
    ec = Errc::kBadHeader;
    return no_response();
  }
  for (const Header& h : options.headers) {
    if (!valid_header_name(h.name) || !valid_header_value(h.value)) {
      ec = Errc::kBadHeader;
      return no_response();
    }
  }
  Exchange ex{options.method, options.headers, options.body, &options,
              deadline};
  if (!options.keep_alive) {
    erase_header(ex.headers, "Connection");
    ex.headers.push_back({"Connection", "close"});
  }
  for (int redirects = 0;; ++redirects) {
    if (want_url) info->url = url.to_string();
    info->redirects = redirects;
    Response res = round_trip(url, ex, ec, *info);
    if (ec) return no_response();
    std::optional<std::string_view> location;
    if (options.follow_redirects && is_redirect(res.status))
      location = find_header(res.headers, "Location");
    if (!location) return res;
    if (redirects >= options.max_redirects) {
      ec = Errc::kTooManyRedirects;
      return no_response();
    }
    Url next = url.resolve(*location, ec);
    if (ec) {
      if (ec != Errc::kUnsupportedScheme) ec = Errc::kBadRedirect;
      return no_response();
    }
    if ((res.status == 303 && ex.method != "HEAD") ||
        ((res.status == 301 || res.status == 302) && ex.method == "POST")) {
      ex.method = "GET";
      ex.body.clear();
      erase_header(ex.headers, "Content-Type");
      erase_header(ex.headers, "Content-Length");
      erase_header(ex.headers, "Transfer-Encoding");
    }
    if (next.scheme != url.scheme || next.host != url.host ||
        next.port != url.port) {
      erase_header(ex.headers, "Authorization");
      erase_header(ex.headers, "Cookie");
      erase_header(ex.headers, "Host");
    }
    url = std::move(next);
  }
}

Response Client::fetch(std::string_view url, const FetchOptions& options,
                       FetchInfo* info) {
  error_code ec;
  Response res = fetch(url, options, ec, info);
  if (ec) throw Error(ec, options.method, std::string(url));
  return res;
}

Client& default_client() {
  thread_local Client client;
  return client;
}

Response fetch(std::string_view url, const FetchOptions& options,
               error_code& ec, FetchInfo* info) {
  return default_client().fetch(url, options, ec, info);
}

Response fetch(std::string_view url, const FetchOptions& options,
               FetchInfo* info) {
  return default_client().fetch(url, options, info);
}

}  // namespace eventlet::http
