// Copyright 2026 The eventlet-cpp Authors.
//
// stream.h: TLS over a green socket. Every handshake, read and write parks
// only the calling greenthread, exactly as the socket's own calls do.
//
//   net::Socket socket = net::connect(address);
//   tls::Stream stream(socket, client_context, "example.com");
//   stream.handshake(ec, absl::Seconds(10));
//   stream.write_all(request, ec);
//   std::size_t n = stream.read_some(buffer, sizeof buffer, ec);  // 0: EOF
//
// How: OpenSSL works on two memory buffers (BIOs); this class moves the
// bytes between them and the socket with the socket's green calls. No
// OpenSSL call ever waits, so an enclosing eventlet::Timeout or a kill
// (which unwind by exception) never crosses OpenSSL's C frames.
//
// Client streams (a Context::client) send `server_name` as SNI when it is a
// DNS name (never for an IP literal, per RFC 6066) and, when the context
// verifies, check the certificate chain against the context's trust store
// and the certificate against `server_name` (DNS names, or IP addresses
// against the certificate's IP entries).
//
// Waiting: each wait for the socket honours the socket's own timeout
// (net::Socket::set_timeout; errc::timed_out, unchanged), an enclosing
// eventlet::Timeout, a kill and a close() from another greenthread, as the
// socket does. handshake() also bounds the whole handshake by `timeout`
// (Errc::kHandshakeTimeout).
//
// Errors (error.h): verification failures name their cause (kUnknownCa,
// kCertificateExpired, kHostnameMismatch...); a peer answering in plain HTTP
// is kPlainHttpResponse (client) or kPlainHttpRequest (server); other
// protocol failures are kHandshakeFailed / kNotTls / kProtocolError, with
// OpenSSL's own reason in error_detail(). Socket errors pass through. After
// any error other than a timeout of read_some, the stream is unusable
// (kNotConnected). Each call also has a throwing form
// (boost::system::system_error).
//
// Simulation: under a simulated network (sim::run) handshake() fails with
// Errc::kNotSupportedUnderSimulator before sending anything.
//
// Bounds: at most one TLS record (16 KiB of plaintext) is encrypted per
// write call and at most kReadChunk bytes are read from the socket per wait,
// so OpenSSL's buffers hold at most about two records per direction.
//
// Ownership and lifetime: a Stream borrows the socket, which must outlive
// it, and shares the context's SSL_CTX. Not movable. The destructor frees the
// TLS state without sending anything (call shutdown() first for a clean
// close_notify): it never parks. Use on one hub's OS thread; at most one
// greenthread reading and one writing at a time, as for the socket —
// except that while a read must send (TLS 1.3 key updates) it writes too, so
// concurrent reader and writer greenthreads are not supported.
#ifndef EVENTLET_GREEN_NET_TLS_STREAM_H_
#define EVENTLET_GREEN_NET_TLS_STREAM_H_

#include <sys/uio.h>

#include <boost/system/error_code.hpp>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/time/time.h"
#include "green_net/socket.h"
#include "green_net/tls/context.h"
#include "green_net/tls/error.h"

typedef struct ssl_st SSL;
typedef struct bio_st BIO;

namespace eventlet::tls {

class Stream {
 public:
  // Bytes read from the socket per wait at most.
  static constexpr std::size_t kReadChunk = 16 * 1024 + 512;
  // Plaintext bytes encrypted per write call at most (one record).
  static constexpr std::size_t kMaxWrite = 16 * 1024;

  // `server_name`: for a client, the host name to send (SNI) and to verify
  // the certificate against; ignored for a server. Throws std::bad_alloc if
  // OpenSSL cannot allocate.
  Stream(net::Socket& socket, const Context& context,
         std::string_view server_name = {});
  ~Stream();
  Stream(const Stream&) = delete;
  Stream& operator=(const Stream&) = delete;

  // Runs the handshake (client or server, by the context's role), waiting at
  // most `timeout` in all (nullopt: only the socket's own timeout applies).
  void handshake(error_code& ec,
                 std::optional<absl::Duration> timeout = std::nullopt);
  void handshake(std::optional<absl::Duration> timeout = std::nullopt);
  bool connected() const { return connected_; }

  // Reads up to `size` decrypted bytes (at least one unless size is 0);
  // 0 with no error at the end of the stream (the peer's close_notify, or
  // the connection closed between records).
  std::size_t read_some(void* buffer, std::size_t size, error_code& ec);
  std::size_t read_some(void* buffer, std::size_t size);
  // Encrypts up to kMaxWrite bytes of `data` and sends them all; returns how
  // many bytes of `data` that was.
  std::size_t write_some(const void* data, std::size_t size, error_code& ec);
  // Writes all of `data`.
  void write_all(std::string_view data, error_code& ec);
  void write_all(std::string_view data);
  // Scatter/gather forms for stream adapters (http::BasicBeastStream):
  // readv fills the first non-empty buffer; writev sends the first kMaxWrite
  // bytes of the buffers as one record.
  std::size_t readv(const iovec* iov, int count, error_code& ec);
  std::size_t writev(const iovec* iov, int count, error_code& ec);

  // Decrypted or received bytes are waiting in the TLS layer: the next
  // read_some may not need the socket (so do not wait for the socket's
  // readability first).
  bool has_buffered_input() const;

  // Sends close_notify (does not wait for the peer's). Best effort.
  void shutdown(error_code& ec);

  // OpenSSL's reason for the last TLS failure ("" if none), e.g.
  // "error:0A00010B:SSL routines::wrong version number".
  const std::string& error_detail() const { return detail_; }
  net::Socket& socket() const { return *socket_; }

 private:
  enum class Phase { kHandshake, kData };
  // Calls `op` (one SSL_* call, returning its result) until it succeeds,
  // sending what OpenSSL produced and receiving what it asks for. Returns
  // op's positive result, 0 at a clean end of stream, -1 on error (ec set).
  template <typename Op>
  int drive(Op op, Phase phase, std::int64_t deadline, error_code& ec);
  // Sends everything OpenSSL has written to its output buffer.
  bool flush(Phase phase, std::int64_t deadline, error_code& ec);
  // Receives once from the socket into OpenSSL's input buffer. Returns
  // false with ec set on error, false with no error at end of stream.
  bool fill(Phase phase, std::int64_t deadline, error_code& ec);
  // Before a wait of the handshake: bounds the socket's timeout by the
  // deadline (false: already passed). After one: names its timeout.
  bool bound_wait(Phase phase, std::int64_t deadline);
  void name_timeout(Phase phase, error_code& ec) const;
  // Names an SSL_ERROR_SSL failure.
  error_code classify_failure(Phase phase);
  void fail(error_code& ec, error_code e);

  net::Socket* socket_;
  SSL* ssl_ = nullptr;
  // A BIO pair (two ~17 KiB ring buffers): OpenSSL reads and writes its end
  // (owned by ssl_); this class receives into and sends from network_.
  BIO* network_ = nullptr;
  // The socket's own timeout, restored after each bounded handshake wait.
  std::optional<absl::Duration> socket_timeout_;
  bool is_client_ = false;
  bool connected_ = false;
  bool broken_ = false;
  bool received_any_ = false;
  bool first_bytes_http_ = false;
  std::string detail_;
  std::string staging_;  // writev's gathered plaintext
};

}  // namespace eventlet::tls

#endif  // EVENTLET_GREEN_NET_TLS_STREAM_H_
