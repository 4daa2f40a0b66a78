// Copyright 2026 The eventlet-cpp Authors.
//
// The client against hostile servers written here on raw sockets (loopback):
// endless interim responses, endless chunk extensions and trailers, servers
// that trickle forever; and requests whose headers would inject lines.
#include <cstdio>
#include <string>

#include "green_net/convenience.h"
#include "green_net/http/client.h"
#include "green_net/socket.h"
#include "greenthread/greenthread.h"
#include "greenthread/timeout.h"
#include "gtest/gtest.h"
#include "hub/hub.h"

namespace eventlet::http {
namespace {

// A one-connection server: reads the request's header, sends `head`, then
// sends `filler` again and again — every `pause`, or (zero) as fast as the
// client reads, 64 KiB at a time, up to 64 MiB — until the client goes
// away.
class HostileServer {
 public:
  HostileServer(std::string head, std::string filler,
                absl::Duration pause = absl::ZeroDuration())
      : listener_(net::listen(*net::Address::parse("127.0.0.1:0"))) {
    std::string block = filler;
    while (pause == absl::ZeroDuration() && !filler.empty() &&
           block.size() < 64 * 1024)
      block += filler;
    thread_ = spawn([this, head = std::move(head), block = std::move(block),
                     pause] {
      net::Socket conn = listener_.accept();
      std::string request;
      char buffer[4096];
      while (request.find("\r\n\r\n") == std::string::npos) {
        const std::size_t n = conn.recv(buffer, sizeof buffer);
        if (n == 0) return;
        request.append(buffer, n);
      }
      net::error_code ec;
      conn.sendall(head.data(), head.size(), ec);
      for (std::size_t sent = 0; !ec && !block.empty() && sent < (64u << 20);
           sent += block.size()) {
        conn.sendall(block.data(), block.size(), ec);
        if (pause > absl::ZeroDuration()) sleep(pause);
      }
    });
  }
  ~HostileServer() { thread_.kill(); }
  std::string url() const {
    return "http://" + listener_.local_address().to_string() + "/";
  }

