// Copyright 2026 The eventlet-cpp Authors.
//
// url.h: absolute http and https URLs as the client needs them: parsed,
// printed back, and a Location header resolved against one.
//
//   http::Url url = http::Url::parse("http://example.com:8080/a?x=1");
//   // url.host == "example.com", url.port == 8080, url.target == "/a?x=1"
//   boost::system::error_code ec;
//   http::Url next = url.resolve("../b", ec);  // http://example.com:8080/b
//
// Errors are http::Errc codes (error.h), one per way a URL can be wrong;
// the throwing forms raise http::Error. Plain values: no I/O, no hub, no
// allocation beyond the strings; thread-safe as any value type.
#ifndef EVENTLET_GREEN_NET_HTTP_URL_H_
#define EVENTLET_GREEN_NET_HTTP_URL_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "green_net/http/error.h"

namespace eventlet::http {

// An absolute http or https URL, parsed. Only what a client needs: the
// scheme is "http" or "https" (lower-case), user info is refused, the
// fragment is dropped.
struct Url {
  std::string scheme = "http";
  std::string host;  // lower-case; an IPv6 literal without its brackets
  std::uint16_t port = 80;
  std::string target = "/";  // path and query ("/a/b?x=1"); never empty

  // Parses "http[s]://host[:port][/path][?query][#fragment]". Rules: a scheme
  // is required (case-insensitive; other than http and https:
  // kUnsupportedScheme); the host must be a name (letters, digits, '-', '.',
  // '_', '~', '%'), an IPv4 literal or a bracketed IPv6 literal; the port, if
  // any, 1-65535 (empty: 80 for http, 443 for https); spaces and control
  // characters are refused;
  // bytes >= 0x80 in the path and query are percent-encoded. On failure ec
  // is set and an empty Url returned.
  static Url parse(std::string_view text, error_code& ec);
  // Throws Error (method "") on failure.
  static Url parse(std::string_view text);

  // "host" or "host:port" (port omitted when the scheme's default), IPv6 in
  // brackets: the Host header's value.
  std::string authority() const;
  bool is_https() const { return scheme == "https"; }
  // "scheme://authority/target".
  std::string to_string() const;
  // The URL `reference` (a Location header's value: absolute, "//host/p",
  // "/p", "p", "?q" or "") points to, resolved against this one (RFC 3986,
  // section 5.2, with dot segments removed).
  Url resolve(std::string_view reference, error_code& ec) const;

  bool operator==(const Url&) const = default;
};

}  // namespace eventlet::http

#endif  // EVENTLET_GREEN_NET_HTTP_URL_H_
