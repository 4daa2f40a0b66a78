// Copyright 2026 The eventlet-cpp Authors.
//
// fetch: the main demo — eventlet's classic "fetch many URLs at once":
//
//   pool = eventlet.GreenPool(200)
//   for body in pool.imap(fetch, urls):
//       print("got body from", url, "of length", len(body))
//
// in C++, on green sockets with HTTP spoken by Boost.Beast.
//
//   ./bazelw run //examples:fetch          # against a local server
//   ./bazelw run //examples:fetch -- --concurrency=50 http://127.0.0.1:8080/
//   ./bazelw run //examples:fetch -- --urls_file=urls.txt --timeout=10s
//   grep -v skip urls.txt | fetch --urls_file=-
//   ./bazelw run //examples:fetch -- --debug_timers --debug_listeners
//   ./bazelw run //examples:fetch -- --tls      # the same over https
//
// URLs come from the arguments and from --urls_file (a file, or "-" for
// stdin; one URL a line, blank lines and '#' comments ignored:
// examples/url_list.h), in that order. They are fetched through a
// GreenPool(--concurrency) imap (each --repeat times); each prints, in input
// order, one line:
//   got body from URL of length N           a 2xx answer
//   error fetching URL: HTTP Error 404: Not Found
//                                           any other status (as Python's
//                                           urllib raises HTTPError)
//   error fetching URL: <message>           no answer (refused, timed out...)
// then a summary: requests, errors, wall time, req/s, p50/p99 latency.
// --timeout bounds each whole fetch (resolve, connect, request, body);
// --timeout_ms each connect and each wait for the socket.
//
// With no URL (and no --urls_file), it first starts a green HTTP server on
// 127.0.0.1 (any free port) in a greenthread of the same hub, serving
// /page/<n>?size=<bytes>&delay_ms=<ms> (that many bytes after that delay;
// examples/page_server.h: size at most 1 MiB, larger is 400), fetches
// --pages such pages of varied sizes and delays, prints the same, and stops
// the server. With --tls, that local server serves https with a throwaway
// self-signed certificate made at start in memory (OpenSSL's API, no files),
// and the client trusts that certificate only (not under --sim: the
// simulated network carries plain bytes only).
//
// Exit status: 0 when every fetch got a 2xx answer, 1 when any failed, 2 for
// bad usage (an unknown flag or a bad value, an unreadable or malformed
// --urls_file, URLs with --sim).
//
// Progress goes to stderr every --progress_every completions. --debug_timers
// and --debug_listeners turn on debug::hub_timer_stacks / hub_listener_stacks
// and print, once half of the requests are done, debug::format_hub_timers()
// and format_hub_listeners() (eventlet's debug module; debug/debug.h) to
// stderr.
#include <algorithm>
#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/time/time.h"
#include "debug/debug.h"
#include "examples/flag_check.h"
#include "examples/page_server.h"
#include "examples/url_list.h"
#include "green_net/address.h"
#include "green_net/convenience.h"
#include "green_net/http/client.h"
#include "green_net/http/server.h"
#include "green_net/tls/certificates.h"
#include "greenthread/greenthread.h"
#include "hub/hub.h"
#include "pool/green_pool.h"
#include "sim/cli.h"
#include "sim/sim.h"
#include "sim/sim_net.h"

ABSL_FLAG(int, concurrency, 200, "requests in flight at once (GreenPool size)");
ABSL_FLAG(bool, debug_timers, false,
          "print the hub's timers to stderr once half the requests are done");
ABSL_FLAG(bool, debug_listeners, false,
          "print the hub's fd waiters to stderr once half the requests are "
          "done");
ABSL_FLAG(int, pages, 500, "without URLs: how many local pages to fetch");
ABSL_FLAG(int, max_delay_ms, 20,
          "without URLs: the local pages' server-side delays range over "
          "0..max_delay_ms");
ABSL_FLAG(int, repeat, 1, "fetch every URL this many times");
ABSL_FLAG(bool, print_each, true,
          "print one line per URL (false: only the summary)");
ABSL_FLAG(int, progress_every, 0,
          "a progress line on stderr every N completions (0: about 10 lines "
          "per run, at least every 100)");
ABSL_FLAG(bool, sim, false,
          "run the local demo under simulation: virtual time on an in-memory "
          "network (sim/) with jittery links, deterministic for a given "
          "--seed; takes sim/cli.h's flags (--seed, --strategy, --trace, "
          "--replay, --explore, --shrink...)");
ABSL_FLAG(bool, tls, false,
          "without URLs: serve and fetch the local pages over https, with a "
          "throwaway certificate made at start");
