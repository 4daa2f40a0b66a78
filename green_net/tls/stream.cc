// Copyright 2026 The eventlet-cpp Authors.
#include "green_net/tls/stream.h"

#include <arpa/inet.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <boost/system/system_error.hpp>
#include <cstring>
#include <new>
#include <string>

#include "hub/hub.h"

namespace eventlet::tls {
namespace {

constexpr std::int64_t kNoDeadline = INT64_MAX;

bool is_ip_literal(const std::string& host) {
  unsigned char addr[16];
  return inet_pton(AF_INET, host.c_str(), addr) == 1 ||
         inet_pton(AF_INET6, host.c_str(), addr) == 1;
}

Errc verify_error(long result) {
  switch (result) {
    case X509_V_ERR_CERT_HAS_EXPIRED:
      return Errc::kCertificateExpired;
    case X509_V_ERR_CERT_NOT_YET_VALID:
      return Errc::kCertificateNotYetValid;
    case X509_V_ERR_HOSTNAME_MISMATCH:
    case X509_V_ERR_IP_ADDRESS_MISMATCH:
      return Errc::kHostnameMismatch;
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
      return Errc::kUnknownCa;
    default:
      return Errc::kCertificateInvalid;
  }
}

bool under_simulator() { return Hub::current().backend().network() != nullptr; }

}  // namespace

Stream::Stream(net::Socket& socket, const Context& context,
               std::string_view server_name)
    : socket_(&socket), is_client_(context.role() == Context::Role::kClient) {
  ssl_ = SSL_new(context.native());
  if (ssl_ == nullptr) throw std::bad_alloc();
  BIO* internal = nullptr;
  if (!BIO_new_bio_pair(&internal, 0, &network_, 0)) {
    SSL_free(ssl_);
    throw std::bad_alloc();
  }
  SSL_set_bio(ssl_, internal, internal);
  if (!is_client_) {
    SSL_set_accept_state(ssl_);
    return;
  }
  SSL_set_connect_state(ssl_);
  const std::string host(server_name);
  if (host.empty()) return;
  if (!is_ip_literal(host)) SSL_set_tlsext_host_name(ssl_, host.c_str());
  if (!context.verifies_peer()) return;
  X509_VERIFY_PARAM* param = SSL_get0_param(ssl_);
  if (is_ip_literal(host)) {
    X509_VERIFY_PARAM_set1_ip_asc(param, host.c_str());
  } else {
    X509_VERIFY_PARAM_set_hostflags(param,
                                    X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
    X509_VERIFY_PARAM_set1_host(param, host.c_str(), host.size());
  }
}

Stream::~Stream() {
  SSL_free(ssl_);  // frees its end of the pair
  BIO_free(network_);
}

void Stream::fail(error_code& ec, error_code e) {
  ec = e;
  broken_ = true;
  connected_ = false;
}

bool Stream::bound_wait(Phase phase, std::int64_t deadline) {
  if (phase != Phase::kHandshake || deadline == kNoDeadline) return true;
  const std::int64_t left = deadline - Hub::current().fresh_now();
  if (left <= 0) return false;
  const absl::Duration bound = absl::Nanoseconds(left);
  socket_->set_timeout(
      socket_timeout_ && *socket_timeout_ < bound ? *socket_timeout_ : bound);
  return true;
}

void Stream::name_timeout(Phase phase, error_code& ec) const {
  if (phase == Phase::kHandshake && ec == boost::system::errc::timed_out)
    ec = Errc::kHandshakeTimeout;
}

bool Stream::flush(Phase phase, std::int64_t deadline, error_code& ec) {
  for (;;) {
    char* data = nullptr;
    const int pending = BIO_nread0(network_, &data);
    if (pending <= 0) return true;
    if (!bound_wait(phase, deadline)) {
      ec = Errc::kHandshakeTimeout;
      return false;
    }
    socket_->sendall(data, static_cast<std::size_t>(pending), ec);
    socket_->set_timeout(socket_timeout_);
    if (ec) {
      name_timeout(phase, ec);
      return false;
    }
    BIO_nread(network_, &data, pending);
  }
}

bool Stream::fill(Phase phase, std::int64_t deadline, error_code& ec) {
  char* space = nullptr;
  const int room = BIO_nwrite0(network_, &space);
  if (room <= 0) {  // OpenSSL asked for more while its input is full
    ec = Errc::kProtocolError;
    return false;
  }
  if (!bound_wait(phase, deadline)) {
    ec = Errc::kHandshakeTimeout;
    return false;
  }
  const std::size_t n =
      socket_->recv(space, std::min<std::size_t>(room, kReadChunk), ec);
  socket_->set_timeout(socket_timeout_);
  if (ec) {
    name_timeout(phase, ec);
    return false;
  }
  if (n == 0) return false;
  if (phase == Phase::kHandshake && !received_any_ && n >= 5 &&
      std::memcmp(space, "HTTP/", 5) == 0)
    first_bytes_http_ = true;
  received_any_ = true;
  BIO_nwrite(network_, &space, static_cast<int>(n));
  return true;
}

error_code Stream::classify_failure(Phase phase) {
  const unsigned long e = ERR_peek_last_error();
  const int reason = ERR_GET_REASON(e);
  detail_.clear();
  if (e != 0) {
    char text[256];
    ERR_error_string_n(e, text, sizeof text);
    detail_ = text;
  }
  ERR_clear_error();
  if (phase == Phase::kData) return Errc::kProtocolError;
  if (is_client_ && reason == SSL_R_CERTIFICATE_VERIFY_FAILED) {
    const long result = SSL_get_verify_result(ssl_);
    detail_ += std::string(" (") + X509_verify_cert_error_string(result) + ")";
    return verify_error(result);
  }
  if (first_bytes_http_) return Errc::kPlainHttpResponse;
  if (reason == SSL_R_HTTP_REQUEST || reason == SSL_R_HTTPS_PROXY_REQUEST)
    return Errc::kPlainHttpRequest;
  if (reason == SSL_R_WRONG_VERSION_NUMBER ||
      reason == SSL_R_PACKET_LENGTH_TOO_LONG ||
      reason == SSL_R_UNKNOWN_PROTOCOL)
    return Errc::kNotTls;
  return Errc::kHandshakeFailed;
}

template <typename Op>
int Stream::drive(Op op, Phase phase, std::int64_t deadline, error_code& ec) {
  ec.clear();
  for (;;) {
    ERR_clear_error();
    const int r = op();
    const int err = r > 0 ? SSL_ERROR_NONE : SSL_get_error(ssl_, r);
    if (err == SSL_ERROR_SSL) {
      const error_code failure = classify_failure(phase);
      error_code ignored;
      flush(phase, deadline, ignored);  // the alert, if any
      fail(ec, failure);
      return -1;
    }
    if (!flush(phase, deadline, ec)) {
      broken_ = true;
      return -1;
    }
    switch (err) {
      case SSL_ERROR_NONE:
        return r;
      case SSL_ERROR_WANT_WRITE:
        continue;  // flushed above
      case SSL_ERROR_WANT_READ:
        if (fill(phase, deadline, ec)) continue;
        if (ec) {
          // A read that timed out may be tried again; nothing was lost.
          if (phase == Phase::kHandshake ||
              ec != boost::system::errc::timed_out)
            broken_ = true;
          return -1;
        }
        if (phase == Phase::kHandshake) {
          fail(ec, first_bytes_http_ ? Errc::kPlainHttpResponse
                                     : Errc::kClosedDuringHandshake);
          return -1;
        }
        if (SSL_has_pending(ssl_) || BIO_ctrl_pending(SSL_get_rbio(ssl_))) {
          fail(ec, Errc::kTruncated);
          return -1;
        }
        return 0;
      case SSL_ERROR_ZERO_RETURN:
        return 0;
      default:
        fail(ec, phase == Phase::kHandshake ? Errc::kHandshakeFailed
                                            : Errc::kProtocolError);
        return -1;
    }
  }
}

void Stream::handshake(error_code& ec, std::optional<absl::Duration> timeout) {
  ec.clear();
  if (under_simulator()) {
    fail(ec, Errc::kNotSupportedUnderSimulator);
    return;
  }
  if (broken_ || connected_) {
    ec = broken_ ? Errc::kNotConnected : error_code();
    return;
  }
  const std::int64_t deadline =
      timeout ? Hub::current().fresh_now() + absl::ToInt64Nanoseconds(*timeout)
              : kNoDeadline;
  socket_timeout_ = socket_->timeout();
  if (drive([this] { return SSL_do_handshake(ssl_); }, Phase::kHandshake,
            deadline, ec) > 0)
    connected_ = true;
}

void Stream::handshake(std::optional<absl::Duration> timeout) {
  error_code ec;
  handshake(ec, timeout);
  if (ec) throw boost::system::system_error(ec, "tls handshake");
}

std::size_t Stream::read_some(void* buffer, std::size_t size, error_code& ec) {
  ec.clear();
  if (!connected_) {
    ec = Errc::kNotConnected;
    return 0;
  }
  if (size == 0) return 0;
  const int n = static_cast<int>(std::min<std::size_t>(size, INT32_MAX));
  socket_timeout_ = socket_->timeout();
  const int r = drive([&] { return SSL_read(ssl_, buffer, n); }, Phase::kData,
                      kNoDeadline, ec);
  return r > 0 ? static_cast<std::size_t>(r) : 0;
}

std::size_t Stream::read_some(void* buffer, std::size_t size) {
  error_code ec;
  const std::size_t n = read_some(buffer, size, ec);
  if (ec) throw boost::system::system_error(ec, "tls read");
  return n;
}

std::size_t Stream::write_some(const void* data, std::size_t size,
                               error_code& ec) {
  ec.clear();
  if (!connected_) {
    ec = Errc::kNotConnected;
    return 0;
  }
  if (size == 0) return 0;
  const int n = static_cast<int>(std::min(size, kMaxWrite));
  socket_timeout_ = socket_->timeout();
  const int r = drive([&] { return SSL_write(ssl_, data, n); }, Phase::kData,
                      kNoDeadline, ec);
  if (r <= 0 && !ec) fail(ec, Errc::kProtocolError);  // a close_notify
  return r > 0 ? static_cast<std::size_t>(r) : 0;
}

void Stream::write_all(std::string_view data, error_code& ec) {
  ec.clear();
  while (!data.empty()) {
    const std::size_t n = write_some(data.data(), data.size(), ec);
    if (ec) return;
    data.remove_prefix(n);
  }
}

void Stream::write_all(std::string_view data) {
  error_code ec;
  write_all(data, ec);
  if (ec) throw boost::system::system_error(ec, "tls write");
}

std::size_t Stream::readv(const iovec* iov, int count, error_code& ec) {
  for (int i = 0; i < count; ++i) {
    if (iov[i].iov_len != 0)
      return read_some(iov[i].iov_base, iov[i].iov_len, ec);
  }
  ec.clear();
  return 0;
}

std::size_t Stream::writev(const iovec* iov, int count, error_code& ec) {
  int first = 0;
  while (first < count && iov[first].iov_len == 0) ++first;
  if (first == count) {
    ec.clear();
    return 0;
  }
  if (iov[first].iov_len >= kMaxWrite || first == count - 1)
    return write_some(iov[first].iov_base, iov[first].iov_len, ec);
  staging_.clear();
  for (int i = first; i < count && staging_.size() < kMaxWrite; ++i) {
    const std::size_t take =
        std::min(iov[i].iov_len, kMaxWrite - staging_.size());
    staging_.append(static_cast<const char*>(iov[i].iov_base), take);
  }
  const std::size_t n = write_some(staging_.data(), staging_.size(), ec);
  if (staging_.capacity() > 2 * kMaxWrite) std::string().swap(staging_);
  return n;
}

bool Stream::has_buffered_input() const {
  return SSL_pending(ssl_) > 0 || SSL_has_pending(ssl_) ||
         BIO_ctrl_pending(SSL_get_rbio(ssl_)) > 0;
}

void Stream::shutdown(error_code& ec) {
  ec.clear();
  if (!connected_) return;
  connected_ = false;
  ERR_clear_error();
  SSL_shutdown(ssl_);  // queues close_notify; never waits (memory BIOs)
  ERR_clear_error();
  socket_timeout_ = socket_->timeout();
  flush(Phase::kData, kNoDeadline, ec);
}

}  // namespace eventlet::tls
