#include <cstdio>
#include <string>
#include <thread>

#include "green_net/convenience.h"
#include "green_net/http/client.h"
#include "green_net/http/server.h"
#include "hub/hub.h"
#include "pool/green_pool.h"

namespace http = eventlet::http;
namespace net = eventlet::net;

int main() {
  // Four hubs, four OS threads, each accepting on a listener of its own
  // bound to the same address: every listener needs SO_REUSEPORT.
  net::ListenOptions listen;
  listen.reuse_port = true;
  http::ServerOptions options;
  options.hubs = 4;
  http::Server server(
      net::listen(*net::Address::parse("127.0.0.1:0"), listen),
      [](const http::Request&) {
        // Runs on the hub that accepted the connection: whatever the
        // handler shares with other hubs must be thread-safe.
        return http::Response::text(200, "hello\n");
      },
      options);
  const std::string url = "http://" + server.address().to_string() + "/";

  // The clients: a thread of their own, with its own hub.
  std::thread clients([&] {
    eventlet::GreenPool pool(40);
    int answered = 0;
    for (int i = 0; i < 200; ++i) {
      pool.spawn_n([&] {
        if (http::fetch(url).status == 200) ++answered;
      });
    }
    pool.waitall();
    std::printf("%d of 200 requests answered\n", answered);
    server.stop();  // any thread: every hub stops gracefully
    eventlet::Hub::destroy_current();
  });
  server.run();  // hub 0 is this thread's; returns when all hubs are done
  clients.join();

  // Each hub counted its own requests (hub_stats(): which hub took how many
  // is the kernel's choice); total_stats() adds them up.
  std::printf(
      "%llu requests served by %zu hubs together\n",
      static_cast<unsigned long long>(server.total_stats().requests_served),
      server.hub_stats().size());
}
