// Copyright 2026 The eventlet-cpp Authors.
#include "green_net/tls/error.h"

#include <string>

namespace eventlet::tls {
namespace {

// boost::system::error_category has a protected non-virtual destructor by
// design (categories are never deleted through a base pointer).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wnon-virtual-dtor"
class Category final : public boost::system::error_category {
 public:
  const char* name() const noexcept override { return "eventlet.tls"; }
  std::string message(int value) const override {
    switch (static_cast<Errc>(value)) {
      case Errc::kUnknownCa:
        return "certificate verify failed: unknown certificate authority "
               "(the chain does not lead to a trusted CA)";
      case Errc::kCertificateExpired:
        return "certificate verify failed: the certificate has expired";
      case Errc::kCertificateNotYetValid:
        return "certificate verify failed: the certificate is not yet valid";
      case Errc::kHostnameMismatch:
        return "certificate verify failed: the certificate does not match "
               "the host name";
      case Errc::kCertificateInvalid:
        return "certificate verify failed";
      case Errc::kHandshakeTimeout:
        return "TLS handshake timed out";
      case Errc::kPlainHttpResponse:
        return "the server answered in plain HTTP, not TLS (is this an "
               "http:// port?)";
      case Errc::kPlainHttpRequest:
        return "the client sent a plain HTTP request to a TLS port";
      case Errc::kNotTls:
        return "the peer does not speak TLS";
      case Errc::kClosedDuringHandshake:
        return "connection closed by the peer during the TLS handshake";
      case Errc::kHandshakeFailed:
        return "TLS handshake failed (no common protocol version or cipher, "
               "or refused by the peer)";
      case Errc::kTruncated:
        return "TLS connection closed in the middle of a record";
      case Errc::kProtocolError:
        return "TLS protocol error";
      case Errc::kNotSupportedUnderSimulator:
        return "TLS is not supported under the simulator (sim::run): its "
               "in-memory network carries plain bytes only";
      case Errc::kNotConnected:
        return "TLS stream not connected (no successful handshake)";
    }
    return "unknown eventlet.tls error";
  }
  boost::system::error_condition default_error_condition(
      int value) const noexcept override {
    if (static_cast<Errc>(value) == Errc::kHandshakeTimeout)
      return boost::system::errc::make_error_condition(
          boost::system::errc::timed_out);
    return {value, *this};
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

}  // namespace eventlet::tls
