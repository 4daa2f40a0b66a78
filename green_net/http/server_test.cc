// Copyright 2026 The eventlet-cpp Authors.
//
// The green HTTP server against real peers on loopback: curl (a client
// nobody here wrote) and hand-written hostile clients on raw net::Sockets.
// Those tests hold under any scheduling delay: they order events with Events
// and wait for conditions, never for a sleep to pass. The timeouts are tested
// to the microsecond on the simulated clock and network (sim::run), at the end.
#include "green_net/http/server.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "green_net/convenience.h"
#include "green_net/http/testing/raw_client.h"
#include "green_net/socket.h"
#include "greenthread/event.h"
#include "greenthread/greenthread.h"
#include "greenthread/timeout.h"
#include "gtest/gtest.h"
#include "hub/hub.h"
#include "sim/sim.h"

extern char** environ;

namespace eventlet::http {
namespace {

using eventlet::testing::eventually;
using eventlet::testing::read_response;

constexpr const char* kCurl = "/usr/bin/curl";

// Runs a program to completion without blocking the hub: its stdout comes
// through a pipe read greenly; its exit status is polled. Returns stdout;
// `status` gets the exit code.
std::string run_program(std::vector<std::string> argv, int* status) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe2");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[1], 1);
  std::vector<char*> args;
  for (std::string& a : argv) args.push_back(a.data());
  args.push_back(nullptr);
  pid_t pid;
  const int rc =
      posix_spawn(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(fds[1]);
  net::Socket out(fds[0]);  // readv works on pipes
  if (rc != 0) throw std::runtime_error("posix_spawn " + argv[0]);
  std::string text;
  char buffer[4096];
  for (;;) {
    iovec iov{buffer, sizeof buffer};
    net::error_code ec;
    const std::size_t n = out.readv(&iov, 1, ec);
    if (ec || n == 0) break;
    text.append(buffer, n);
  }
  int wstatus = 0;
  while (::waitpid(pid, &wstatus, WNOHANG) == 0) sleep(absl::Milliseconds(1));
  *status = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : -1;
  return text;
}

std::string curl(std::vector<std::string> args, int* status = nullptr) {
  args.insert(args.begin(), {kCurl, "--silent", "--show-error"});
  int code = 0;
  std::string out = run_program(std::move(args), &code);
  if (status != nullptr) {
    *status = code;
  } else {
    EXPECT_EQ(code, 0) << "curl failed";
  }
  return out;
}

// Reads until the peer closes (or `limit` passes); what a raw client saw.
std::string read_all(net::Socket& s, absl::Duration limit = absl::Seconds(5)) {
  std::string text;
  Timeout t(limit);
  char buffer[4096];
  for (;;) {
    net::error_code ec;
    const std::size_t n = s.recv(buffer, sizeof buffer, ec);
    if (ec || n == 0) return text;
    text.append(buffer, n);
  }
}

int status_of(const std::string& response) {
  int status = 0;
  if (response.size() < 12 || !absl::SimpleAtoi(response.substr(9, 3), &status))
    return 0;
  return status;
}

class ServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Hub::destroy_current();
    Hub::current().set_exception_hook([this](const HubException& e) {
      reported_.push_back(e.where + ": " + describe_exception(e.error));
    });
  }
  void TearDown() override {
    if (server_) {
      server_->stop();
      runner_.wait();
      EXPECT_EQ(server_->stats().connections_open, 0u);
    }
    server_.reset();
    EXPECT_EQ(Hub::current().listener_count(), 0u);
    Hub::destroy_current();
  }

  // Starts a server on 127.0.0.1:0 in its own greenthread.
  Server& start(Handler handler, ServerOptions options = {}) {
    server_ = std::make_unique<Server>(
        net::listen(*net::Address::parse("127.0.0.1:0")), std::move(handler),
        std::move(options));
    runner_ = spawn([this] { server_->run(); });
    return *server_;
  }
  std::string url(std::string_view path = "/") const {
    return "http://" + server_->address().to_string() + std::string(path);
  }
  net::Socket connect_raw() { return net::connect(server_->address()); }

  std::unique_ptr<Server> server_;
  GreenThread<void> runner_;
  std::vector<std::string> reported_;
};

Response echo_request(const Request& req) {
  std::string text = absl::StrCat(req.method, " ", req.target, " ", req.version,
                                  " body=", req.body.size());
  if (auto ua = req.header("user-agent")) text += " ua=" + std::string(*ua);
  return Response::text(200, text + "\n");
}

// ---- curl -------------------------------------------------------------------

TEST_F(ServerTest, CurlGet) {
  start(echo_request);
  const std::string out = curl({"--include", url("/hello?x=1")});
  EXPECT_TRUE(absl::StartsWith(out, "HTTP/1.1 200 OK\r\n")) << out;
  EXPECT_TRUE(
      absl::StrContains(out, "Content-Type: text/plain; charset=utf-8\r\n"))
      << out;
  EXPECT_TRUE(absl::StrContains(out, "Date: ")) << out;
  EXPECT_TRUE(
      absl::StrContains(out, "\r\n\r\nGET /hello?x=1 11 body=0 ua=curl/"))
      << out;
  EXPECT_EQ(server_->stats().requests_served, 1u);
  EXPECT_TRUE(reported_.empty());
}

