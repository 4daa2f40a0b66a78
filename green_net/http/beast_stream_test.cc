// Copyright 2026 The eventlet-cpp Authors.
#include "green_net/http/beast_stream.h"

#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/stream_traits.hpp>
#include <boost/beast/http.hpp>
#include <string>
#include <vector>

#include "green_net/socket.h"
#include "greenthread/greenthread.h"
#include "greenthread/timeout.h"
#include "gtest/gtest.h"
#include "hub/hub.h"

namespace eventlet::http {
namespace {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;

static_assert(beast::is_sync_read_stream<BeastStream>::value);
static_assert(beast::is_sync_write_stream<BeastStream>::value);

class BeastStreamTest : public ::testing::Test {
 protected:
  void SetUp() override { Hub::destroy_current(); }
  void TearDown() override {
    EXPECT_EQ(Hub::current().listener_count(), 0u);
    Hub::destroy_current();
  }
};

TEST_F(BeastStreamTest, BeastReadsAndWritesHttpMessages) {
  auto [a, b] = net::Socket::pair();
  auto server = spawn([&b = b] {
    BeastStream stream(b);
    beast::flat_buffer buffer;
    bhttp::request<bhttp::string_body> req;
    bhttp::read(stream, buffer, req);
    bhttp::response<bhttp::string_body> res{bhttp::status::ok, req.version()};
    res.body() = "got " + std::string(req.target()) + " " + req.body();
    res.prepare_payload();
    bhttp::write(stream, res);
  });
  BeastStream stream(a);
  bhttp::request<bhttp::string_body> req{bhttp::verb::post, "/x", 11};
  req.body() = std::string(200000, 'b');  // more than a socket buffer
  req.prepare_payload();
  bhttp::write(stream, req);
  beast::flat_buffer buffer;
  bhttp::response<bhttp::string_body> res;
  bhttp::read(stream, buffer, res);
  server.wait();
  EXPECT_EQ(res.result_int(), 200);
  EXPECT_EQ(res.body(), "got /x " + std::string(200000, 'b'));
}

TEST_F(BeastStreamTest, EndOfStreamIsEof) {
  auto [a, b] = net::Socket::pair();
  b.close();
  BeastStream stream(a);
  char byte;
  boost::system::error_code ec;
  EXPECT_EQ(stream.read_some(boost::asio::buffer(&byte, 1), ec), 0u);
  EXPECT_EQ(ec, boost::asio::error::eof);
  EXPECT_THROW(stream.read_some(boost::asio::buffer(&byte, 1)),
               boost::system::system_error);
  // Beast sees a clean end of stream before a message as end_of_stream.
  beast::flat_buffer buffer;
  bhttp::request<bhttp::string_body> req;
  bhttp::read(stream, buffer, req, ec);
  EXPECT_EQ(ec, bhttp::error::end_of_stream);
}

TEST_F(BeastStreamTest, EmptyBuffersReturnAtOnce) {
  auto [a, b] = net::Socket::pair();
  BeastStream stream(a);
  boost::system::error_code ec = boost::asio::error::eof;
  // Nothing to read, but nothing asked for: no wait.
  EXPECT_EQ(stream.read_some(boost::asio::mutable_buffer(), ec), 0u);
  EXPECT_FALSE(ec);
  EXPECT_EQ(stream.write_some(boost::asio::const_buffer(), ec), 0u);
  EXPECT_FALSE(ec);
}

TEST_F(BeastStreamTest, ScatterGatherOverManyBuffers) {
  auto [a, b] = net::Socket::pair();
  // 100 buffers (more than kMaxIovecs), some empty.
  std::vector<std::string> parts;
  std::string expected;
  for (int i = 0; i < 100; ++i) {
    parts.push_back(i % 10 == 0 ? "" : std::to_string(i) + ",");
    expected += parts.back();
  }
  std::vector<boost::asio::const_buffer> out;
  for (const std::string& p : parts) out.push_back(boost::asio::buffer(p));
  BeastStream writer(a);
  EXPECT_EQ(boost::asio::write(writer, out), expected.size());
  std::string got(expected.size(), '\0');
  std::vector<boost::asio::mutable_buffer> in;
  for (std::size_t i = 0; i < got.size(); ++i)
    in.push_back(boost::asio::buffer(&got[i], 1));  // 1-byte buffers
  BeastStream reader(b);
  EXPECT_EQ(boost::asio::read(reader, in), expected.size());
  EXPECT_EQ(got, expected);
}

TEST_F(BeastStreamTest, ErrorsPassThrough) {
  auto [a, b] = net::Socket::pair();
  a.set_timeout(absl::Milliseconds(20));
  BeastStream stream(a);
  char byte;
  boost::system::error_code ec;
  stream.read_some(boost::asio::buffer(&byte, 1), ec);
  EXPECT_EQ(ec, boost::system::errc::timed_out);
  // close() from another greenthread: operation_aborted.
  a.set_timeout(std::nullopt);
  spawn([&a = a] { a.close(); });
  stream.read_some(boost::asio::buffer(&byte, 1), ec);
  EXPECT_EQ(ec, boost::asio::error::operation_aborted);
  // Writing to a peer that is gone: EPIPE, unchanged.
  b.close();
  auto [c, d] = net::Socket::pair();
  d.close();
  BeastStream to_closed(c);
  to_closed.write_some(boost::asio::buffer("x", 1), ec);
  EXPECT_EQ(ec, boost::system::errc::broken_pipe);
}

TEST_F(BeastStreamTest, EnclosingTimeoutInterruptsBeastRead) {
  auto [a, b] = net::Socket::pair();
  BeastStream stream(a);
  beast::flat_buffer buffer;
  bhttp::request<bhttp::string_body> req;
  b.sendall("GET / HTTP/1.1\r\nHo");  // never completed
  Timeout t(absl::Milliseconds(20));
  EXPECT_THROW(bhttp::read(stream, buffer, req), TimeoutExpired);
}

}  // namespace
}  // namespace eventlet::http
