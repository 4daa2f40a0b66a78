// Copyright 2026 The eventlet-cpp Authors.
#include "green_net/tls/context.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <stdexcept>
#include <string>
#include <utility>

namespace eventlet::tls {
namespace {

// OpenSSL's most recent error, as text ("" when none); clears the queue.
std::string last_openssl_error() {
  const unsigned long e = ERR_peek_last_error();
  std::string text;
  if (e != 0) {
    char buffer[256];
    ERR_error_string_n(e, buffer, sizeof buffer);
    text = buffer;
  }
  ERR_clear_error();
  return text;
}

[[noreturn]] void fail(const std::string& what) {
  const std::string reason = last_openssl_error();
  throw std::runtime_error("tls::Context: " + what +
                           (reason.empty() ? "" : ": " + reason));
}

std::shared_ptr<SSL_CTX> new_ctx(const SSL_METHOD* method) {
  SSL_CTX* raw = SSL_CTX_new(method);
  if (raw == nullptr) fail("SSL_CTX_new failed");
  std::shared_ptr<SSL_CTX> ctx(raw, SSL_CTX_free);
  SSL_CTX_set_min_proto_version(raw, TLS1_2_VERSION);
  // Idle connections give their 2 x ~34 KiB record buffers back.
  SSL_CTX_set_mode(raw, SSL_MODE_RELEASE_BUFFERS);
  return ctx;
}

using BioPtr = std::unique_ptr<BIO, decltype(&BIO_free)>;

BioPtr pem_bio(const std::string& pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())),
             BIO_free);
  if (!bio) fail("BIO_new_mem_buf failed");
  return bio;
}

// Adds every certificate of `pem` to the context's trust store.
void trust_pem(SSL_CTX* ctx, const std::string& pem) {
  BioPtr bio = pem_bio(pem);
  X509_STORE* store = SSL_CTX_get_cert_store(ctx);
  int added = 0;
  while (X509* cert = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) {
    const int ok = X509_STORE_add_cert(store, cert);
    X509_free(cert);
    if (!ok) fail("cannot add a trusted certificate (ca_pem)");
    ++added;
  }
  ERR_clear_error();  // the end of the text reads as "no start line"
  if (added == 0) fail("no certificate in ca_pem");
}

void use_pem_credentials(SSL_CTX* ctx, const ServerCredentials& c) {
  BioPtr certs = pem_bio(c.certificate_pem);
  X509* leaf = PEM_read_bio_X509(certs.get(), nullptr, nullptr, nullptr);
  if (leaf == nullptr) fail("no certificate in certificate_pem");
  const int ok = SSL_CTX_use_certificate(ctx, leaf);
  X509_free(leaf);
  if (!ok) fail("cannot use certificate_pem");
  while (X509* extra =
             PEM_read_bio_X509(certs.get(), nullptr, nullptr, nullptr)) {
    // The context takes ownership on success.
    if (!SSL_CTX_add0_chain_cert(ctx, extra)) {
      X509_free(extra);
      fail("cannot add a chain certificate of certificate_pem");
    }
  }
  ERR_clear_error();
  BioPtr key_bio = pem_bio(c.key_pem);
  EVP_PKEY* key =
      PEM_read_bio_PrivateKey(key_bio.get(), nullptr, nullptr, nullptr);
  if (key == nullptr) fail("no private key in key_pem");
  const int key_ok = SSL_CTX_use_PrivateKey(ctx, key);
  EVP_PKEY_free(key);
  if (!key_ok) fail("cannot use key_pem");
}

}  // namespace

Context Context::client(const ClientConfig& config) {
  std::shared_ptr<SSL_CTX> ctx = new_ctx(TLS_client_method());
  if (!config.verify) {
    SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_NONE, nullptr);
    return Context(std::move(ctx), Role::kClient, false);
  }
  SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_PEER, nullptr);
  if (!config.ca_file.empty() &&
      !SSL_CTX_load_verify_locations(ctx.get(), config.ca_file.c_str(),
                                     nullptr))
    fail("cannot load CA file " + config.ca_file);
  if (!config.ca_pem.empty()) trust_pem(ctx.get(), config.ca_pem);
  if (config.ca_file.empty() && config.ca_pem.empty() &&
      !SSL_CTX_set_default_verify_paths(ctx.get()))
    fail("cannot load the system trust store");
  return Context(std::move(ctx), Role::kClient, true);
}

Context Context::server(const ServerCredentials& c) {
  std::shared_ptr<SSL_CTX> ctx = new_ctx(TLS_server_method());
  if (!c.certificate_file.empty() || !c.key_file.empty()) {
    if (!SSL_CTX_use_certificate_chain_file(ctx.get(),
                                            c.certificate_file.c_str()))
      fail("cannot load certificate file " + c.certificate_file);
    if (!SSL_CTX_use_PrivateKey_file(ctx.get(), c.key_file.c_str(),
                                     SSL_FILETYPE_PEM))
      fail("cannot load key file " + c.key_file);
  } else {
    use_pem_credentials(ctx.get(), c);
  }
  if (!SSL_CTX_check_private_key(ctx.get()))
    fail("the private key does not match the certificate");
  return Context(std::move(ctx), Role::kServer, false);
}

}  // namespace eventlet::tls
