// Copyright 2026 The eventlet-cpp Authors.
//
// error.h: the HTTP client's error codes (http::error_category(), named
// "eventlet.http") and the exception its throwing forms raise:
//
//   boost::system::error_code ec;
//   http::Url::parse("example.com/x", ec);
//   if (ec == http::Errc::kMissingScheme) { ... }
//
// Each code has a message a user can act on ("no scheme in URL (expected
// http://host/path)"). Errors of the layers below (sockets, the resolver,
// TLS, Beast's parser) keep their own categories; client.h lists them.
#ifndef EVENTLET_GREEN_NET_HTTP_ERROR_H_
#define EVENTLET_GREEN_NET_HTTP_ERROR_H_

#include <boost/system/error_code.hpp>
#include <boost/system/system_error.hpp>
#include <string>
#include <type_traits>

namespace eventlet::http {

using error_code = boost::system::error_code;

// This library's error codes (http::error_category()). The timeouts
// (kConnectTimeout, kReadTimeout, kDeadlineExceeded) compare equal to
// boost::system::errc::timed_out too.
enum class Errc {
  kMissingScheme = 1,        // "no scheme in URL (expected http://host/path)"
  kUnsupportedScheme,        // "unsupported URL scheme (only http:// and ...)"
  kHttpsNotSupported,        // "https is not supported under the simulator ..."
  kEmptyHost,                // "empty host in URL"
  kBadHost,                  // "invalid character in the URL's host"
  kBadPort,                  // "invalid port in URL (expected 1-65535)"
  kUserInfoNotSupported,     // "user:password@ in URLs is not supported"
  kBadUrl,                   // "malformed URL (whitespace or control ...)"
  kBadMethod,                // "invalid HTTP method"
  kTooManyRedirects,         // "too many redirects"
  kBadRedirect,              // "redirect to an invalid Location"
  kBodyTooLarge,             // "response body larger than max_body_size"
  kHeadersTooLarge,          // "response header larger than max_header_size"
  kConnectionClosed,         // "connection closed by the server before ..."
  kPartialResponse,          // "connection closed in the middle of the ..."
  kConnectTimeout,           // "connect timed out"
  kReadTimeout,              // "read timed out"
  kBadHeader,                // "invalid request header name or value ..."
  kTooManyInterimResponses,  // "too many interim (1xx) responses"
  kChunkLineTooLong,  // "chunk size line longer than max_chunk_line_size"
  kTrailerTooLarge,   // "response trailer larger than max_trailer_size"
  kDeadlineExceeded,  // "total_timeout exceeded"
};

const boost::system::error_category& error_category();
error_code make_error_code(Errc e);

// The throwing form's exception: code() is the error, what() is
// "<METHOD> <URL>: <message>".
class Error : public boost::system::system_error {
 public:
  Error(error_code ec, std::string method, std::string url);
  const std::string& method() const { return method_; }
  const std::string& url() const { return url_; }

 private:
  std::string method_;
  std::string url_;
};

}  // namespace eventlet::http

namespace boost::system {
template <>
struct is_error_code_enum<eventlet::http::Errc> : std::true_type {};
}  // namespace boost::system

#endif  // EVENTLET_GREEN_NET_HTTP_ERROR_H_
