// Copyright 2026 The eventlet-cpp Authors.
//
// hello_server: HTTP hello world on the green server (the HTTP benchmark's
// subject). Prints the bound address, then serves until killed.
//
//   ./bazelw run -c opt //examples:hello_server -- --port=8080
//   curl http://127.0.0.1:8080/        # Hello, World!
//
// Observability, all off by default: --access_log=PATH (or - for stderr)
// writes a common-log-format line per response (http::AccessLog);
// --metrics_path=/metrics serves the server's statistics in the Prometheus
// text format; --introspection=127.0.0.1:N opens the loopback introspection
// port (debug/introspection.h) with an extra command "http" answering the same
// statistics.
//
//   ./bazelw run //examples:hello_server -- --port=8080 --access_log=-
//       --metrics_path=/metrics --introspection=127.0.0.1:7777   (one line)
//   curl http://127.0.0.1:8080/metrics
//   printf 'http\nquit\n' | nc 127.0.0.1 7777
//
// https: --tls_cert=cert.pem --tls_key=key.pem (PEM files).
//
// Every core: --hubs=N serves on N hubs, one per OS thread, each accepting on
// its own SO_REUSEPORT listener (http::ServerOptions::hubs); the statistics
// (metrics, introspection) are the sum over the hubs.
#include <cstdio>
#include <memory>
#include <string>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "debug/introspection.h"
#include "green_net/address.h"
#include "green_net/convenience.h"
#include "green_net/http/access_log.h"
#include "green_net/http/metrics.h"
#include "green_net/http/server.h"
#include "green_net/tls/context.h"

ABSL_FLAG(std::string, address, "127.0.0.1", "numeric address to listen on");
ABSL_FLAG(int, port, 8080, "TCP port (0: any free port)");
ABSL_FLAG(int, max_connections, 20000, "connections served at once");
ABSL_FLAG(int, backlog, 4096, "listen backlog");
ABSL_FLAG(int, hubs, 1,
          "hubs (OS threads) serving, each with its own listener");
ABSL_FLAG(std::string, access_log, "",
          "write an access log (common log format) to this file, or - for "
          "stderr (empty: none)");
ABSL_FLAG(std::string, metrics_path, "",
          "serve the server's statistics in the Prometheus text format at "
          "this path, e.g. /metrics (empty: none)");
ABSL_FLAG(std::string, introspection, "",
          "open the introspection port on this loopback address, e.g. "
          "127.0.0.1:7777 (port 0: any free port), with the command \"http\" "
          "for the server's statistics (empty: none)");
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
  options.metrics_path = absl::GetFlag(FLAGS_metrics_path);
  options.hubs = absl::GetFlag(FLAGS_hubs);
  options.backlog = absl::GetFlag(FLAGS_backlog);
  std::unique_ptr<http::AccessLog> access_log;
  if (const std::string path = absl::GetFlag(FLAGS_access_log); !path.empty()) {
    access_log = std::make_unique<http::AccessLog>(path);
    options.access_log = access_log.get();
  }
  if (!absl::GetFlag(FLAGS_tls_cert).empty()) {
    options.tls = eventlet::tls::ServerCredentials();
    options.tls->certificate_file = absl::GetFlag(FLAGS_tls_cert);
    options.tls->key_file = absl::GetFlag(FLAGS_tls_key);
  }
  net::ListenOptions listen_options;
  listen_options.backlog = absl::GetFlag(FLAGS_backlog);
  listen_options.reuse_port = options.hubs > 1;
  http::Server server(
      net::listen(*address, listen_options),
      [](const http::Request&) {
        return http::Response::text(200, "Hello, World!\n");
      },
      options);
  std::unique_ptr<eventlet::debug::IntrospectionServer> introspection;
  std::unique_ptr<eventlet::debug::IntrospectionCommand> http_command;
  if (const std::string where = absl::GetFlag(FLAGS_introspection);
      !where.empty()) {
    const auto at = net::Address::parse(where);
    if (!at) {
      std::fprintf(stderr, "hello_server: bad --introspection address\n");
      return 2;
    }
    introspection = eventlet::debug::serve_introspection(*at);
    http_command = std::make_unique<eventlet::debug::IntrospectionCommand>(
        "http", "hello_server's statistics (Prometheus text)",
        [&server] { return http::format_prometheus(server.total_stats()); });
    std::printf("hello_server: introspection on %s\n",
                introspection->address().to_string().c_str());
  }
  std::printf("hello_server: listening on %s://%s/\n",
              options.tls ? "https" : "http",
              server.address().to_string().c_str());
  std::fflush(stdout);
  server.run();
}
