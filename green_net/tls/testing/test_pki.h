// Copyright 2026 The eventlet-cpp Authors.
//
// test_pki.h (tests only): the certificates TLS tests need, made in memory
// at test time (tls::make_certificate) once per test binary:
//
//   const TestPki& pki = TestPki::get();
//   tls::Context server = tls::Context::server(pki.leaf.as_server());
//   tls::Context client = tls::Context::client(pki.trust());
//
//  * ca: the test CA, trusted by trust();
//  * leaf: signed by ca for localhost, 127.0.0.1 and ::1, valid now;
//  * expired: signed by ca for the same names, expired yesterday;
//  * wrong_name: signed by ca for wrong.example only;
//  * stranger: a certificate for the same names signed by another CA, which
//    nobody trusts.
//
// write_pem() puts PEM text in a file under $TEST_TMPDIR (for openssl
// s_server and curl) and returns its path.
#ifndef EVENTLET_GREEN_NET_TLS_TESTING_TEST_PKI_H_
#define EVENTLET_GREEN_NET_TLS_TESTING_TEST_PKI_H_

#include <cstdlib>
#include <fstream>
#include <stdexcept>
#include <string>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "green_net/tls/certificates.h"
#include "green_net/tls/context.h"

namespace eventlet::tls::testing {

struct TestPki {
  PemCertificate ca;
  PemCertificate leaf;
  PemCertificate expired;
  PemCertificate wrong_name;
  PemCertificate stranger;

  static const TestPki& get() {
    static const TestPki pki = make();
    return pki;
  }

  // A client configuration trusting the test CA only.
  ClientConfig trust() const {
    ClientConfig config;
    config.ca_pem = ca.certificate;
    return config;
  }

  static std::string write_pem(const std::string& name,
                               const std::string& pem) {
    const char* dir = std::getenv("TEST_TMPDIR");
    const std::string path = std::string(dir ? dir : "/tmp") + "/" + name;
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << pem;
    if (!out) throw std::runtime_error("cannot write " + path);
    return path;
  }

 private:
  static TestPki make() {
    TestPki pki;
    CertificateRequest ca;
    ca.common_name = "eventlet-cpp test CA";
    ca.is_ca = true;
    pki.ca = make_certificate(ca);
    CertificateRequest leaf;
    leaf.common_name = "localhost";
    leaf.names = {"localhost", "127.0.0.1", "::1"};
    pki.leaf = make_certificate(leaf, &pki.ca);
    CertificateRequest expired = leaf;
    expired.not_before = absl::Now() - absl::Hours(48);
    expired.not_after = absl::Now() - absl::Hours(24);
    pki.expired = make_certificate(expired, &pki.ca);
    CertificateRequest wrong = leaf;
    wrong.common_name = "wrong.example";
    wrong.names = {"wrong.example"};
    pki.wrong_name = make_certificate(wrong, &pki.ca);
    CertificateRequest other_ca = ca;
    other_ca.common_name = "nobody's CA";
    const PemCertificate other = make_certificate(other_ca);
    pki.stranger = make_certificate(leaf, &other);
    return pki;
  }
};

}  // namespace eventlet::tls::testing

#endif  // EVENTLET_GREEN_NET_TLS_TESTING_TEST_PKI_H_
