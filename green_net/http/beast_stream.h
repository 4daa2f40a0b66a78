// Copyright 2026 The eventlet-cpp Authors.
//
// beast_stream.h: net::Socket (or tls::Stream) as a Beast SyncReadStream /
// SyncWriteStream.
//
//   net::Socket sock = net::connect(address);
//   http::BeastStream stream(sock);          // BasicBeastStream<net::Socket>
//   boost::beast::http::write(stream, request);
//   boost::beast::http::read(stream, buffer, response);  // parks this
//                                                        // greenthread only
//
// BasicBeastStream<S> adapts any S with the scatter/gather calls of
// net::Socket: `std::size_t readv(const iovec*, int, error_code&)` (0: end of
// stream) and `std::size_t writev(const iovec*, int, error_code&)` — e.g.
// tls::Stream (green_net/tls/stream.h), which waits as the socket does.
//
// read_some / write_some make ONE Socket::readv / Socket::writev call over the
// buffer sequence (at most kMaxIovecs buffers per call; the rest is left for
// the next call, which Beast and Asio's composed operations make anyway), and
// so wait on the hub exactly as the socket does: they honour the socket's own
// timeout (errc::timed_out), an enclosing eventlet::Timeout and kills (by
// exception, which propagates through Beast's algorithms), and a close() from
// another greenthread (operation_aborted).
//
// Errors: end of stream on a read with a non-empty buffer sequence is
// boost::asio::error::eof (what Beast expects); every other error is the
// socket's error_code, unchanged. A zero-length buffer sequence returns 0 at
// once without a syscall, as Asio streams do. The throwing overloads throw
// boost::system::system_error.
//
// Ownership: a BeastStream borrows the socket (or stream), which must outlive
// it. It is a cheap value (one pointer); make one wherever needed.
#ifndef EVENTLET_GREEN_NET_HTTP_BEAST_STREAM_H_
#define EVENTLET_GREEN_NET_HTTP_BEAST_STREAM_H_

#include <sys/uio.h>

#include <boost/asio/buffer.hpp>
#include <boost/asio/error.hpp>
#include <boost/system/error_code.hpp>
#include <boost/system/system_error.hpp>
#include <cstddef>

#include "green_net/socket.h"

namespace eventlet::http {

template <typename Stream>
class BasicBeastStream {
 public:
  // Buffers used per read_some/write_some call at most.
  static constexpr int kMaxIovecs = 64;

  explicit BasicBeastStream(Stream& stream) : stream_(&stream) {}

  Stream& next_layer() const { return *stream_; }

  // Reads at least one byte (waiting as needed) unless `buffers` is empty.
  template <typename MutableBufferSequence>
  std::size_t read_some(const MutableBufferSequence& buffers,
                        boost::system::error_code& ec) {
    iovec iov[kMaxIovecs];
    std::size_t total = 0;
    const int count = gather(buffers, iov, total);
    if (total == 0) {
      ec.clear();
      return 0;
    }
    const std::size_t n = stream_->readv(iov, count, ec);
    if (!ec && n == 0) ec = boost::asio::error::eof;
    return n;
  }
  template <typename MutableBufferSequence>
  std::size_t read_some(const MutableBufferSequence& buffers) {
    boost::system::error_code ec;
    const std::size_t n = read_some(buffers, ec);
    if (ec) throw boost::system::system_error(ec, "read_some");
    return n;
  }

  // Writes at least one byte (waiting as needed) unless `buffers` is empty.
  template <typename ConstBufferSequence>
  std::size_t write_some(const ConstBufferSequence& buffers,
                         boost::system::error_code& ec) {
    iovec iov[kMaxIovecs];
    std::size_t total = 0;
    const int count = gather(buffers, iov, total);
    if (total == 0) {
      ec.clear();
      return 0;
    }
    return stream_->writev(iov, count, ec);
  }
  template <typename ConstBufferSequence>
  std::size_t write_some(const ConstBufferSequence& buffers) {
    boost::system::error_code ec;
    const std::size_t n = write_some(buffers, ec);
    if (ec) throw boost::system::system_error(ec, "write_some");
    return n;
  }

 private:
  // Fills `iov` with the non-empty buffers of `buffers` (at most kMaxIovecs);
  // returns how many and adds their sizes to `total`.
  template <typename BufferSequence>
  static int gather(const BufferSequence& buffers, iovec* iov,
                    std::size_t& total) {
    int count = 0;
    for (auto it = boost::asio::buffer_sequence_begin(buffers),
              end = boost::asio::buffer_sequence_end(buffers);
         it != end && count < kMaxIovecs; ++it) {
      const auto buffer = *it;  // mutable_buffer or const_buffer
      if (buffer.size() == 0) continue;
      iov[count].iov_base =
          const_cast<void*>(static_cast<const void*>(buffer.data()));
      iov[count].iov_len = buffer.size();
      total += buffer.size();
      ++count;
    }
    return count;
  }

  Stream* stream_;
};

using BeastStream = BasicBeastStream<net::Socket>;

}  // namespace eventlet::http

#endif  // EVENTLET_GREEN_NET_HTTP_BEAST_STREAM_H_
