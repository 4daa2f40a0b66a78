#include <stdlib.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

#include "green_net/convenience.h"
#include "green_net/http/access_log.h"
#include "green_net/http/client.h"
#include "green_net/http/metrics.h"
#include "green_net/http/server.h"
#include "greenthread/greenthread.h"

namespace http = eventlet::http;
namespace net = eventlet::net;

int main() {
  // The access log: one line per response, written by a thread of its own.
  // (A file of its own: two runs at once must not share a log.)
  char log_name[] = "/tmp/eventlet_guide_access.XXXXXX";
  close(mkstemp(log_name));
  const std::string log_path = log_name;
  http::AccessLog log(log_path);  // or "-" for stderr

  http::ServerOptions options;
  options.access_log = &log;          // off by default
  options.metrics_path = "/metrics";  // off by default
  http::Server server(
      net::listen(*net::Address::parse("127.0.0.1:0")),
      [](const http::Request& req) {
        if (req.path() != "/hello") return http::Response::text(404, "no\n");
        return http::Response::text(200, "hello\n");
      },
      options);
  auto running = eventlet::spawn([&] { server.run(); });
  const std::string base = "http://" + server.address().to_string();
  http::fetch(base + "/hello");
  http::fetch(base + "/missing");

  // The statistics, as a struct on the server's thread...
  const http::ServerStats& stats = server.stats();
  std::printf("requests %llu, 2xx %llu, 4xx %llu, latency samples %llu\n",
              static_cast<unsigned long long>(stats.requests()),
              static_cast<unsigned long long>(stats.responses_by_class[1]),
              static_cast<unsigned long long>(stats.responses_by_class[3]),
              static_cast<unsigned long long>(stats.latency.count));
  // ...and as Prometheus scrapes them (a few of the lines).
  std::istringstream metrics(http::fetch(base + "/metrics").body);
  for (std::string line; std::getline(metrics, line);) {
    if (line.find("requests_total") != std::string::npos ||
        line.find("responses_total{code=\"4xx\"}") != std::string::npos ||
        line.find("le=\"+Inf\"") != std::string::npos)
      std::printf("%s\n", line.c_str());
  }

  http::default_client().close_idle();
  server.stop();
  running.wait();
  log.flush();  // blocks this OS thread until the lines are written
  std::ifstream written(log_path);
  for (std::string line; std::getline(written, line);) {
    // The time between [ ] changes from run to run.
    line.replace(line.find('[') + 1, line.find(']') - line.find('[') - 1,
                 "...");
    std::printf("%s\n", line.c_str());
  }
  std::remove(log_path.c_str());
}