 private:
  net::Socket listener_;
  GreenThread<void> thread_;
};

class ClientLimitsTest : public ::testing::Test {
 protected:
  void SetUp() override { Hub::destroy_current(); }
  void TearDown() override {
    client_.close_idle();
    Hub::destroy_current();
  }
  // Fetches and returns the error; `took` gets the time it took.
  error_code fetch_error(const HostileServer& server,
                         const FetchOptions& options = {},
                         absl::Duration* took = nullptr) {
    error_code ec;
    const absl::Duration began = Hub::current().now();
    client_.fetch(server.url(), options, ec);
    if (took != nullptr) *took = Hub::current().now() - began;
    return ec;
  }
  Client client_;
};

const char kContinue[] = "HTTP/1.1 100 Continue\r\n\r\n";
const char kChunked[] = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";

TEST_F(ClientLimitsTest, EndlessInterimResponses) {
  HostileServer endless("", kContinue);
  const error_code ec = fetch_error(endless);
  EXPECT_EQ(ec, Errc::kTooManyInterimResponses) << ec.message();
  EXPECT_EQ(ec.message(), "too many interim (1xx) responses");
  // Five are fine (as in Go's net/http).
  std::string five;
  for (int i = 0; i < 5; ++i) five += kContinue;
  HostileServer fine(five + "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
                     "");
  Response r = client_.fetch(fine.url());
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "ok");
}

TEST_F(ClientLimitsTest, EndlessChunkExtension) {
  const std::string filler(64 * 1024, 'a');
  HostileServer extension(std::string(kChunked) + "5;a=", filler);
  EXPECT_EQ(fetch_error(extension), Errc::kChunkLineTooLong);
  HostileServer last(std::string(kChunked) + "0;a=", filler);
  EXPECT_EQ(fetch_error(last), Errc::kChunkLineTooLong);
  // Whole, but too long.
  FetchOptions small;
  small.max_chunk_line_size = 64;
  HostileServer whole(std::string(kChunked) + "3;" + std::string(70, 'e') +
                          "\r\nabc\r\n0\r\n\r\n",
                      "");
  EXPECT_EQ(fetch_error(whole, small), Errc::kChunkLineTooLong);
  HostileServer fits(std::string(kChunked) + "3;" + std::string(50, 'e') +
                         "\r\nabc\r\n0\r\n\r\n",
                     "");
  EXPECT_EQ(client_.fetch(fits.url(), small).body, "abc");
}

TEST_F(ClientLimitsTest, EndlessTrailer) {
  HostileServer field(std::string(kChunked) + "3\r\nabc\r\n0\r\nX-T: ",
                      std::string(64 * 1024, 't'));
  const error_code ec = fetch_error(field);
  EXPECT_EQ(ec, Errc::kTrailerTooLarge) << ec.message();
  std::string lines;
  while (lines.size() < 64 * 1024) lines += "X-T: v\r\n";
  HostileServer many(std::string(kChunked) + "0\r\n", lines);
  EXPECT_EQ(fetch_error(many), Errc::kTrailerTooLarge);
}

// Servers that never end, slowly (one piece every 2 ms): within every limit
// for a long time, so only time stops them.
TEST_F(ClientLimitsTest, EnclosingTimeoutAndTotalTimeoutStopEndlessServers) {
  const absl::Duration pause = absl::Milliseconds(2);
  FetchOptions lenient;
  lenient.max_interim_responses = 1 << 30;
  HostileServer servers[] = {
      HostileServer("", kContinue, pause),
      HostileServer(std::string(kChunked) + "5;a=", "a", pause),
      HostileServer(std::string(kChunked) + "0\r\n", "X-T: v\r\n", pause),
      HostileServer("HTTP/1.1 200 OK\r\nContent-Length: 10000000\r\n\r\n", "b",
                    pause),
  };
  for (HostileServer& server : servers) {
    const absl::Duration began = Hub::current().now();
    bool expired = false;
    try {
      Timeout t(absl::Milliseconds(100));
      client_.fetch(server.url(), lenient);
    } catch (const TimeoutExpired&) {
      expired = true;
    }
    const absl::Duration took = Hub::current().now() - began;
    EXPECT_TRUE(expired);
    EXPECT_GE(took, absl::Milliseconds(100));
    EXPECT_LT(took, absl::Milliseconds(1000)) << took;  // busy-machine bound
    std::printf("Timeout(100ms) around a fetch returned after %s\n",
                absl::FormatDuration(took).c_str());
  }
  HostileServer again[] = {
      HostileServer("", kContinue, pause),
      HostileServer(std::string(kChunked) + "5;a=", "a", pause),
      HostileServer(std::string(kChunked) + "0\r\n", "X-T: v\r\n", pause),
      HostileServer("HTTP/1.1 200 OK\r\nContent-Length: 10000000\r\n\r\n", "b",
                    pause),
  };
  lenient.total_timeout = absl::Milliseconds(100);
  for (HostileServer& server : again) {
    absl::Duration took;
    const error_code ec = fetch_error(server, lenient, &took);
    EXPECT_EQ(ec, Errc::kDeadlineExceeded) << ec.message();
    EXPECT_EQ(ec, boost::system::errc::timed_out);
    EXPECT_GE(took, absl::Milliseconds(100));
    EXPECT_LT(took, absl::Milliseconds(1000)) << took;
    std::printf("total_timeout = 100ms: the fetch returned after %s\n",
                absl::FormatDuration(took).c_str());
  }
  EXPECT_EQ(client_.idle_count(), 0u);
}

TEST_F(ClientLimitsTest, HeaderInjectionIsRefusedBeforeSending) {
  // Port 1: nothing listens, so any attempt to send would be refused.
  const std::string url = "http://127.0.0.1:1/";
  auto error_with = [&](FetchOptions options) {
    error_code ec;
    client_.fetch(url, options, ec);
    return ec;
  };
  FetchOptions value;
  value.headers.push_back({"X-A", "a\r\nX-Injected: yes"});
  EXPECT_EQ(error_with(value), Errc::kBadHeader);
  FetchOptions name;
  name.headers.push_back({"X-A\r\nX-Injected", "yes"});
  EXPECT_EQ(error_with(name), Errc::kBadHeader);
  FetchOptions nul;
  nul.headers.push_back({"X-A", std::string("a\0b", 3)});
  EXPECT_EQ(error_with(nul), Errc::kBadHeader);
  FetchOptions empty_name;
  empty_name.headers.push_back({"", "v"});
  EXPECT_EQ(error_with(empty_name), Errc::kBadHeader);
  FetchOptions agent;
  agent.user_agent = "me\r\nX-Injected: yes";
  EXPECT_EQ(error_with(agent), Errc::kBadHeader);
  try {
    client_.fetch(url, agent);
    ADD_FAILURE() << "no exception";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()),
              "GET http://127.0.0.1:1/: invalid request header name or value "
              "(names must be tokens; values must not contain CR, LF, NUL or "
              "other control characters)");
  }
  // A tab in a value is fine.
  FetchOptions tab;
  tab.headers.push_back({"X-A", "a\tb"});
  EXPECT_NE(error_with(tab), Errc::kBadHeader);
}

}  // namespace
}  // namespace eventlet::http
