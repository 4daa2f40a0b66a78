// Copyright 2026 The eventlet-cpp Authors.
//
// hello_server: HTTP hello world on the green server (the HTTP benchmark's
// subject). Prints the bound address, then serves until killed.
//
//   ./bazelw run -c opt //examples:hello_server -- --port=8080
//   curl http://127.0.0.1:8080/        # Hello, World!
//   hello_server --tls_cert=cert.pem --tls_key=key.pem   # https
#include <cstdio>
#include <string>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "green_net/address.h"
#include "green_net/convenience.h"
#include "green_net/http/server.h"
#include "green_net/tls/context.h"

ABSL_FLAG(std::string, address, "127.0.0.1", "numeric address to listen on");
ABSL_FLAG(int, port, 8080, "TCP port (0: any free port)");
ABSL_FLAG(int, max_connections, 20000, "connections served at once");
ABSL_FLAG(int, backlog, 4096, "listen backlog");
ABSL_FLAG(std::string, tls_cert, "",
          "serve https with this PEM certificate chain (with --tls_key)");
ABSL_FLAG(std::string, tls_key, "", "the PEM private key of --tls_cert");

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  namespace net = eventlet::net;
  namespace http = eventlet::http;
  const auto address = net::Address::from_ip(
      absl::GetFlag(FLAGS_address),
      static_cast<std::uint16_t>(absl::GetFlag(FLAGS_port)));
  if (!address) {
    std::fprintf(stderr, "hello_server: --address must be a numeric IP\n");
    return 2;
  }
  http::ServerOptions options;
  options.max_connections =
      static_cast<std::size_t>(absl::GetFlag(FLAGS_max_connections));
  if (!absl::GetFlag(FLAGS_tls_cert).empty()) {
    options.tls = eventlet::tls::ServerCredentials();
    options.tls->certificate_file = absl::GetFlag(FLAGS_tls_cert);
    options.tls->key_file = absl::GetFlag(FLAGS_tls_key);
  }
  net::ListenOptions listen_options;
  listen_options.backlog = absl::GetFlag(FLAGS_backlog);
  http::Server server(
      net::listen(*address, listen_options),
      [](const http::Request&) {
        return http::Response::text(200, "Hello, World!\n");
      },
      options);
  std::printf("hello_server: listening on %s://%s/\n",
              options.tls ? "https" : "http",
              server.address().to_string().c_str());
  std::fflush(stdout);
  server.run();
}
