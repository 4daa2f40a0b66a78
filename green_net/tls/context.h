// Copyright 2026 The eventlet-cpp Authors.
//
// context.h: TLS configuration shared by many connections (an OpenSSL
// SSL_CTX): which certificates a client trusts, which certificate and key a
// server presents.
//
//   tls::Context client = tls::Context::client({});   // system trust store
//   tls::ServerCredentials files;
//   files.certificate_file = "cert.pem";
//   files.key_file = "key.pem";
//   tls::Context server = tls::Context::server(files);
//
// Protocols: TLS 1.2 and 1.3 (OpenSSL's defaults for ciphers and groups).
//
// Errors: the factories throw std::runtime_error naming the file (or "PEM
// text") and OpenSSL's reason when a certificate, key or CA bundle cannot be
// loaded or the key does not match the certificate. They never block on the
// network (loading the system trust store reads files once, at creation:
// create a client Context once and reuse it).
//
// Ownership and threading: a Context is a cheap, copyable handle (copies
// share one SSL_CTX, freed with the last copy). Streams keep the SSL_CTX alive
// while they exist. Immutable once made, so any thread may use it.
#ifndef EVENTLET_GREEN_NET_TLS_CONTEXT_H_
#define EVENTLET_GREEN_NET_TLS_CONTEXT_H_

#include <memory>
#include <string>

typedef struct ssl_ctx_st SSL_CTX;

namespace eventlet::tls {

// What a client trusts.
struct ClientConfig {
  // false: no certificate or host name verification at all (curl's
  // --insecure). Only for tests and throwaway setups.
  bool verify = true;
  // A PEM bundle of trusted CA certificates. Empty: the system trust store
  // (Debian: /etc/ssl/certs, package ca-certificates), unless ca_pem is set.
  std::string ca_file;
  // Trusted certificates as PEM text (in memory), e.g. a test CA or a
  // throwaway self-signed server certificate. When ca_file or ca_pem is
  // set, the system trust store is NOT used.
  std::string ca_pem;

  bool operator==(const ClientConfig&) const = default;
};

// What a server presents: a certificate chain (leaf first) and its private
// key, from PEM files or from PEM text in memory (used when the files are
// empty).
struct ServerCredentials {
  std::string certificate_file;
  std::string key_file;
  std::string certificate_pem;
  std::string key_pem;
};

class Context {
 public:
  enum class Role { kClient, kServer };

  static Context client(const ClientConfig& config);
  static Context server(const ServerCredentials& credentials);

  Role role() const { return role_; }
  bool verifies_peer() const { return verify_; }
  // The OpenSSL context (owned by this handle and its copies).
  SSL_CTX* native() const { return ctx_.get(); }

 private:
  Context(std::shared_ptr<SSL_CTX> ctx, Role role, bool verify)
      : ctx_(std::move(ctx)), role_(role), verify_(verify) {}

  std::shared_ptr<SSL_CTX> ctx_;
  Role role_;
  bool verify_;
};

}  // namespace eventlet::tls

#endif  // EVENTLET_GREEN_NET_TLS_CONTEXT_H_
