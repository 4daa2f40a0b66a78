// Copyright 2026 The eventlet-cpp Authors.
//
// socket.h: green sockets — TCP (IPv4/IPv6), UDP and Unix stream sockets whose
// blocking calls park only the calling greenthread.
//
//   net::Socket s = net::connect(*net::Address::parse("127.0.0.1:8080"));
//   s.sendall("ping");
//   std::string reply = s.recv(4096);
//
// Every socket is non-blocking underneath: a call that would block waits on
// the hub (Hub::wait_for_io) and retries. Each such call has two forms, as in
// Asio/Beast: one reports failures in a boost::system::error_code, the other
// throws boost::system::system_error.
//
// Errors: OS errors come as system_category codes (EPIPE, ECONNRESET...). A
// wait that outlasts the socket's own timeout (set_timeout) fails with
// errc::timed_out; a zero timeout makes the socket non-blocking (Python's
// settimeout(0)): a call that would wait fails at once with EAGAIN
// (errc::operation_would_block), a connect with EINPROGRESS. close() on a socket another greenthread is blocked on wakes
// that greenthread with errc::operation_canceled (== asio::error::
// operation_aborted). An enclosing eventlet::Timeout or a kill interrupts any
// blocking call by exception (they are switch points). recv() returns 0 at
// end of stream.
//
// Cooperative budget: every read, write and accept is one operation of the
// hub's budget (hub.h), charged before the system call: a greenthread whose
// socket never says EAGAIN still yields to the hub every coop_budget()
// operations, so one fast peer cannot starve the others or stop the clock.
//
// Ownership: a Socket owns its fd and closes it on destruction (or close()).
// Move-only. Use on one hub's OS thread: a socket belongs to the hub of its
// first read, write, accept or connect (opening, binding and listening do
// not bind it, so a listener may be made on one thread and served on
// another), and a moved socket keeps its hub. In debug and sanitizer builds,
// a later read, write, accept or connect from another hub's greenthread (or
// a thread without a hub) aborts with a message naming both hubs, as for
// Event and Queue (hub/hub_affinity.h); optimized builds compile the check
// out. close() and the destructor are not checked: a socket may be destroyed
// on another thread once its hub's thread has ended. At most one greenthread may wait to
// read and one to write at a time (eventlet's rule: a second one raises
// "Second simultaneous read on fileno N detected"), unless
// Hub::set_prevent_multiple_readers(false): then readiness wakes the longest
// waiting one.
//
// Beast: net::Socket does not include Asio; green_net/http/beast_stream.h
// adapts it to Beast's SyncReadStream/SyncWriteStream.
//
// Networks: a socket lives in the Network (green_net/network.h) of the hub it
// was opened on — the backend's (Backend::network()), e.g. the in-memory
// network of a simulated hub, else the host's (host_network.h: system calls);
// every call goes through it. Sockets adopted from an fd and pair() are the
// host's.
#ifndef EVENTLET_GREEN_NET_SOCKET_H_
#define EVENTLET_GREEN_NET_SOCKET_H_

#include <sys/socket.h>
#include <sys/uio.h>

#include <boost/system/error_code.hpp>
#include <boost/system/system_error.hpp>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "absl/time/time.h"
#include "green_net/address.h"
#include "hub/backend.h"
#include "hub/hub_affinity.h"

namespace eventlet::net {

class Network;
using error_code = boost::system::error_code;

class Socket {
 public:
  // Not open.
  Socket();
  // Adopts an open OS socket fd (made non-blocking and close-on-exec).
  explicit Socket(int fd);
  // A new socket: family AF_INET/AF_INET6/AF_UNIX, type SOCK_STREAM/SOCK_DGRAM.
  static Socket open(int family, int type, error_code& ec);
  static Socket open(int family, int type);
  static Socket tcp(int family = AF_INET) { return open(family, SOCK_STREAM); }
  static Socket udp(int family = AF_INET) { return open(family, SOCK_DGRAM); }
  static Socket unix_stream() { return open(AF_UNIX, SOCK_STREAM); }
  // A connected pair of Unix stream OS sockets.
  static std::pair<Socket, Socket> pair();

  ~Socket() { close(); }
  Socket(Socket&& other) noexcept;
  Socket& operator=(Socket&& other) noexcept;
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;

  // The fd (or the simulated network's socket id).
  int fd() const { return fd_; }
  bool is_open() const { return fd_ >= 0; }

  // Limit for each wait of a blocking call (std::nullopt: none, the default;
  // zero or less: never wait, see above).
  void set_timeout(std::optional<absl::Duration> timeout) {
    timeout_ = timeout;
  }
  std::optional<absl::Duration> timeout() const { return timeout_; }

