// Copyright 2026 The eventlet-cpp Authors.
//
// message.h: the HTTP message types the client and the server share —
// Header, Request, Response — and two helpers (case-insensitive compare,
// reason phrases). Plain values: no Beast or Asio here.
#ifndef EVENTLET_GREEN_NET_HTTP_MESSAGE_H_
#define EVENTLET_GREEN_NET_HTTP_MESSAGE_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "green_net/address.h"

namespace eventlet::http {

// One header field, as received (request) or to be sent (response).
struct Header {
  std::string name;
  std::string value;
};

// ASCII case-insensitive equality (header names, tokens).
bool iequals(std::string_view a, std::string_view b);

// RFC 9110 token: non-empty, of letters, digits and !#$%&'*+-.^_`|~ (a
// method, a field-name).
bool is_token(std::string_view s);
// RFC 9110 field-name: a token.
bool valid_header_name(std::string_view name);
// RFC 9110 field-value as this library accepts it on both sides: no control
// characters other than HTAB (so no CR, LF or NUL: nothing that could end
// the line early), nor DEL.
bool valid_header_value(std::string_view value);

// The value of the first header in `headers` named `name`
// (case-insensitive), if any; it points into `headers`.
std::optional<std::string_view> find_header(const std::vector<Header>& headers,
                                            std::string_view name);
// Removes every header named `name` (case-insensitive).
void erase_header(std::vector<Header>& headers, std::string_view name);

// The standard reason phrase of `status` ("OK", "Not Found"...), or
// "Unknown" for a code without one.
std::string_view reason_phrase(int status);

// A request as the handler sees it. The server reuses one Request per
// connection: the reference given to the handler is valid only during the
// call (copy what must outlive it).
struct Request {
  std::string method;  // as received: "GET", "POST", "PURGE"...
  std::string target;  // request-target as received: "/path?query"
  int version = 11;    // 10 or 11
  // In the order received; names as received (see header()).
  std::vector<Header> headers;
  std::string body;  // de-chunked
  net::Address peer;
  // Whether the client wants the connection kept open after this request.
  bool keep_alive = true;

  // The value of the first header named `name` (case-insensitive), if any.
  std::optional<std::string_view> header(std::string_view name) const;
  // The target up to '?' / the part after '?' ("" if none).
  std::string_view path() const;
  std::string_view query() const;
};

// What a handler returns.
struct Response {
  int status = 200;
  std::string reason;  // empty: reason_phrase(status)
  std::vector<Header> headers;
  std::string body;

  // status + body with Content-Type "text/plain; charset=utf-8".
  static Response text(int status, std::string body);
  static Response html(int status, std::string body);
  static Response json(int status, std::string body);

  // Replaces every header named `name` (case-insensitive) by one.
  Response& set_header(std::string_view name, std::string_view value);
  // Appends a header (repeatable headers such as Set-Cookie).
  Response& add_header(std::string_view name, std::string_view value);
  // The first header named `name` (case-insensitive), if any.
  std::optional<std::string_view> header(std::string_view name) const;
};

}  // namespace eventlet::http

#endif  // EVENTLET_GREEN_NET_HTTP_MESSAGE_H_