TEST_F(ServerTest, CurlPostWithBody) {
  std::string seen;
  start([&](const Request& req) {
    seen = req.body;
    EXPECT_EQ(req.header("Content-Type"), "application/x-www-form-urlencoded");
    EXPECT_EQ(req.path(), "/submit");
    EXPECT_EQ(req.query(), "a=b");
    return Response::text(201, "got " + std::to_string(req.body.size()));
  });
  const std::string out = curl({"--write-out", " %{http_code}", "--data-binary",
                                "name=value&more=data", url("/submit?a=b")});
  EXPECT_EQ(out, "got 20 201");
  EXPECT_EQ(seen, "name=value&more=data");
}

TEST_F(ServerTest, CurlKeepAliveReusesOneConnection) {
  start(echo_request);
  const std::string out = curl({url("/one"), url("/two")});
  EXPECT_TRUE(absl::StrContains(out, "GET /one 11")) << out;
  EXPECT_TRUE(absl::StrContains(out, "GET /two 11")) << out;
  EXPECT_EQ(server_->stats().requests_served, 2u);
  EXPECT_EQ(server_->stats().connections_accepted, 1u);
}

TEST_F(ServerTest, CurlChunkedUpload) {
  std::string payload;
  for (int i = 0; payload.size() < 300000; ++i)
    absl::StrAppend(&payload, "line ", i, "\n");
  const std::string path =
      absl::StrCat(::testing::TempDir(), "/upload_", ::getpid(), ".txt");
  {
    std::FILE* f = std::fopen(path.c_str(), "wb");
    ASSERT_NE(f, nullptr);
    std::fwrite(payload.data(), 1, payload.size(), f);
    std::fclose(f);
  }
  std::string seen;
  std::string transfer_encoding;
  start([&](const Request& req) {
    seen = req.body;
    transfer_encoding =
        std::string(req.header("transfer-encoding").value_or(""));
    return Response::text(200, "ok");
  });
  const absl::Duration began = Hub::current().now();
  // curl sends "Expect: 100-continue" and waits up to 30 s for the interim
  // answer before it sends the body anyway.
  const std::string out =
      curl({"--expect100-timeout", "30", "-H", "Transfer-Encoding: chunked",
            "--data-binary", "@" + path, url("/upload")});
  // The server answered "100 Continue" instead of letting curl wait.
  EXPECT_LT(Hub::current().now() - began, absl::Seconds(25));
  EXPECT_EQ(out, "ok");
  EXPECT_EQ(transfer_encoding, "chunked");
  EXPECT_EQ(seen.size(), payload.size());
  EXPECT_TRUE(seen == payload);
  std::remove(path.c_str());
}

TEST_F(ServerTest, CurlHttp10) {
  int version = 0;
  start([&](const Request& req) {
    version = req.version;
    EXPECT_FALSE(req.keep_alive);
    return Response::text(200, "old\n");
  });
  const std::string out = curl({"--http1.0", "--include", url()});
  EXPECT_EQ(version, 10);
  EXPECT_TRUE(absl::StrContains(out, "Connection: close\r\n")) << out;
  EXPECT_TRUE(absl::EndsWith(out, "\r\n\r\nold\n")) << out;
}

