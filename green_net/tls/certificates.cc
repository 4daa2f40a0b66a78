// Copyright 2026 The eventlet-cpp Authors.
#include "green_net/tls/certificates.h"

#include <arpa/inet.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>
#include <stdexcept>
#include <string>

#include "absl/time/clock.h"

namespace eventlet::tls {
namespace {

template <typename T, void (*Free)(T*)>
struct Deleter {
  void operator()(T* p) const { Free(p); }
};
using X509Ptr = std::unique_ptr<X509, Deleter<X509, X509_free>>;
using KeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, EVP_PKEY_free>>;
using ExtPtr = std::unique_ptr<X509_EXTENSION,
                               Deleter<X509_EXTENSION, X509_EXTENSION_free>>;
void free_bio(BIO* b) { BIO_free(b); }
using BioPtr = std::unique_ptr<BIO, Deleter<BIO, free_bio>>;

[[noreturn]] void fail(const char* what) {
  char reason[256] = "";
  if (const unsigned long e = ERR_peek_last_error())
    ERR_error_string_n(e, reason, sizeof reason);
  ERR_clear_error();
  throw std::runtime_error(std::string("tls::make_certificate: ") + what +
                           (reason[0] ? std::string(": ") + reason : ""));
}

template <typename T>
T* check(T* p, const char* what) {
  if (p == nullptr) fail(what);
  return p;
}
void check(int ok, const char* what) {
  if (ok != 1) fail(what);
}

bool is_ip_literal(const std::string& name) {
  unsigned char addr[16];
  return inet_pton(AF_INET, name.c_str(), addr) == 1 ||
         inet_pton(AF_INET6, name.c_str(), addr) == 1;
}

std::string to_pem(X509* cert) {
  BioPtr bio(check(BIO_new(BIO_s_mem()), "BIO_new"));
  check(PEM_write_bio_X509(bio.get(), cert), "PEM_write_bio_X509");
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(n));
}

std::string to_pem(EVP_PKEY* key) {
  BioPtr bio(check(BIO_new(BIO_s_mem()), "BIO_new"));
  check(PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr,
                                 nullptr),
        "PEM_write_bio_PrivateKey");
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(n));
}

void add_extension(X509* cert, X509V3_CTX* ctx, int nid,
                   const std::string& value) {
  ExtPtr ext(check(X509V3_EXT_conf_nid(nullptr, ctx, nid, value.c_str()),
                   "X509V3_EXT_conf_nid"));
  check(X509_add_ext(cert, ext.get(), -1), "X509_add_ext");
}

}  // namespace

PemCertificate make_certificate(const CertificateRequest& request,
                                const PemCertificate* issuer) {
  KeyPtr key(check(EVP_EC_gen("P-256"), "EVP_EC_gen"));
  X509Ptr issuer_cert;
  KeyPtr issuer_key;
  if (issuer != nullptr) {
    BioPtr cert_bio(
        check(BIO_new_mem_buf(issuer->certificate.data(),
                              static_cast<int>(issuer->certificate.size())),
              "BIO_new_mem_buf"));
    issuer_cert.reset(
        check(PEM_read_bio_X509(cert_bio.get(), nullptr, nullptr, nullptr),
              "issuer certificate"));
    BioPtr key_bio(check(BIO_new_mem_buf(issuer->key.data(),
                                         static_cast<int>(issuer->key.size())),
                         "BIO_new_mem_buf"));
    issuer_key.reset(
        check(PEM_read_bio_PrivateKey(key_bio.get(), nullptr, nullptr, nullptr),
              "issuer key"));
  }

  X509Ptr cert(check(X509_new(), "X509_new"));
  check(X509_set_version(cert.get(), X509_VERSION_3), "X509_set_version");
  unsigned char serial[16];
  check(RAND_bytes(serial, sizeof serial), "RAND_bytes");
  serial[0] &= 0x7f;  // positive
  BIGNUM* bn = check(BN_bin2bn(serial, sizeof serial, nullptr), "BN_bin2bn");
  ASN1_INTEGER* asn1_serial =
      BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert.get()));
  BN_free(bn);
  check(asn1_serial, "BN_to_ASN1_INTEGER");

  const absl::Time now = absl::Now();
  const absl::Time not_before = request.not_before == absl::InfinitePast()
                                    ? now - absl::Hours(1)
                                    : request.not_before;
  const absl::Time not_after = request.not_after == absl::InfiniteFuture()
                                   ? now + absl::Hours(24 * 30)
                                   : request.not_after;
  check(
      ASN1_TIME_set(X509_getm_notBefore(cert.get()), absl::ToTimeT(not_before)),
      "notBefore");
  check(ASN1_TIME_set(X509_getm_notAfter(cert.get()), absl::ToTimeT(not_after)),
        "notAfter");
  check(X509_set_pubkey(cert.get(), key.get()), "X509_set_pubkey");

  X509_NAME* name = X509_get_subject_name(cert.get());
  check(X509_NAME_add_entry_by_txt(
            name, "CN", MBSTRING_UTF8,
            reinterpret_cast<const unsigned char*>(request.common_name.c_str()),
            -1, -1, 0),
        "subject CN");
  check(X509_set_issuer_name(
            cert.get(),
            issuer_cert ? X509_get_subject_name(issuer_cert.get()) : name),
        "X509_set_issuer_name");

  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, issuer_cert ? issuer_cert.get() : cert.get(), cert.get(),
                 nullptr, nullptr, 0);
  add_extension(cert.get(), &ctx, NID_subject_key_identifier, "hash");
  if (issuer_cert)
    add_extension(cert.get(), &ctx, NID_authority_key_identifier,
                  "keyid:always");
  if (request.is_ca) {
    add_extension(cert.get(), &ctx, NID_basic_constraints, "critical,CA:TRUE");
    add_extension(cert.get(), &ctx, NID_key_usage,
                  "critical,keyCertSign,cRLSign");
  } else {
    add_extension(cert.get(), &ctx, NID_basic_constraints, "critical,CA:FALSE");
    add_extension(cert.get(), &ctx, NID_key_usage,
                  "critical,digitalSignature,keyEncipherment");
    add_extension(cert.get(), &ctx, NID_ext_key_usage, "serverAuth");
  }
  if (!request.names.empty()) {
    std::string alt;
    for (const std::string& n : request.names) {
      if (!alt.empty()) alt += ",";
      alt += (is_ip_literal(n) ? "IP:" : "DNS:") + n;
    }
    add_extension(cert.get(), &ctx, NID_subject_alt_name, alt);
  }
  check(X509_sign(cert.get(), issuer_key ? issuer_key.get() : key.get(),
                  EVP_sha256()) > 0
            ? 1
            : 0,
        "X509_sign");
  return {to_pem(cert.get()), to_pem(key.get())};
}

}  // namespace eventlet::tls
