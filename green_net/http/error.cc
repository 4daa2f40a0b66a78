// Copyright 2026 The eventlet-cpp Authors.
#include "green_net/http/error.h"

#include <utility>

namespace eventlet::http {
namespace {

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

}  // namespace eventlet::http