  void set_option(int level, int name, int value, error_code& ec);
  void set_option(int level, int name, int value);
  // getsockopt of an int-valued option (SO_SNDBUF, SO_REUSEADDR...). A
  // simulated network that does not model options fails with ENOPROTOOPT.
  int get_option(int level, int name, error_code& ec) const;
  int get_option(int level, int name) const;
  void set_nodelay(bool on, error_code& ec);
  void set_nodelay(bool on);
  void set_reuseaddr(bool on, error_code& ec);
  void set_reuseaddr(bool on);
  void set_reuseport(bool on, error_code& ec);
  void set_reuseport(bool on);
  void set_keepalive(bool on, error_code& ec);
  void set_keepalive(bool on);

  void bind(const Address& address, error_code& ec);
  void bind(const Address& address);
  void listen(int backlog, error_code& ec);
  void listen(int backlog = 128);
  // Waits for a connection. `peer` (optional) receives its address. Fails
  // with EMFILE/ENFILE when out of fds (the listener stays usable).
  Socket accept(Address* peer, error_code& ec);
  Socket accept(Address* peer = nullptr);
  // Connects, waiting at most `timeout` (else the socket's timeout).
  void connect(const Address& address, error_code& ec,
               std::optional<absl::Duration> timeout = std::nullopt);
  void connect(const Address& address,
               std::optional<absl::Duration> timeout = std::nullopt);

  // Receives up to `size` bytes; 0 means end of stream. With `size` 0 it
  // waits until the socket is readable (bytes, end of stream or an error;
  // the timeout applies) and returns 0 without consuming anything, as a
  // blocking recv of 0 bytes does (the kernel would return 0 at once).
  std::size_t recv(void* buffer, std::size_t size, error_code& ec);
  std::size_t recv(void* buffer, std::size_t size);
  // Receives up to `max` bytes as a string ("" at end of stream).
  std::string recv(std::size_t max, error_code& ec);
  std::string recv(std::size_t max);
  // Sends some of `data`; returns how much.
  std::size_t send(const void* data, std::size_t size, error_code& ec);
  std::size_t send(const void* data, std::size_t size);
  std::size_t send(std::string_view data, error_code& ec);
  std::size_t send(std::string_view data);
  // Sends all of `data` (waiting as needed). On error, `sent` (if given)
  // tells how much went out.
  void sendall(const void* data, std::size_t size, error_code& ec,
               std::size_t* sent = nullptr);
  void sendall(const void* data, std::size_t size);
  void sendall(std::string_view data, error_code& ec,
               std::size_t* sent = nullptr);
  void sendall(std::string_view data);
  // Scatter/gather forms (one syscall; may be partial), for stream adapters.
  // readv of buffers holding 0 bytes in all waits as recv of 0 bytes does.
  std::size_t readv(const iovec* iov, int count, error_code& ec);
  std::size_t readv(const iovec* iov, int count);
  // Copies up to `size` received bytes without consuming them. Never waits:
  // `ec` is would_block when nothing has arrived (the throwing form throws
  // it); 0 with no error means the peer closed its side. (E.g. to check that
  // an idle connection is still open and quiet before reusing it.)
  std::size_t peek(void* buffer, std::size_t size, error_code& ec);
  std::size_t peek(void* buffer, std::size_t size);
  std::size_t writev(const iovec* iov, int count, error_code& ec);
  std::size_t writev(const iovec* iov, int count);

  // Datagrams.
  std::size_t recvfrom(void* buffer, std::size_t size, Address* from,
                       error_code& ec);
  std::size_t recvfrom(void* buffer, std::size_t size, Address* from);
  std::size_t sendto(const void* data, std::size_t size, const Address& to,
                     error_code& ec);
  std::size_t sendto(const void* data, std::size_t size, const Address& to);
  std::size_t sendto(std::string_view data, const Address& to, error_code& ec);
  std::size_t sendto(std::string_view data, const Address& to);

  // SHUT_RD, SHUT_WR or SHUT_RDWR.
  void shutdown(int how, error_code& ec);
  void shutdown(int how);
  // Closes the fd; greenthreads waiting on it wake with operation_canceled.
  // Idempotent; never throws.
  void close() noexcept;

  // The socket's own and its peer's address. The plain forms never throw
  // (they serve error reports): an empty Address when it is unknown; the
  // error_code forms also say why (e.g. not_connected).
  Address local_address(error_code& ec) const;
  Address local_address() const;
  Address peer_address(error_code& ec) const;
  Address peer_address() const;

 private:
  // Runs `op(err)` until it does not fail with EAGAIN, waiting for `event`
  // between tries. `op` returns a syscall-like result (< 0 with `err` set).
  template <typename Op>
  long retry(IoEvents event, std::optional<absl::Duration> timeout,
             error_code& ec, Op op);

  // Binds to this thread's hub, or aborts on another's (see Ownership).
  void check_hub() {
    if constexpr (kHubAffinityChecks)
      affinity_.check("Socket fd", fd_ >= 0 ? fd_ : 0);
  }

  int fd_ = -1;
  Network* net_;  // where fd_ lives (never null; the host's when not open)
  std::optional<absl::Duration> timeout_;
  [[no_unique_address]] HubAffinity affinity_;
};

}  // namespace eventlet::net

#endif  // EVENTLET_GREEN_NET_SOCKET_H_
