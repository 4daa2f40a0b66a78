// Copyright 2026 The eventlet-cpp Authors.
//
// error.h: the TLS layer's error codes (tls::error_category(), named
// "eventlet.tls"), each with a message a user can act on:
//
//   tls::Stream stream(socket, context, "example.com");
//   stream.handshake(ec);
//   if (ec == tls::Errc::kUnknownCa) ...  // "certificate verify failed: ..."
//
// kHandshakeTimeout compares equal to boost::system::errc::timed_out too.
// Errors of the socket underneath (connection reset...) are passed through
// unchanged, in their own category.
#ifndef EVENTLET_GREEN_NET_TLS_ERROR_H_
#define EVENTLET_GREEN_NET_TLS_ERROR_H_

#include <boost/system/error_code.hpp>
#include <type_traits>

namespace eventlet::tls {

using error_code = boost::system::error_code;

enum class Errc {
  // The peer's certificate chain does not lead to a trusted authority (also:
  // a self-signed certificate that is not trusted).
  kUnknownCa = 1,
  kCertificateExpired,
  kCertificateNotYetValid,
  // The certificate is valid but names other hosts.
  kHostnameMismatch,
  // Any other verification failure (revoked, bad signature, wrong usage...).
  kCertificateInvalid,
  // The handshake did not finish within its timeout.
  kHandshakeTimeout,
  // Client: the server answered the ClientHello in plain HTTP (an http://
  // port spoken to as https://).
  kPlainHttpResponse,
  // Server: the client sent a plain HTTP request to a TLS port.
  kPlainHttpRequest,
  // The peer's bytes are not TLS at all.
  kNotTls,
  // The peer closed the connection before the handshake finished.
  kClosedDuringHandshake,
  // The peer refused the handshake or no common parameters were found
  // (protocol version, cipher...).
  kHandshakeFailed,
  // The connection ended in the middle of a TLS record.
  kTruncated,
  // A TLS protocol error after the handshake (bad record MAC...).
  kProtocolError,
  // The hub's network is simulated (sim::run): it carries plain bytes only.
  kNotSupportedUnderSimulator,
  // Use of a stream whose handshake failed or was not made.
  kNotConnected,
};

const boost::system::error_category& error_category();
error_code make_error_code(Errc e);

}  // namespace eventlet::tls

namespace boost::system {
template <>
struct is_error_code_enum<eventlet::tls::Errc> : std::true_type {};
}  // namespace boost::system

#endif  // EVENTLET_GREEN_NET_TLS_ERROR_H_