TEST_F(ServerTest, Http10KeepAliveOnRequest) {
  start(echo_request);
  net::Socket s = connect_raw();
  for (int i = 0; i < 2; ++i) {
    s.sendall("GET /ka HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
    const std::string r = read_response(s);
    EXPECT_EQ(status_of(r), 200) << r;
    EXPECT_TRUE(absl::StrContains(r, "Connection: keep-alive\r\n")) << r;
    EXPECT_TRUE(absl::StrContains(r, "GET /ka 10")) << r;
  }
  EXPECT_EQ(server_->stats().connections_accepted, 1u);
}

// ---- Protocol details
// ---------------------------------------------------------

TEST_F(ServerTest, PipelinedRequestsAnsweredInOrder) {
  start(echo_request);
  net::Socket s = connect_raw();
  s.sendall(
      "GET /a HTTP/1.1\r\nHost: x\r\n\r\n"
      "POST /b HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nxyz"
      "GET /c HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  const std::string all = read_all(s);
  const std::size_t a = all.find("GET /a 11 body=0");
  const std::size_t b = all.find("POST /b 11 body=3");
  const std::size_t c = all.find("GET /c 11 body=0");
  ASSERT_NE(a, std::string::npos) << all;
  ASSERT_NE(b, std::string::npos) << all;
  ASSERT_NE(c, std::string::npos) << all;
  EXPECT_LT(a, b);
  EXPECT_LT(b, c);
  EXPECT_TRUE(absl::StrContains(all, "Connection: close\r\n"));
}

TEST_F(ServerTest, HeadAndNoContentCarryNoBody) {
  start([](const Request& req) {
    if (req.target == "/empty") return Response{204, "", {}, "ignored"};
    return Response::text(200, "twelve bytes");
  });
  net::Socket s = connect_raw();
  s.sendall("HEAD / HTTP/1.1\r\nHost: x\r\n\r\n");
  // No body follows; the next response starts right after the header.
  s.sendall("GET /empty HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  const std::string all = read_all(s);
  EXPECT_TRUE(absl::StartsWith(all, "HTTP/1.1 200 OK\r\n")) << all;
  EXPECT_TRUE(absl::StrContains(
      all, "Content-Length: 12\r\n\r\nHTTP/1.1 204 No Content\r\n"))
      << all;
  EXPECT_FALSE(absl::StrContains(all, "twelve")) << all;
  EXPECT_FALSE(absl::StrContains(all, "ignored")) << all;
}

TEST_F(ServerTest, ServerFramesTheResponse) {
  start([](const Request&) {
    Response r = Response::text(200, "abc");
    r.add_header("Content-Length", "999");
    r.add_header("Transfer-Encoding", "chunked");
    r.add_header("Set-Cookie", "a=1");
    r.add_header("Set-Cookie", "b=2");
    r.reason = "Fine";
    return r;
  });
  net::Socket s = connect_raw();
  s.sendall("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
  const std::string r = read_response(s);
  EXPECT_TRUE(absl::StartsWith(r, "HTTP/1.1 200 Fine\r\n")) << r;
  EXPECT_TRUE(absl::StrContains(r, "Content-Length: 3\r\n")) << r;
  EXPECT_FALSE(absl::StrContains(r, "999")) << r;
  EXPECT_FALSE(absl::StrContains(r, "chunked")) << r;
  EXPECT_TRUE(absl::StrContains(r, "Set-Cookie: a=1\r\nSet-Cookie: b=2\r\n"));
}

TEST_F(ServerTest, HandlerExceptionAnswers500AndIsReported) {
  start([](const Request& req) -> Response {
    if (req.target == "/boom") throw std::runtime_error("kaboom");
    return Response::text(200, "fine");
  });
  net::Socket s = connect_raw();
  s.sendall("GET /boom HTTP/1.1\r\nHost: x\r\n\r\n");
  const std::string r = read_response(s);
  EXPECT_EQ(status_of(r), 500) << r;
  // The connection stays usable.
  s.sendall("GET /ok HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(status_of(read_response(s)), 200);
  ASSERT_EQ(reported_.size(), 1u);
  EXPECT_TRUE(absl::StrContains(reported_[0], "kaboom")) << reported_[0];
  EXPECT_TRUE(absl::StrContains(reported_[0], "GET /boom")) << reported_[0];
  EXPECT_EQ(server_->stats().handler_errors, 1u);
  EXPECT_EQ(server_->stats().requests_served, 2u);
}

TEST_F(ServerTest, HeaderInjectionIsRefused) {
  start([](const Request&) {
    Response r = Response::text(200, "x");
    r.add_header("X-Evil", "a\r\nSet-Cookie: pwned=1");
    return r;
  });
  net::Socket s = connect_raw();
  s.sendall("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
  const std::string r = read_response(s);
  EXPECT_EQ(status_of(r), 500) << r;
  EXPECT_FALSE(absl::StrContains(r, "pwned")) << r;
  EXPECT_EQ(reported_.size(), 1u);
}

TEST_F(ServerTest, HandlerMayBlockGreenlyWithoutStallingOthers) {
  Event<void> slow_entered;
  Event<void> fast_answered;
  start([&](const Request& req) {
    if (req.target == "/slow") {
      slow_entered.send();
      fast_answered.wait();  // blocks until the other request got through
    }
    return Response::text(200, req.target);
  });
  net::Socket slow = connect_raw();
  slow.sendall("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n");
  slow_entered.wait();
  net::Socket fast = connect_raw();
  fast.sendall("GET /fast HTTP/1.1\r\nHost: x\r\n\r\n");
  // A server stalled by the blocked handler would never answer (read_response
  // gives up after 5 s).
  EXPECT_EQ(status_of(read_response(fast)), 200);
  fast_answered.send();
  EXPECT_EQ(status_of(read_response(slow)), 200);
}

// ---- Hostile inputs
// -------------------------------------------------------------

TEST_F(ServerTest, TruncatedRequestThenClose) {
  int calls = 0;
  start([&](const Request&) {
    ++calls;
    return Response::text(200, "x");
  });
  {
    net::Socket s = connect_raw();
    s.sendall("GET /never-finished HTTP/1.1\r\nHost: x\r\nX-Partial: ab");
  }
  {
    net::Socket s = connect_raw();
    s.sendall(
        "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nonly ten.");
  }
  // The server is fine and the connections are gone.
  net::Socket s = connect_raw();
  s.sendall("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(status_of(read_response(s)), 200);
  EXPECT_EQ(calls, 1);
  EXPECT_TRUE(eventually([&] {
    return server_->stats().connections_open == 1u;
  })) << server_->stats().connections_open
      << " connections open";
  EXPECT_TRUE(reported_.empty());
}

TEST_F(ServerTest, OversizedHeaderIs431) {
  ServerOptions options;
  options.max_header_bytes = 4096;
  start(echo_request, options);
  {
    net::Socket s = connect_raw();
    s.sendall("GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(8000, 'a') +
              "\r\n\r\n");
    const std::string r = read_all(s);
    EXPECT_EQ(status_of(r), 431) << r;
    EXPECT_TRUE(absl::StrContains(r, "Connection: close\r\n")) << r;
  }
  {
    // Never-ending header lines, never the blank line: cut off at the limit.
    net::Socket s = connect_raw();
    s.sendall("GET / HTTP/1.1\r\n");
    net::error_code ec;
    for (int i = 0; i < 1000 && !ec; ++i) {
      const std::string line = "X-" + std::to_string(i) + ": v\r\n";
      s.sendall(line.data(), line.size(), ec);
    }
    EXPECT_EQ(status_of(read_all(s)), 431);
  }
  // Just under the limit is fine.
  net::Socket s = connect_raw();
  s.sendall("GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(3000, 'a') +
            "\r\n\r\n");
  EXPECT_EQ(status_of(read_response(s)), 200);
  EXPECT_EQ(server_->stats().requests_rejected, 2u);
}

TEST_F(ServerTest, OversizedBodyIs413) {
  ServerOptions options;
  options.max_body_bytes = 1000;
  int calls = 0;
  start(
      [&](const Request& req) {
        ++calls;
        return Response::text(200, std::to_string(req.body.size()));
      },
      options);
  {
    // Decided from Content-Length, before the body is read; the client that
    // already sent its body still gets to read the answer.
    net::Socket s = connect_raw();
    s.sendall("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n" +
              std::string(5000, 'b'));
    const std::string r = read_all(s);
    EXPECT_EQ(status_of(r), 413) << r;
  }
  {
    // Chunked: decided when the chunks add up past the limit.
    net::Socket s = connect_raw();
    s.sendall(
        "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n");
    for (int i = 0; i < 3; ++i)
      s.sendall("1f4\r\n" + std::string(500, 'c') + "\r\n");
    EXPECT_EQ(status_of(read_all(s)), 413);
  }
  net::Socket s = connect_raw();
  s.sendall("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n" +
            std::string(1000, 'd'));
  const std::string r = read_response(s);
  EXPECT_EQ(status_of(r), 200);
  EXPECT_TRUE(absl::EndsWith(r, "1000"));
  EXPECT_EQ(calls, 1);
}

TEST_F(ServerTest, GarbageIs400AndOtherConnectionsKeepWorking) {
  start(echo_request);
  // A well-behaved keep-alive client, mid-conversation.
  net::Socket good = connect_raw();
  good.sendall("GET /before HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(status_of(read_response(good)), 200);

  for (const char* garbage :
       {"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03garbage\r\n\r\n",
        "HELLO WORLD\r\n\r\n", "GET /\r\n\r\n",
        "GET / HTTP/1.1\r\nNo colon here\r\n\r\n",
        "GET / HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 7\r\n\r\n",
        "POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n",
        "POST / HTTP/1.1\r\nContent-Length: 5\r\n"
        "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n"}) {
    net::Socket bad = connect_raw();
    bad.sendall(garbage);
    const std::string r = read_all(bad);
    EXPECT_EQ(status_of(r), 400) << garbage << " -> " << r;
  }
  {
    net::Socket v2 = connect_raw();
    v2.sendall("GET / HTTP/2.0\r\nHost: x\r\n\r\n");
    EXPECT_EQ(status_of(read_all(v2)), 505);
  }
  good.sendall("GET /after HTTP/1.1\r\nHost: x\r\n\r\n");
  const std::string r = read_response(good);
  EXPECT_EQ(status_of(r), 200);
  EXPECT_TRUE(absl::StrContains(r, "GET /after")) << r;
  EXPECT_EQ(server_->stats().requests_rejected, 8u);
  EXPECT_TRUE(reported_.empty());
}

TEST_F(ServerTest, ReadTimeoutFiresWhileBytesKeepComing) {
  ServerOptions options;
  options.read_timeout = absl::Milliseconds(100);
  options.max_header_bytes = 0xffffffff;
  start(echo_request, options);
  const net::Address address = server_->address();
  std::atomic<bool> done{false};
  std::atomic<std::int64_t> flooded_ms{0};
  std::thread flooder([&] {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in sin{};
    sin.sin_family = AF_INET;
    sin.sin_port = htons(address.port());
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    const auto began = std::chrono::steady_clock::now();
    auto elapsed = [&] { return std::chrono::steady_clock::now() - began; };
    if (::connect(fd, reinterpret_cast<sockaddr*>(&sin), sizeof sin) == 0) {
      const std::string lines(64 * 1024, '\n');
      // Until the server hangs up (or 10 s: the bug's symptom).
      while (elapsed() < std::chrono::seconds(10) &&
             ::send(fd, lines.data(), lines.size(), MSG_NOSIGNAL) > 0) {
      }
    }
    flooded_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(elapsed())
            .count();
    ::close(fd);
    done = true;
  });
  while (!done) sleep(absl::Milliseconds(5));
  flooder.join();
  EXPECT_LT(flooded_ms.load(), 3000);  // 100 ms, on a busy machine
  EXPECT_EQ(server_->stats().requests_rejected, 1u);  // the 408
}

TEST_F(ServerTest, PeerResetMidRequest) {
  int calls = 0;
  start([&](const Request&) {
    ++calls;
    return Response::text(200, "x");
  });
  for (std::uint64_t i = 0; i < 3; ++i) {
    net::Socket s = connect_raw();
    s.sendall(
        "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\npartial");
    // The server has the connection (and reads the body as it comes).
    ASSERT_TRUE(eventually(
        [&] { return server_->stats().connections_accepted == i + 1; }));
    linger hard{1, 0};
    ASSERT_EQ(::setsockopt(s.fd(), SOL_SOCKET, SO_LINGER, &hard, sizeof hard),
              0);
    s.close();  // RST
  }
  EXPECT_TRUE(eventually([&] {
    return server_->stats().connections_open == 0u;
  })) << server_->stats().connections_open
      << " connections open";
  net::Socket s = connect_raw();
  s.sendall("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(status_of(read_response(s)), 200);
  EXPECT_EQ(calls, 1);
  EXPECT_TRUE(reported_.empty());
}

// Sends `head`, then `filler` over and over (up to 16 MiB) until the server
// stops reading; returns what the server answered.
std::string flood_after(net::Socket& s, const std::string& head,
                        const std::string& filler) {
  s.sendall(head);
  auto flooder = spawn([&] {
    net::error_code ec;
    for (std::size_t sent = 0; sent < (16u << 20) && !ec; sent += filler.size())
      s.sendall(filler.data(), filler.size(), ec);
  });
  std::string r = read_all(s);
  flooder.kill();
  return r;
}

TEST_F(ServerTest, EndlessChunkExtensionOrTrailerFailsFast) {
  start(echo_request);
  const std::string chunked =
      "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
  const std::string filler(64 * 1024, 'a');
  {
    net::Socket s = connect_raw();
    const std::string r = flood_after(s, chunked + "5;ext=", filler);
    EXPECT_EQ(status_of(r), 400) << r.substr(0, 200);
  }
  {
    // The last chunk's extension.
    net::Socket s = connect_raw();
    const std::string r = flood_after(s, chunked + "0;ext=", filler);
    EXPECT_EQ(status_of(r), 400) << r.substr(0, 200);
  }
  {
    // One endless trailer field.
    net::Socket s = connect_raw();
    const std::string r =
        flood_after(s, chunked + "3\r\nabc\r\n0\r\nX-Trailer: ", filler);
    EXPECT_EQ(status_of(r), 431) << r.substr(0, 200);
  }
  {
    // Endless trailer lines.
    net::Socket s = connect_raw();
    std::string lines;
    while (lines.size() < filler.size()) lines += "X-T: v\r\n";
    const std::string r = flood_after(s, chunked + "0\r\n", lines);
    EXPECT_EQ(status_of(r), 431) << r.substr(0, 200);
  }
  // Within the limits: extensions and a trailer are fine (and the trailer is
  // not one of the request's headers).
  Response seen;
  server_->stop();
  runner_.wait();
  ServerOptions options;
  options.max_chunk_line_bytes = 64;
  options.max_trailer_bytes = 64;
  start(
      [&](const Request& req) {
        seen.headers = req.headers;
        seen.body = req.body;
        return Response::text(200, "ok");
      },
      options);
  net::Socket s = connect_raw();
  s.sendall(chunked + "3;" + std::string(58, 'e') + "\r\nabc\r\n0\r\n" +
            "X-T: " + std::string(55, 't') + "\r\n\r\n");
  EXPECT_EQ(status_of(read_response(s)), 200);
  EXPECT_EQ(seen.body, "abc");
  EXPECT_FALSE(seen.header("X-T"));
  s.sendall(chunked + "3;" + std::string(64, 'e') + "\r\nabc\r\n0\r\n\r\n");
  EXPECT_EQ(status_of(read_all(s)), 400);
  net::Socket t = connect_raw();
  t.sendall(chunked + "0\r\nX-T: " + std::string(58, 't') + "\r\n\r\n");
  EXPECT_EQ(status_of(read_all(t)), 431);
}

TEST_F(ServerTest, RequestLineHostAndFoldingFollowRfc9112) {
  start(echo_request);
  auto answer = [&](const std::string& request) {
    net::Socket s = connect_raw();
    s.sendall(request);
    return status_of(read_all(s, absl::Seconds(5)));
  };
  // The request line, whole (section 3).
  EXPECT_EQ(answer("GET /a b HTTP/1.1\r\nHost: x\r\n\r\n"), 400);
  EXPECT_EQ(answer("GET  / HTTP/1.1\r\nHost: x\r\n\r\n"), 400);
  EXPECT_EQ(answer("GET / HTTP/1.1 \r\nHost: x\r\n\r\n"), 400);
  EXPECT_EQ(answer("GET / HTTP/3.0\r\nHost: x\r\n\r\n"), 505);
  // Host (section 3.2): required in 1.1, never twice.
  EXPECT_EQ(answer("GET / HTTP/1.1\r\n\r\n"), 400);
  EXPECT_EQ(answer("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n"), 400);
  EXPECT_EQ(answer("GET / HTTP/1.0\r\nHost: a\r\nHost: a\r\n\r\n"), 400);
  EXPECT_EQ(answer("GET / HTTP/1.0\r\n\r\n"), 200);
  // Obsolete line folding (section 5.2), and whitespace before the first
  // field (section 2.2).
  EXPECT_EQ(answer("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip,"
                   "\r\n chunked\r\n\r\n0\r\n\r\n"),
            400);
  EXPECT_EQ(answer("GET / HTTP/1.1\r\nHost: x\r\nX-A: 1\r\n\t2\r\n\r\n"), 400);
  EXPECT_EQ(answer("GET / HTTP/1.1\r\n Host: x\r\n\r\n"), 400);
  // Empty lines before a request are ignored (section 2.2).
  net::Socket s = connect_raw();
  s.sendall("\r\n\r\nGET /first HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(status_of(read_response(s)), 200);
  s.sendall("\r\nGET /second HTTP/1.1\r\nHost: x\r\n\r\n");
  const std::string r = read_response(s);
  EXPECT_EQ(status_of(r), 200);
  EXPECT_TRUE(absl::StrContains(r, "GET /second")) << r;
  // ... but count against the header limit.
  net::Socket flood = connect_raw();
  EXPECT_EQ(status_of(flood_after(flood, "", std::string(4096, '\n'))), 431);
  EXPECT_TRUE(reported_.empty());
}

TEST_F(ServerTest, HandlerHeaderWithNulIsRefused) {
  start([](const Request&) {
    return Response::text(200, "x").set_header("X-A", std::string("a\0b", 3));
  });
  net::Socket s = connect_raw();
  s.sendall("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(status_of(read_response(s)), 500);
  EXPECT_EQ(reported_.size(), 1u);
  reported_.clear();
}

TEST_F(ServerTest, PipeliningClientsThatDoNotReadCannotStallOthers) {
  ServerOptions options;
  options.write_timeout = absl::Seconds(2);
  std::size_t served_greedy = 0;
  start(
      [&](const Request& req) {
        if (req.target == "/") ++served_greedy;
        return echo_request(req);
      },
      options);
  std::string burst;
  while (burst.size() < 64 * 1024) burst += "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
  // A normal client, all along: each of its requests is answered within a
  // few hub passes (one request of each greedy client per pass), not after
  // the greedy clients' thousands. Measured in requests served to others
  // while it waited, which no machine load changes; and in time.
  absl::Duration worst;
  std::size_t worst_others = 0;
  auto normal_client = spawn([&] {
    net::Socket normal = connect_raw();
    for (int i = 0; i < 50; ++i) {
      const absl::Duration began = Hub::current().now();
      const std::size_t before = served_greedy;
      normal.sendall("GET /normal HTTP/1.1\r\nHost: x\r\n\r\n");
      EXPECT_EQ(status_of(read_response(normal)), 200);
      worst = std::max(worst, Hub::current().now() - began);
      worst_others = std::max(worst_others, served_greedy - before);
    }
  });
  std::vector<net::Socket> greedy;
  greedy.reserve(200);
  std::vector<GreenThread<void>> senders;
  for (int i = 0; i < 200; ++i) {
    greedy.push_back(connect_raw());
    senders.push_back(spawn([&s = greedy.back(), &burst] {
      net::error_code ec;
      s.sendall(burst.data(), burst.size(), ec);
    }));
  }
  normal_client.wait();
  EXPECT_LT(worst_others, 3 * 200u);
  EXPECT_LT(worst, absl::Milliseconds(500));  // busy-machine bound
  std::printf(
      "normal client's worst wait: %s, %zu requests of others served "
      "meanwhile\n",
      absl::FormatDuration(worst).c_str(), worst_others);
  for (GreenThread<void>& sender : senders) sender.kill();
  for (net::Socket& s : greedy) {
    linger hard{1, 0};
    ::setsockopt(s.fd(), SOL_SOCKET, SO_LINGER, &hard, sizeof hard);
    s.close();  // RST: the server's pending writes fail
  }
}

// ---- Graceful stop
// --------------------------------------------------------------

TEST_F(ServerTest, GracefulStopFinishesInFlightRequests) {
  Event<void> in_handler;
  Event<void> release;
  start([&](const Request& req) {
    if (req.target == "/slow") {
      in_handler.send();
      release.wait();
    }
    return Response::text(200, "done " + req.target);
  });
  // An idle keep-alive connection (after one request).
  net::Socket idle = connect_raw();
  idle.sendall("GET /first HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(status_of(read_response(idle)), 200);
  // A request in flight.
  net::Socket busy = connect_raw();
  busy.sendall("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n");
  in_handler.wait();

  server_->stop();
  EXPECT_TRUE(server_->stopping());
  // No new connections.
  {
    net::error_code ec;
    net::Socket late = net::Socket::tcp();
    late.connect(server_->address(), ec);
    EXPECT_TRUE(ec) << "connected after stop()";
  }
  // The idle connection is closed at once (while the busy one is still in
  // its handler), the busy one gets its answer.
  EXPECT_EQ(read_all(idle), "");
  EXPECT_FALSE(runner_.ready());
  release.send();
  const std::string r = read_all(busy);
  EXPECT_EQ(status_of(r), 200) << r;
  EXPECT_TRUE(absl::StrContains(r, "Connection: close\r\n")) << r;
  EXPECT_TRUE(absl::EndsWith(r, "done /slow")) << r;
  runner_.wait();  // run() returns
  EXPECT_EQ(server_->stats().connections_open, 0u);
  EXPECT_EQ(server_->stats().requests_served, 2u);
}

TEST_F(ServerTest, StopClosesConnectionsWithoutACompleteRequest) {
  ServerOptions options;
  options.read_timeout = absl::Seconds(30);
  int calls = 0;
  start(
      [&](const Request&) {
        ++calls;
        return Response::text(200, "x");
      },
      options);
  net::Socket silent = connect_raw();  // accepted, nothing sent
  net::Socket half_header = connect_raw();
  half_header.sendall("GET / HTTP/1.1\r\nHost: x\r\n");
  net::Socket half_body = connect_raw();
  half_body.sendall(
      "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n0123456789");
  sleep(absl::Milliseconds(20));  // the server has read what was sent
  EXPECT_EQ(server_->stats().connections_open, 3u);
  const absl::Duration began = Hub::current().now();
  server_->stop();
  runner_.wait();
  EXPECT_LT(Hub::current().now() - began, absl::Seconds(5));
  EXPECT_EQ(server_->stats().connections_open, 0u);
  EXPECT_EQ(read_all(half_header, absl::Seconds(1)), "");
  EXPECT_EQ(read_all(half_body, absl::Seconds(1)), "");
  EXPECT_EQ(read_all(silent, absl::Seconds(1)), "");
  EXPECT_EQ(calls, 0);
}

TEST_F(ServerTest, StopFromAHandler) {
  start([&](const Request&) {
    server_->stop();
    return Response::text(200, "bye");
  });
  net::Socket s = connect_raw();
  s.sendall("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
  const std::string r = read_all(s);
  EXPECT_TRUE(absl::EndsWith(r, "bye")) << r;
  runner_.wait();
}

TEST_F(ServerTest, KillingRunEndsEveryConnection) {
  Event<void> in_handler;
  start([&](const Request& req) {
    if (req.target == "/forever") {
      in_handler.send();
      sleep(absl::Seconds(60));
    }
    return Response::text(200, "x");
  });
  net::Socket idle = connect_raw();
  idle.sendall("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(status_of(read_response(idle)), 200);
  net::Socket stuck = connect_raw();
  stuck.sendall("GET /forever HTTP/1.1\r\nHost: x\r\n\r\n");
  in_handler.wait();
  EXPECT_EQ(server_->stats().connections_open, 2u);
  runner_.kill();
  try {
    runner_.wait();
  } catch (const GreenletExit&) {
  }
  EXPECT_TRUE(runner_.dead());
  EXPECT_EQ(server_->stats().connections_open, 0u);
  EXPECT_EQ(read_all(idle), "");
  EXPECT_EQ(read_all(stuck), "");
  server_.reset();  // run() has ended (by GreenletExit): nothing to stop
}

// ---- Timeouts, on the simulated clock and network
// ----------------------------------------------
//
// Each link delivers after 100 us (sim_net.h's default): the durations below
// are exact, whatever the machine's load.

// Runs `body` under sim::run with a server on 10.0.0.2:80 (in its own
// greenthread, stopped afterwards) and fails the test if the run did not end
// well.
void with_sim_server(const ServerOptions& options,
                     absl::FunctionRef<void(Server&)> body) {
  sim::Result result = sim::run({}, [&] {
    Server server(net::listen(*net::Address::parse("10.0.0.2:80")),
                  echo_request, options);
    auto runner = spawn([&] { server.run(); });
    body(server);
    server.stop();
    runner.wait();
  });
  EXPECT_TRUE(result.ok()) << result.summary();
}

TEST(ServerTimeouts, SlowlorisIsCutOffByTheWholeRequestReadTimeout) {
  ServerOptions options;
  options.read_timeout = absl::Milliseconds(200);
  with_sim_server(options, [](Server& server) {
    net::Socket s = net::connect(server.address());
    // Sends one byte every 50 ms, far below any per-read timeout, until the
    // server hangs up (the request would be complete after 6.5 s).
    const std::string request =
        "GET / HTTP/1.1\r\nHost: x\r\nX-Slow: " + std::string(100, 'z') +
        "\r\n\r\n";
    const absl::Duration began = Hub::current().now();
    auto dribbler = spawn([&] {
      for (char c : request) {
        net::error_code ec;
        s.sendall(&c, 1, ec);
        if (ec) return;
        sleep(absl::Milliseconds(50));
      }
    });
    const std::string r = read_all(s, absl::Seconds(3));
    const absl::Duration cut = Hub::current().now() - began;
    dribbler.kill();
    // Accepted 100 us before the connect completed; the hang-up takes 100 us.
    EXPECT_EQ(cut, absl::Milliseconds(200)) << "cut off after " << cut;
    EXPECT_TRUE(r.empty() || status_of(r) == 408) << r;
    EXPECT_EQ(server.stats().requests_served, 0u);
    EXPECT_EQ(server.stats().requests_rejected, 1u);
    EXPECT_EQ(server.stats().read_timeouts, 1u);
    EXPECT_EQ(server.stats().responses_by_class[3], 1u);  // the 408
    // From the first byte (accept) to the 408 written: the whole 200 ms.
    EXPECT_EQ(server.stats().latency.count, 1u);
    EXPECT_EQ(server.stats().latency.sum_ns, 200'000'000);
  });
}

TEST(ServerTimeouts, SilentConnectionAndIdleKeepAliveTimeOut) {
  ServerOptions options;
  options.read_timeout = absl::Milliseconds(100);
  options.idle_timeout = absl::Milliseconds(150);
  with_sim_server(options, [](Server& server) {
    {
      // Connects and says nothing: closed after the read timeout.
      net::Socket s = net::connect(server.address());
      const absl::Duration began = Hub::current().now();
      EXPECT_EQ(read_all(s), "");
      EXPECT_EQ(Hub::current().now() - began, absl::Milliseconds(100));
    }
    // One request, then idle: closed after the idle timeout (counted from
    // when the answer was written, 100 us before it arrived).
    net::Socket s = net::connect(server.address());
    s.sendall("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    EXPECT_EQ(status_of(read_response(s)), 200);
    const absl::Duration began = Hub::current().now();
    EXPECT_EQ(read_all(s), "");
    EXPECT_EQ(Hub::current().now() - began, absl::Milliseconds(150));
    EXPECT_EQ(server.stats().read_timeouts, 1u);  // the silent one
    EXPECT_EQ(server.stats().idle_timeouts, 1u);
    EXPECT_EQ(server.stats().requests_rejected, 0u);
    EXPECT_EQ(server.stats().responses_by_class[1], 1u);
  });
}

TEST(ServerTimeouts, AWriteTimeoutIsCountedWithItsLatency) {
  sim::Result result = sim::run({}, [&] {
    ServerOptions options;
    options.write_timeout = absl::Milliseconds(100);
    Server server(
        net::listen(*net::Address::parse("10.0.0.2:80")),
        [](const Request&) {
          return Response::text(200, std::string(8 << 20, 'x'));
        },
        options);
    auto runner = spawn([&] { server.run(); });
    // Asks for 8 MiB and reads nothing: the network's window fills, and the
    // server's write waits until write_timeout.
    net::Socket s = net::connect(server.address());
    s.sendall("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    EXPECT_TRUE(eventually([&] { return server.stats().write_errors == 1; }));
    const ServerStats& stats = server.stats();
    EXPECT_EQ(stats.write_timeouts, 1u);
    EXPECT_EQ(stats.responses_by_class[1], 1u);  // attempted
    EXPECT_GT(stats.bytes_sent, 0u);
    EXPECT_LT(stats.bytes_sent, std::uint64_t{8} << 20);
    EXPECT_EQ(stats.latency.count, 1u);
    EXPECT_GE(stats.latency.sum_ns, 100'000'000);
    server.stop();
    runner.wait();
  });
  EXPECT_TRUE(result.ok()) << result.summary();
}

TEST(ServerApi, RequestAndResponseHelpers) {
  Request req;
  req.target = "/p/a/t/h?q=1&r=2";
  req.headers = {{"Content-TYPE", "text/html"}, {"X-A", "1"}, {"x-a", "2"}};
  EXPECT_EQ(req.header("content-type"), "text/html");
  EXPECT_EQ(req.header("X-a"), "1");
  EXPECT_EQ(req.header("missing"), std::nullopt);
  EXPECT_EQ(req.path(), "/p/a/t/h");
  EXPECT_EQ(req.query(), "q=1&r=2");
  Response res = Response::json(404, "{}");
  EXPECT_EQ(res.header("content-type"), "application/json");
  res.set_header("CONTENT-TYPE", "text/csv");
  EXPECT_EQ(res.headers.size(), 1u);
  EXPECT_EQ(res.header("Content-Type"), "text/csv");
  EXPECT_EQ(reason_phrase(404), "Not Found");
  EXPECT_EQ(reason_phrase(431), "Request Header Fields Too Large");
  EXPECT_EQ(reason_phrase(299), "Unknown");
  EXPECT_TRUE(iequals("Keep-Alive", "keep-alive"));
  EXPECT_FALSE(iequals("Keep-Alive", "keep-alive "));
}

}  // namespace
}  // namespace eventlet::http
