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

// boost::system::error_category has a protected non-virtual destructor by
// design (categories are never deleted through a base pointer).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wnon-virtual-dtor"
class Category final : public boost::system::error_category {
 public:
  const char* name() const noexcept override { return "eventlet.http"; }
  std::string message(int value) const override {
    switch (static_cast<Errc>(value)) {
      case Errc::kMissingScheme:
        return "no scheme in URL (expected http://host/path)";
      case Errc::kUnsupportedScheme:
        return "unsupported URL scheme (only http:// and https:// are "
               "supported)";
      case Errc::kHttpsNotSupported:
        return "https is not supported under the simulator (sim::run): its "
               "in-memory network carries plain bytes only (use http://)";
      case Errc::kEmptyHost:
        return "empty host in URL";
      case Errc::kBadHost:
        return "invalid host in URL";
      case Errc::kBadPort:
        return "invalid port in URL (expected 1-65535)";
      case Errc::kUserInfoNotSupported:
        return "user:password@ in URLs is not supported";
      case Errc::kBadUrl:
        return "malformed URL (empty, or with whitespace or control "
               "characters)";
      case Errc::kBadMethod:
        return "invalid HTTP method";
      case Errc::kTooManyRedirects:
        return "too many redirects";
      case Errc::kBadRedirect:
        return "redirect to an invalid Location";
      case Errc::kBodyTooLarge:
        return "response body larger than max_body_size";
      case Errc::kHeadersTooLarge:
        return "response header larger than max_header_size";
      case Errc::kConnectionClosed:
        return "connection closed by the server before a response";
      case Errc::kPartialResponse:
        return "connection closed in the middle of the response";
      case Errc::kConnectTimeout:
        return "connect timed out";
      case Errc::kReadTimeout:
        return "read timed out";
      case Errc::kBadHeader:
        return "invalid request header name or value (names must be tokens; "
               "values must not contain CR, LF, NUL or other control "
               "characters)";
      case Errc::kTooManyInterimResponses:
        return "too many interim (1xx) responses";
      case Errc::kChunkLineTooLong:
        return "chunk size line longer than max_chunk_line_size";
      case Errc::kTrailerTooLarge:
        return "response trailer larger than max_trailer_size";
      case Errc::kDeadlineExceeded:
        return "total_timeout exceeded";
    }
    return "unknown eventlet.http error";
  }
  boost::system::error_condition default_error_condition(
      int value) const noexcept override {
    switch (static_cast<Errc>(value)) {
      case Errc::kConnectTimeout:
      case Errc::kReadTimeout:
      case Errc::kDeadlineExceeded:
        return boost::system::errc::make_error_condition(
            boost::system::errc::timed_out);
      default:
        return {value, *this};
    }
  }
};
#pragma GCC diagnostic pop

