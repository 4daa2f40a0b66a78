// Copyright 2026 The eventlet-cpp Authors.
//
// certificates.h: throwaway X.509 certificates made in memory with OpenSSL
// (no `openssl` binary needed): a self-signed server certificate for a demo,
// or a test CA and the certificates it signs (valid, expired, for the wrong
// name).
//
//   tls::CertificateRequest ca_request;
//   ca_request.is_ca = true;
//   tls::PemCertificate ca = tls::make_certificate(ca_request);
//   tls::CertificateRequest leaf_request;
//   leaf_request.names = {"localhost", "127.0.0.1"};
//   tls::PemCertificate leaf = tls::make_certificate(leaf_request, &ca);
//   tls::Context server = tls::Context::server(leaf.as_server());
//   tls::ClientConfig trust;
//   trust.ca_pem = ca.certificate;
//   tls::Context client = tls::Context::client(trust);
//
// Keys are ECDSA P-256; signatures SHA-256. Leaf certificates carry the
// names as subjectAltName entries (DNS names, or IP addresses for IPv4/IPv6
// literals) and extendedKeyUsage serverAuth. Validity defaults are taken
// from the wall clock (absl::Now). Not for production.
//
// Errors: throws std::runtime_error with OpenSSL's reason (only when OpenSSL
// itself fails: out of memory, or an issuer whose PEM text does not parse).
#ifndef EVENTLET_GREEN_NET_TLS_CERTIFICATES_H_
#define EVENTLET_GREEN_NET_TLS_CERTIFICATES_H_

#include <string>
#include <vector>

#include "absl/time/time.h"
#include "green_net/tls/context.h"

namespace eventlet::tls {

// A certificate and its private key (unencrypted PKCS#8), as PEM text.
struct PemCertificate {
  std::string certificate;
  std::string key;

  ServerCredentials as_server() const {
    ServerCredentials credentials;
    credentials.certificate_pem = certificate;
    credentials.key_pem = key;
    return credentials;
  }
};

struct CertificateRequest {
  std::string common_name = "eventlet-cpp test";
  // subjectAltName entries: DNS names and IP literals ("127.0.0.1", "::1").
  std::vector<std::string> names;
  // Validity; the defaults (InfinitePast/Future) mean "an hour ago" and
  // "in 30 days".
  absl::Time not_before = absl::InfinitePast();
  absl::Time not_after = absl::InfiniteFuture();
  // A CA certificate (basicConstraints CA:TRUE, keyCertSign) rather than a
  // server certificate.
  bool is_ca = false;
};

// Signed by `issuer` (a CA made here), or self-signed when issuer is null.
PemCertificate make_certificate(const CertificateRequest& request,
                                const PemCertificate* issuer = nullptr);

}  // namespace eventlet::tls

#endif  // EVENTLET_GREEN_NET_TLS_CERTIFICATES_H_
