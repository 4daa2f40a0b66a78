#include <cstdio>
#include <string>

#include "green_net/convenience.h"
#include "green_net/http/client.h"
#include "green_net/http/server.h"
#include "green_net/tls/certificates.h"
#include "greenthread/greenthread.h"

namespace http = eventlet::http;
namespace net = eventlet::net;
namespace tls = eventlet::tls;

int main() {
  // A throwaway CA and a server certificate it signs, made in memory. A real
  // server loads its files: options.tls->certificate_file / key_file.
  tls::CertificateRequest ca_request;
  ca_request.common_name = "guide CA";
  ca_request.is_ca = true;
  const tls::PemCertificate ca = tls::make_certificate(ca_request);
  tls::CertificateRequest leaf_request;
  leaf_request.names = {"localhost", "127.0.0.1"};
  const tls::PemCertificate leaf = tls::make_certificate(leaf_request, &ca);

  // The server speaks https when ServerOptions::tls is set.
  http::ServerOptions options;
  options.tls = leaf.as_server();
  http::Server server(
      net::listen(*net::Address::parse("127.0.0.1:0")),
      [](const http::Request& req) {
        return http::Response::text(200, "hello " + req.target + "\n");
      },
      options);
  auto running = eventlet::spawn([&] { server.run(); });
  const std::string base =
      "https://localhost:" + std::to_string(server.address().port());

  // The client trusts our CA only (by default: the system trust store), and
  // checks that the certificate names "localhost".
  http::FetchOptions trusting;
  trusting.tls.ca_pem = ca.certificate;
  http::Client client;
  http::FetchInfo info;
  std::printf("%s", client.fetch(base + "/a", trusting).body.c_str());
  client.fetch(base + "/b", trusting, &info);
  std::printf("second fetch reused the TLS connection: %s\n",
              info.reused ? "yes" : "no");

  // Verification failures are errors with their own codes and messages.
  try {
    client.fetch(base + "/", {});  // the system store does not know our CA
  } catch (const http::Error& e) {
    std::printf("default trust: %s\n", e.code().message().c_str());
  }
  boost::system::error_code ec;
  client.fetch(
      "https://127.0.0.1:" + std::to_string(server.address().port()) + "/",
      trusting, ec);
  std::printf("by IP: %s\n", ec ? ec.message().c_str() : "ok");
  http::FetchOptions insecure;  // curl --insecure: no verification at all
  insecure.tls.verify = false;
  std::printf("insecure: %s", client.fetch(base + "/c", insecure).body.c_str());

  // Plain http:// to the TLS port: the server answers 400 in plain HTTP.
  const http::Response plain = client.fetch(
      "http://localhost:" + std::to_string(server.address().port()) + "/");
  std::printf("http:// to the https port: %d %s", plain.status,
              plain.body.c_str());

  client.close_idle();
  server.stop();
  running.wait();
}
