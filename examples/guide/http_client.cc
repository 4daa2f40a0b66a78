#include <cstdio>
#include <string>
#include <vector>

#include "green_net/convenience.h"
#include "green_net/http/client.h"
#include "green_net/http/server.h"
#include "greenthread/greenthread.h"
#include "pool/green_pool.h"

namespace http = eventlet::http;
namespace net = eventlet::net;

int main() {
  // Something to talk to: a green server in a green thread of this same hub.
  http::Server server(net::listen(*net::Address::parse("127.0.0.1:0")),
                      [](const http::Request& req) {
                        if (req.path() == "/old") {
                          http::Response moved = http::Response::text(301, "");
                          moved.set_header("Location", "/hello");
                          return moved;
                        }
                        if (req.path() != "/hello")
                          return http::Response::text(404, "");
                        return http::Response::text(
                            200, req.method + " hello" + req.body + "\n");
                      });
  auto running = eventlet::spawn([&] { server.run(); });
  const std::string base = "http://" + server.address().to_string();

  // A GET: status, reason, headers (in order, looked up case-insensitively),
  // body.
  http::Response r = http::fetch(base + "/hello");
  std::printf("%d %s (%s): %s", r.status, r.reason.c_str(),
              std::string(r.header("content-type").value_or("")).c_str(),
              r.body.c_str());

  // A POST with a header and a body. Redirects are followed.
  http::FetchOptions post;
  post.method = "POST";
  post.headers = {{"Content-Type", "text/plain"}};
  post.body = ", world";
  std::printf("%s", http::fetch(base + "/hello", post).body.c_str());
  http::FetchInfo info;
  r = http::fetch(base + "/old", {}, &info);
  std::printf("after %d redirect: %d %s", info.redirects, r.status,
              r.body.c_str());

  // A 404 is a response; failures are errors: an error_code, or an exception.
  std::printf("missing page: %d\n", http::fetch(base + "/missing").status);
  boost::system::error_code ec;
  http::fetch("ftp://example.com/", {}, ec);
  std::printf("error_code: %s\n", ec.message().c_str());
  try {
    http::fetch("http://127.0.0.1:1/");
  } catch (const http::Error& e) {
    std::printf("exception: %s\n", e.what());
  }

  // Many at once: a GreenPool imap. Connections are kept alive and reused.
  eventlet::GreenPool pool(4);
  std::vector<std::string> urls(20, base + "/hello");
  std::size_t bytes = 0;
  for (std::size_t n : pool.imap(
           [](const std::string& url) { return http::fetch(url).body.size(); },
           urls)) {
    bytes += n;
  }
  std::printf(
      "%zu fetches, %zu bytes, over %d connections in all\n", urls.size(),
      bytes,
      static_cast<int>(http::default_client().stats().connections_opened));

  http::default_client().close_idle();
  server.stop();
  running.wait();
}