ABSL_FLAG(std::string, cacert, "",
          "https: trust the CA certificates of this PEM file instead of the "
          "system trust store");
ABSL_FLAG(int, timeout_ms, 30000,
          "connect timeout and read timeout (per wait), milliseconds");
ABSL_FLAG(absl::Duration, timeout, absl::InfiniteDuration(),
          "the whole of each fetch (resolve, connect, request, body), e.g. "
          "10s or 500ms; expiry is an error line \"timed out after ...\" "
          "(inf: no limit but --timeout_ms's)");
ABSL_FLAG(std::string, urls_file, "",
          "also fetch the URLs in this file (- for stdin): one a line, blank "
          "lines and # comments ignored, lines of at most 8192 bytes");

namespace {

namespace http = eventlet::http;
namespace net = eventlet::net;
using eventlet::Hub;

// ---- The local server (page_server.h) ----

using eventlet::examples::serve_page;

// Varied sizes (bytes) for the local pages.
constexpr int kPageSizes[] = {512, 2048, 100, 16384, 4096, 65536, 1024, 300};

std::vector<std::string> local_urls(std::string_view scheme,
                                    const net::Address& where, int pages,
                                    int max_delay_ms) {
  std::vector<std::string> urls;
  const std::string base =
      std::string(scheme) + "://" + where.to_string() + "/page/";
  for (int i = 0; i < pages; ++i) {
    const int size = kPageSizes[i % std::size(kPageSizes)];
    const int delay = max_delay_ms <= 0 ? 0 : (i * 7) % (max_delay_ms + 1);
    urls.push_back(base + std::to_string(i) + "?size=" + std::to_string(size) +
                   "&delay_ms=" + std::to_string(delay));
  }
  return urls;
}

// --tls: a self-signed certificate for the local server, made now in memory;
// the client trusts exactly this certificate.
eventlet::tls::PemCertificate throwaway_certificate() {
  eventlet::tls::CertificateRequest request;
  request.common_name = "fetch demo (throwaway)";
  request.names = {"127.0.0.1", "localhost"};
  return eventlet::tls::make_certificate(request);
}

// ---- Fetching ----

struct Result {
  bool ok = false;  // a 2xx answer
  std::size_t length = 0;
  std::string error;  // otherwise, what the line says
  absl::Duration latency;
};

// What the command line asks for, checked before anything runs.
struct Config {
  std::vector<std::string> urls;  // arguments, then --urls_file's
  bool local = false;             // no URLs given: serve and fetch pages
  int concurrency = 200;
  int repeat = 1;
  http::FetchOptions options;
  absl::Duration timeout = absl::InfiniteDuration();
  bool tls = false;  // the local pages over https
};

// Fills `config` from the flags and the positional arguments; false (with a
// line on stderr) for bad usage.
bool load_config(const std::vector<char*>& args, bool sim, Config& config) {
  config.concurrency = absl::GetFlag(FLAGS_concurrency);
  config.repeat = absl::GetFlag(FLAGS_repeat);
  if (config.concurrency < 1 || config.repeat < 1) {
    std::fprintf(stderr, "fetch: --concurrency and --repeat must be >= 1\n");
    return false;
  }
  config.timeout = absl::GetFlag(FLAGS_timeout);
  const int timeout_ms = absl::GetFlag(FLAGS_timeout_ms);
  if (config.timeout <= absl::ZeroDuration() || timeout_ms <= 0) {
    std::fprintf(stderr, "fetch: --timeout and --timeout_ms must be > 0\n");
    return false;
  }
  config.options.connect_timeout = absl::Milliseconds(timeout_ms);
  config.options.read_timeout = config.options.connect_timeout;
  if (config.timeout != absl::InfiniteDuration())
    config.options.total_timeout = config.timeout;
  config.options.tls.ca_file = absl::GetFlag(FLAGS_cacert);
  config.tls = absl::GetFlag(FLAGS_tls);
  if (sim && config.tls) {
    std::fprintf(stderr,
                 "fetch: --tls: https is not supported under the simulator "
                 "(--sim): its in-memory network carries plain bytes only\n");
    return false;
  }

  for (std::size_t i = 1; i < args.size(); ++i)
    config.urls.emplace_back(args[i]);
  const std::string urls_file = absl::GetFlag(FLAGS_urls_file);
  if (sim && (!config.urls.empty() || !urls_file.empty())) {
    std::fprintf(stderr, "fetch: --sim runs the local demo only (no URLs)\n");
    return false;
  }
  if (!urls_file.empty()) {
    auto listed = eventlet::examples::read_url_list_file(
        urls_file == "-" ? urls_file
                         : eventlet::sim::cli::user_path(urls_file));
    if (!listed.ok()) {
      std::fprintf(stderr, "fetch: --urls_file: %s\n",
                   std::string(listed.status().message()).c_str());
      return false;
    }
    config.urls.insert(config.urls.end(), listed->begin(), listed->end());
  }
  config.local = config.urls.empty() && urls_file.empty();
  return true;
}

// The line's text for a fetch that did not get a 2xx answer.
std::string describe_failure(const http::Response& res,
                             const boost::system::error_code& ec,
                             absl::Duration timeout) {
  if (!ec) {
    // urllib's HTTPError: "HTTP Error 404: Not Found".
    const std::string_view reason = res.reason.empty()
                                        ? http::reason_phrase(res.status)
                                        : std::string_view(res.reason);
    return "HTTP Error " + std::to_string(res.status) + ": " +
           std::string(reason);
  }
  if (ec == http::Errc::kDeadlineExceeded)
    return "timed out after " + absl::FormatDuration(timeout) + " (--timeout)";
  return ec.message();
}

double percentile_ms(std::vector<absl::Duration> sorted, double p) {
  if (sorted.empty()) return 0;
  std::size_t rank = static_cast<std::size_t>(p * sorted.size() + 0.999999);
  rank = std::clamp<std::size_t>(rank, 1, sorted.size());
  return absl::ToDoubleMilliseconds(sorted[rank - 1]);
}

// The demo proper, in the calling thread's hub (real or simulated). Returns
// the exit status: 0 when every fetch got a 2xx answer, 1 otherwise.
int run(const Config& config, const char* time_label) {
  const int concurrency = config.concurrency;
  const int repeat = config.repeat;
  Hub& hub = Hub::current();

  // Without URLs: a local server, in a greenthread of this same hub.
  std::unique_ptr<http::Server> server;
  eventlet::GreenThread<void> server_thread;
  std::vector<std::string> urls = config.urls;
  http::FetchOptions options = config.options;
  if (config.local) {
    http::ServerOptions server_options;
    if (config.tls) {
      const eventlet::tls::PemCertificate certificate = throwaway_certificate();
      server_options.tls = certificate.as_server();
      options.tls.ca_pem = certificate.certificate;
    }
    // A backlog that holds every connect of the first burst: a full accept
    // queue drops SYNs, which the kernel retries only after a second.
    net::ListenOptions listen_options;
    listen_options.backlog = std::max(1024, concurrency);
    server = std::make_unique<http::Server>(
        net::listen(*net::Address::parse("127.0.0.1:0"), listen_options),
        serve_page, server_options);
    server_thread = eventlet::spawn([&server] { server->run(); });
    server_thread.set_name("http server");
    const char* scheme = server_options.tls ? "https" : "http";
    urls = local_urls(scheme, server->address(), absl::GetFlag(FLAGS_pages),
                      absl::GetFlag(FLAGS_max_delay_ms));
    std::fprintf(stderr, "fetch: serving %zu pages on %s://%s/\n", urls.size(),
                 scheme, server->address().to_string().c_str());
  }
  if (repeat > 1) {
    std::vector<std::string> all;
    all.reserve(urls.size() * repeat);
    for (int r = 0; r < repeat; ++r)
      all.insert(all.end(), urls.begin(), urls.end());
    urls = std::move(all);
  }

  // Keep as many connections alive as can be in use at once.
  http::Client::Options client_options;
  client_options.max_idle_per_host = static_cast<std::size_t>(concurrency);
  client_options.max_idle_total =
      std::max<std::size_t>(1024, static_cast<std::size_t>(concurrency));
  http::Client& client = http::default_client();
  client.set_options(client_options);

  const std::size_t total = urls.size();
  int progress_every = absl::GetFlag(FLAGS_progress_every);
  if (progress_every <= 0)
    progress_every = std::max<int>(100, static_cast<int>(total / 10));
  const bool debug_timers = absl::GetFlag(FLAGS_debug_timers);
  const bool debug_listeners = absl::GetFlag(FLAGS_debug_listeners);
  const bool print_each = absl::GetFlag(FLAGS_print_each);
  // eventlet's debug.hub_timer_stacks(True) / hub_listener_stacks(True):
  // record where each timer and fd wait is created, for the dumps.
  if (debug_timers) eventlet::debug::hub_timer_stacks(true);
  if (debug_listeners) eventlet::debug::hub_listener_stacks(true);

  std::size_t done = 0;
  std::size_t failed = 0;
  const absl::Duration start = hub.now();
  auto fetch_one = [&](const std::string& url) {
    if (debug_timers || debug_listeners) eventlet::getcurrent().set_name(url);
    Result r;
    const absl::Duration began = hub.now();
    boost::system::error_code ec;
    http::Response res = http::fetch(url, options, ec);
    r.latency = hub.now() - began;
    if (!ec && res.status >= 200 && res.status <= 299) {
      r.ok = true;
      r.length = res.body.size();
    } else {
      r.error = describe_failure(res, ec, config.timeout);
      ++failed;
    }
    ++done;
    if (done % progress_every == 0 && done < total) {
      std::fprintf(stderr, "progress: %zu/%zu done, %zu errors, %.2f s\n", done,
                   total, failed, absl::ToDoubleSeconds(hub.now() - start));
    }
    if (done == total / 2 + 1 && (debug_timers || debug_listeners)) {
      std::fprintf(stderr, "--- hub at %zu/%zu done ---\n", done, total);
      if (debug_timers)
        std::fputs(eventlet::debug::format_hub_timers().c_str(), stderr);
      if (debug_listeners)
        std::fputs(eventlet::debug::format_hub_listeners().c_str(), stderr);
      std::fprintf(stderr, "---\n");
    }
    return r;
  };

  std::vector<absl::Duration> latencies;
  latencies.reserve(total);
  eventlet::GreenPool pool(concurrency);
  std::size_t i = 0;
  for (const Result& r : pool.imap(fetch_one, urls)) {
    if (print_each) {
      if (r.ok) {
        std::printf("got body from %s of length %zu\n", urls[i].c_str(),
                    r.length);
      } else {
        std::printf("error fetching %s: %s\n", urls[i].c_str(),
                    r.error.c_str());
      }
    }
    latencies.push_back(r.latency);
    ++i;
  }
  const absl::Duration wall = hub.now() - start;

  std::sort(latencies.begin(), latencies.end());
  const double seconds = absl::ToDoubleSeconds(wall);
  std::printf("requests: %zu\n", total);
  std::printf("errors: %zu\n", failed);
  std::printf("%s: %.3f s\n", time_label, seconds);
  std::printf("req/s: %.1f\n", seconds > 0 ? total / seconds : 0.0);
  std::printf("latency p50: %.3f ms\n", percentile_ms(latencies, 0.50));
  std::printf("latency p99: %.3f ms\n", percentile_ms(latencies, 0.99));
  std::printf("connections: %" PRIu64 " opened, %" PRIu64 " reused\n",
              client.stats().connections_opened,
              client.stats().connections_reused);
  std::fflush(stdout);

  client.close_idle();
  if (server) {
    server->stop();
    server_thread.wait();
  }
  return failed == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "fetch [--concurrency=200] [--timeout=DURATION] [--urls_file=PATH|-] "
      "[--tls] [--cacert=FILE] [--debug_timers] [--debug_listeners] "
      "[--sim [--seed=N] [--strategy=S] [--trace=FILE]] [URL...]\n"
      "Fetches the URLs (or, with none, pages of a local green server: over "
      "https with --tls) in a GreenPool and prints what it got, in order: "
      "\"got body from URL of length N\" for a 2xx answer, \"error fetching "
      "URL: HTTP Error 404: Not Found\" for another status, \"error fetching "
      "URL: <why>\" when nothing came back.\n"
      "Exit status: 0 when every URL succeeded, 1 when any failed, 2 for bad "
      "usage.");
  if (std::string error = eventlet::examples::first_flag_error(argc, argv);
      !error.empty()) {
    std::fprintf(stderr, "fetch: %s (see --help)\n", error.c_str());
    return 2;
  }
  std::vector<char*> args = absl::ParseCommandLine(argc, argv);
  const bool sim = absl::GetFlag(FLAGS_sim);
  Config config;
  if (!load_config(args, sim, config)) return 2;
  if (!sim) return run(config, "wall time");
  // Under simulation the links have jitter drawn from the seed, so that
  // different seeds give different schedules (and the same seed the same).
  return eventlet::sim::cli::main(
      {"fetch", "//examples:fetch", argv[0], {"--sim"}}, [&config] {
        eventlet::sim::network().set_default_link(
            {absl::Microseconds(100), absl::Microseconds(50)});
        const int rc = run(config, "virtual time");
        if (rc != 0) {
          throw std::runtime_error("fetch: exit status " + std::to_string(rc));
        }
      });
}