bool is_alpha(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool is_digit(unsigned char c) { return c >= '0' && c <= '9'; }
char lower(char c) { return (c >= 'A' && c <= 'Z') ? c - 'A' + 'a' : c; }

// RFC 7230 tchar.
bool is_token(std::string_view s) {
  if (s.empty()) return false;
  for (unsigned char c : s) {
    if (is_alpha(c) || is_digit(c)) continue;
    if (std::string_view("!#$%&'*+-.^_`|~").find(c) == std::string_view::npos)
      return false;
  }
  return true;
}

// The length of a URI scheme followed by ':' at the start of `s`, or 0.
std::size_t scheme_length(std::string_view s) {
  if (s.empty() || !is_alpha(s[0])) return 0;
  for (std::size_t i = 1; i < s.size(); ++i) {
    const unsigned char c = s[i];
    if (c == ':') return i;
    if (!is_alpha(c) && !is_digit(c) && c != '+' && c != '-' && c != '.')
      return 0;
  }
  return 0;
}

bool has_bad_chars(std::string_view s) {
  for (unsigned char c : s) {
    if (c <= 0x20 || c == 0x7f) return true;
  }
  return false;
}

// Percent-encodes bytes >= 0x80 (a path or query as typed, with UTF-8).
std::string encode_high_bytes(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size());
  for (unsigned char c : s) {
    if (c >= 0x80) {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

// RFC 3986 section 5.2.4.
std::string remove_dot_segments(std::string_view in) {
  std::string out;
  auto pop_segment = [&out] {
    const std::size_t slash = out.rfind('/');
    out.erase(slash == std::string::npos ? 0 : slash);
  };
  while (!in.empty()) {
    if (in.starts_with("../")) {
      in.remove_prefix(3);
    } else if (in.starts_with("./")) {
      in.remove_prefix(2);
    } else if (in.starts_with("/./")) {
      in.remove_prefix(2);
    } else if (in == "/.") {
      in = "/";
    } else if (in.starts_with("/../")) {
      in.remove_prefix(3);
      pop_segment();
    } else if (in == "/..") {
      in = "/";
      pop_segment();
    } else if (in == "." || in == "..") {
      in = {};
    } else {
      std::size_t next = in.find('/', in[0] == '/' ? 1 : 0);
      if (next == std::string_view::npos) next = in.size();
      out.append(in.substr(0, next));
      in.remove_prefix(next);
    }
  }
  return out;
}

// Splits "path?query" (no fragment) into its parts.
std::pair<std::string_view, std::string_view> split_query(
    std::string_view target) {
  const std::size_t q = target.find('?');
  if (q == std::string_view::npos) return {target, {}};
  return {target.substr(0, q), target.substr(q)};
}

std::string_view strip_fragment(std::string_view s) {
  return s.substr(0, s.find('#'));
}

bool same_name(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

std::optional<std::string_view> find_header(const std::vector<Header>& headers,
                                            std::string_view name) {
  for (const Header& h : headers) {
    if (same_name(h.name, name)) return h.value;
  }
  return std::nullopt;
}

void erase_header(std::vector<Header>& headers, std::string_view name) {
  std::erase_if(headers,
                [&](const Header& h) { return same_name(h.name, name); });
}

// An empty Response: what the error_code form returns on failure.
Response no_response() {
  Response r;
  r.status = 0;
  return r;
}

bool valid_reg_name(std::string_view host) {
  for (unsigned char c : host) {
    if (!is_alpha(c) && !is_digit(c) && c != '-' && c != '.' && c != '_' &&
        c != '~' && c != '%')
      return false;
  }
  return true;
}

bool valid_ipv6_literal(std::string_view host) {
  if (host.empty()) return false;
  for (unsigned char c : host) {
    if (!is_digit(c) && !(lower(c) >= 'a' && lower(c) <= 'f') && c != ':' &&
        c != '.')
      return false;
  }
  return true;
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

const boost::system::error_category& error_category() {
  static const Category category;
  return category;
}

error_code make_error_code(Errc e) {
  return {static_cast<int>(e), error_category()};
}

Error::Error(error_code ec, std::string method, std::string url)
    : boost::system::system_error(ec,
                                  method.empty() ? url : method + " " + url),
      method_(std::move(method)),
      url_(std::move(url)) {}

// ---- Url ----

Url Url::parse(std::string_view text, error_code& ec) {
  ec.clear();
  if (text.empty() || has_bad_chars(text)) {
    ec = Errc::kBadUrl;
    return {};
  }
  const std::size_t scheme_len = scheme_length(text);
  if (scheme_len == 0 || text.substr(scheme_len, 3) != "://") {
    ec = Errc::kMissingScheme;
    return {};
  }
  std::string scheme(text.substr(0, scheme_len));
  for (char& c : scheme) c = lower(c);
  if (scheme != "http" && scheme != "https") {
    ec = Errc::kUnsupportedScheme;
    return {};
  }
  std::string_view rest = strip_fragment(text.substr(scheme_len + 3));
  const std::size_t authority_end = rest.find_first_of("/?");
  std::string_view authority = rest.substr(0, authority_end);
  std::string_view target = authority_end == std::string_view::npos
                                ? std::string_view()
                                : rest.substr(authority_end);
  if (authority.find('@') != std::string_view::npos) {
    ec = Errc::kUserInfoNotSupported;
    return {};
  }

  Url url;
  url.scheme = scheme;
  url.port = scheme == "https" ? 443 : 80;
  std::string_view host;
  std::optional<std::string_view> port;
  if (authority.starts_with('[')) {
    const std::size_t close = authority.find(']');
    if (close == std::string_view::npos) {
      ec = Errc::kBadHost;
      return {};
    }
    host = authority.substr(1, close - 1);
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after[0] != ':') {
        ec = Errc::kBadHost;
        return {};
      }
      port = after.substr(1);
    }
    if (host.empty()) {
      ec = Errc::kEmptyHost;
      return {};
    }
    if (!valid_ipv6_literal(host)) {
      ec = Errc::kBadHost;
      return {};
    }
  } else {
    const std::size_t colon = authority.find(':');
    host = authority.substr(0, colon);
    if (colon != std::string_view::npos) port = authority.substr(colon + 1);
    if (host.empty()) {
      ec = Errc::kEmptyHost;
      return {};
    }
    if (!valid_reg_name(host)) {
      ec = Errc::kBadHost;
      return {};
    }
  }
  if (port && !port->empty()) {
    std::uint32_t value = 0;
    for (unsigned char c : *port) {
      if (!is_digit(c) || value > 65535) {
        ec = Errc::kBadPort;
        return {};
      }
      value = value * 10 + (c - '0');
    }
    if (value == 0 || value > 65535) {
      ec = Errc::kBadPort;
      return {};
    }
    url.port = static_cast<std::uint16_t>(value);
  }
  url.host.reserve(host.size());
  for (char c : host) url.host += lower(c);
  url.target = encode_high_bytes(target);
  if (url.target.empty() || url.target[0] == '?') url.target.insert(0, "/");
  return url;
}

Url Url::parse(std::string_view text) {
  error_code ec;
  Url url = parse(text, ec);
  if (ec) throw Error(ec, "", std::string(text));
  return url;
}

std::string Url::authority() const {
  std::string out;
  if (host.find(':') != std::string::npos) {
    out = "[" + host + "]";
  } else {
    out = host;
  }
  if (port != (is_https() ? 443 : 80)) out += ":" + std::to_string(port);
  return out;
}

std::string Url::to_string() const {
  return scheme + "://" + authority() + target;
}

Url Url::resolve(std::string_view reference, error_code& ec) const {
  ec.clear();
  reference = strip_fragment(reference);
  if (has_bad_chars(reference)) {
    ec = Errc::kBadUrl;
    return {};
  }
  if (scheme_length(reference) != 0) return parse(reference, ec);
  if (reference.starts_with("//")) {
    return parse(scheme + ":" + std::string(reference), ec);
  }
  Url out = *this;
  if (reference.empty()) return out;
  auto [base_path, base_query] = split_query(target);
  auto [ref_path, ref_query] = split_query(reference);
  std::string path;
  if (ref_path.empty()) {
    path = std::string(base_path);  // "?q": same path, new query
  } else if (ref_path[0] == '/') {
    path = remove_dot_segments(ref_path);
  } else {
    const std::size_t slash = base_path.rfind('/');
    std::string merged(base_path.substr(0, slash + 1));
    merged += ref_path;
    path = remove_dot_segments(merged);
  }
  if (path.empty() || path[0] != '/') path.insert(0, "/");
  out.target = encode_high_bytes(path + std::string(ref_query));
  return out;
}

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
