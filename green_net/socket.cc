// Copyright 2026 The eventlet-cpp Authors.
#include "green_net/socket.h"

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <cerrno>
#include <utility>

#include "green_net/host_network.h"
#include "hub/hub.h"

namespace eventlet::net {
namespace {

error_code os_error(int err) {
  return error_code(err, boost::system::system_category());
}

void throw_if(const error_code& ec, const char* what) {
  if (ec) throw boost::system::system_error(ec, what);
}

bool would_block(int err) { return err == EAGAIN || err == EWOULDBLOCK; }

// A zero (or negative) timeout: the socket never waits.
bool non_blocking(const std::optional<absl::Duration>& timeout) {
  return timeout && *timeout <= absl::ZeroDuration();
}

error_code to_error(long rc, int err) {
  return rc < 0 ? os_error(err) : error_code();
}

// The outcome of a call that never waits: `op(err)` returns a syscall-like
// result (< 0 with `err` set).
template <typename Op>
error_code outcome_of(Op op) {
  int err = 0;
  const long rc = op(err);
  return to_error(rc, err);
}

}  // namespace

Socket::Socket() : net_(&HostNetwork::instance()) {}

Socket::Socket(int fd) : Socket() {
  if (fd >= 0) HostNetwork::adopt(fd);
  fd_ = fd;
}

Socket Socket::open(int family, int type, error_code& ec) {
  Socket s;
  s.net_ = &current_network();
  int err = 0;
  const int fd = s.net_->socket(family, type, err);
  ec = to_error(fd, err);
  if (fd >= 0) s.fd_ = fd;
  return s;
}

Socket Socket::open(int family, int type) {
  error_code ec;
  Socket s = open(family, type, ec);
  throw_if(ec, "socket");
  return s;
}

std::pair<Socket, Socket> Socket::pair() {
  int fds[2];
  int err = 0;
  if (HostNetwork::socket_pair(fds, err) != 0)
    throw boost::system::system_error(os_error(err), "socketpair");
  Socket a;
  a.fd_ = fds[0];
  Socket b;
  b.fd_ = fds[1];
  return {std::move(a), std::move(b)};
}

Socket::Socket(Socket&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)),
      net_(std::exchange(other.net_, &HostNetwork::instance())),
      timeout_(other.timeout_) {
  if constexpr (kHubAffinityChecks) affinity_.take(other.affinity_);
}

Socket& Socket::operator=(Socket&& other) noexcept {
  if (this != &other) {
    close();
    fd_ = std::exchange(other.fd_, -1);
    net_ = std::exchange(other.net_, &HostNetwork::instance());
    timeout_ = other.timeout_;
    if constexpr (kHubAffinityChecks) affinity_.take(other.affinity_);
  }
  return *this;
}

void Socket::close() noexcept {
  if (fd_ < 0) return;
  const int fd = std::exchange(fd_, -1);
  if (Hub* hub = Hub::current_if_exists()) hub->notify_close(fd);
  net_->close(fd);
}

template <typename Op>
long Socket::retry(IoEvents event, std::optional<absl::Duration> timeout,
                   error_code& ec, Op op) {
  check_hub();
  // One operation for the cooperative budget (hub.h): charged before the
  // system call, so a yield it makes loses no data.
  Hub::coop_charge_current();
  for (;;) {
    if (fd_ < 0) {
      ec = os_error(EBADF);
      return -1;
    }
    int err = 0;
    const long n = op(err);
    if (n >= 0) {
      ec.clear();
      return n;
    }
    if (err == EINTR) continue;
    if (!would_block(err) || non_blocking(timeout)) {
      ec = os_error(err);
      return -1;
    }
    switch (Hub::current().wait_for_io(fd_, event, timeout)) {
      case IoWaitResult::kReady:
        break;
      case IoWaitResult::kTimedOut:
        ec = make_error_code(boost::system::errc::timed_out);
        return -1;
      case IoWaitResult::kClosed:
        ec = os_error(ECANCELED);
        return -1;
    }
  }
}

void Socket::set_option(int level, int name, int value, error_code& ec) {
  ec = outcome_of(
      [&](int& err) { return net_->set_option(fd_, level, name, value, err); });
}

void Socket::set_option(int level, int name, int value) {
  error_code ec;
  set_option(level, name, value, ec);
  throw_if(ec, "setsockopt");
}

int Socket::get_option(int level, int name, error_code& ec) const {
  int value = 0;
  int err = 0;
  const int rc = net_->get_option(fd_, level, name, value, err);
  ec = to_error(rc, err);
  return rc < 0 ? 0 : value;
}

int Socket::get_option(int level, int name) const {
  error_code ec;
  const int value = get_option(level, name, ec);
  throw_if(ec, "getsockopt");
  return value;
}

void Socket::set_nodelay(bool on, error_code& ec) {
  set_option(IPPROTO_TCP, TCP_NODELAY, on, ec);
}
void Socket::set_nodelay(bool on) { set_option(IPPROTO_TCP, TCP_NODELAY, on); }
void Socket::set_reuseaddr(bool on, error_code& ec) {
  set_option(SOL_SOCKET, SO_REUSEADDR, on, ec);
}
void Socket::set_reuseaddr(bool on) {
  set_option(SOL_SOCKET, SO_REUSEADDR, on);
}
void Socket::set_reuseport(bool on, error_code& ec) {
  set_option(SOL_SOCKET, SO_REUSEPORT, on, ec);
}
void Socket::set_reuseport(bool on) {
  set_option(SOL_SOCKET, SO_REUSEPORT, on);
}
void Socket::set_keepalive(bool on, error_code& ec) {
  set_option(SOL_SOCKET, SO_KEEPALIVE, on, ec);
}
void Socket::set_keepalive(bool on) {
  set_option(SOL_SOCKET, SO_KEEPALIVE, on);
}

void Socket::bind(const Address& address, error_code& ec) {
  ec = outcome_of([&](int& err) { return net_->bind(fd_, address, err); });
}

void Socket::bind(const Address& address) {
  error_code ec;
  bind(address, ec);
  throw_if(ec, "bind");
}

void Socket::listen(int backlog, error_code& ec) {
  ec = outcome_of([&](int& err) { return net_->listen(fd_, backlog, err); });
}

void Socket::listen(int backlog) {
  error_code ec;
  listen(backlog, ec);
  throw_if(ec, "listen");
}

Socket Socket::accept(Address* peer, error_code& ec) {
  Address from;
  const long fd = retry(kRead, timeout_, ec, [&](int& err) -> long {
    return net_->accept(fd_, &from, err);
  });
  if (fd < 0) return Socket();
  if (peer != nullptr) *peer = from;
  Socket s;
  s.fd_ = static_cast<int>(fd);
  s.net_ = net_;
  return s;
}

Socket Socket::accept(Address* peer) {
  error_code ec;
  Socket s = accept(peer, ec);
  throw_if(ec, "accept");
  return s;
}

void Socket::connect(const Address& address, error_code& ec,
                     std::optional<absl::Duration> timeout) {
  check_hub();
  int err = 0;
  if (net_->connect(fd_, address, err) == 0) {
    ec.clear();
    return;
  }
  if (err != EINPROGRESS && err != EAGAIN) {
    ec = os_error(err);
    return;
  }
  const std::optional<absl::Duration> wait = timeout ? timeout : timeout_;
  if (non_blocking(wait)) {
    ec = os_error(EINPROGRESS);
    return;
  }
  switch (Hub::current().wait_for_io(fd_, kWrite, wait)) {
    case IoWaitResult::kReady:
      break;
    case IoWaitResult::kTimedOut:
      ec = make_error_code(boost::system::errc::timed_out);
      return;
    case IoWaitResult::kClosed:
      ec = os_error(ECANCELED);
      return;
  }
  const int outcome = net_->connect_error(fd_);
  ec = outcome ? os_error(outcome) : error_code();
}

void Socket::connect(const Address& address,
                     std::optional<absl::Duration> timeout) {
  error_code ec;
  connect(address, ec, timeout);
  throw_if(ec, "connect");
}

std::size_t Socket::recv(void* buffer, std::size_t size, error_code& ec) {
  iovec iov{buffer, size};
  return readv(&iov, 1, ec);
}

std::size_t Socket::recv(void* buffer, std::size_t size) {
  error_code ec;
  const std::size_t n = recv(buffer, size, ec);
  throw_if(ec, "recv");
  return n;
}

std::string Socket::recv(std::size_t max, error_code& ec) {
  std::string out(max, '\0');
  out.resize(recv(out.data(), max, ec));
  return out;
}

std::string Socket::recv(std::size_t max) {
  std::string out(max, '\0');
  out.resize(recv(out.data(), max));
  return out;
}

std::size_t Socket::send(const void* data, std::size_t size, error_code& ec) {
  iovec iov{const_cast<void*>(data), size};
  return writev(&iov, 1, ec);
}

std::size_t Socket::send(const void* data, std::size_t size) {
  error_code ec;
  const std::size_t n = send(data, size, ec);
  throw_if(ec, "send");
  return n;
}

std::size_t Socket::send(std::string_view data, error_code& ec) {
  return send(data.data(), data.size(), ec);
}

std::size_t Socket::send(std::string_view data) {
  return send(data.data(), data.size());
}

void Socket::sendall(const void* data, std::size_t size, error_code& ec,
                     std::size_t* sent) {
  const char* p = static_cast<const char*>(data);
  std::size_t done = 0;
  ec.clear();
  while (done < size) {
    const std::size_t n = send(p + done, size - done, ec);
    if (ec) break;
    done += n;
  }
  if (sent != nullptr) *sent = done;
}

void Socket::sendall(const void* data, std::size_t size) {
  error_code ec;
  sendall(data, size, ec);
  throw_if(ec, "sendall");
}

void Socket::sendall(std::string_view data, error_code& ec, std::size_t* sent) {
  sendall(data.data(), data.size(), ec, sent);
}

void Socket::sendall(std::string_view data) {
  sendall(data.data(), data.size());
}

std::size_t Socket::readv(const iovec* iov, int count, error_code& ec) {
  std::size_t total = 0;
  for (int i = 0; i < count; ++i) total += iov[i].iov_len;
  if (total == 0) {
    // readv(2) of 0 bytes returns 0 at once, which would read as end of
    // stream: wait for readability instead, by peeking at one byte.
    retry(kRead, timeout_, ec, [&](int& err) -> long {
      char byte;
      return net_->peek(fd_, &byte, 1, err);
    });
    return 0;
  }
  const long n = retry(kRead, timeout_, ec, [&](int& err) -> long {
    return net_->readv(fd_, iov, count, err);
  });
  return n < 0 ? 0 : static_cast<std::size_t>(n);
}

std::size_t Socket::readv(const iovec* iov, int count) {
  error_code ec;
  const std::size_t n = readv(iov, count, ec);
  throw_if(ec, "readv");
  return n;
}

std::size_t Socket::peek(void* buffer, std::size_t size) {
  error_code ec;
  const std::size_t n = peek(buffer, size, ec);
  throw_if(ec, "peek");
  return n;
}

std::size_t Socket::writev(const iovec* iov, int count) {
  error_code ec;
  const std::size_t n = writev(iov, count, ec);
  throw_if(ec, "writev");
  return n;
}

std::size_t Socket::peek(void* buffer, std::size_t size, error_code& ec) {
  int err = 0;
  long n;
  do {
    err = 0;
    n = net_->peek(fd_, buffer, size, err);
  } while (n < 0 && err == EINTR);
  ec = to_error(n, err);
  return n < 0 ? 0 : static_cast<std::size_t>(n);
}

std::size_t Socket::writev(const iovec* iov, int count, error_code& ec) {
  const long n = retry(kWrite, timeout_, ec, [&](int& err) -> long {
    return net_->writev(fd_, iov, count, err);
  });
  return n < 0 ? 0 : static_cast<std::size_t>(n);
}

std::size_t Socket::recvfrom(void* buffer, std::size_t size, Address* from,
                             error_code& ec) {
  Address sender;
  const long n = retry(kRead, timeout_, ec, [&](int& err) -> long {
    return net_->recvfrom(fd_, buffer, size, &sender, err);
  });
  if (n < 0) return 0;
  if (from != nullptr) *from = sender;
  return static_cast<std::size_t>(n);
}

std::size_t Socket::recvfrom(void* buffer, std::size_t size, Address* from) {
  error_code ec;
  const std::size_t n = recvfrom(buffer, size, from, ec);
  throw_if(ec, "recvfrom");
  return n;
}

std::size_t Socket::sendto(const void* data, std::size_t size,
                           const Address& to, error_code& ec) {
  const long n = retry(kWrite, timeout_, ec, [&](int& err) -> long {
    return net_->sendto(fd_, data, size, to, err);
  });
  return n < 0 ? 0 : static_cast<std::size_t>(n);
}

std::size_t Socket::sendto(const void* data, std::size_t size,
                           const Address& to) {
  error_code ec;
  const std::size_t n = sendto(data, size, to, ec);
  throw_if(ec, "sendto");
  return n;
}

std::size_t Socket::sendto(std::string_view data, const Address& to,
                           error_code& ec) {
  return sendto(data.data(), data.size(), to, ec);
}

std::size_t Socket::sendto(std::string_view data, const Address& to) {
  return sendto(data.data(), data.size(), to);
}

void Socket::shutdown(int how, error_code& ec) {
  ec = outcome_of([&](int& err) { return net_->shutdown(fd_, how, err); });
}

void Socket::shutdown(int how) {
  error_code ec;
  shutdown(how, ec);
  throw_if(ec, "shutdown");
}

namespace {

// The Network's answer, which is empty when the socket has no such address:
// a closed socket has none (EBADF), nor an unconnected one a peer (ENOTCONN).
Address socket_name(Network& net, int fd, bool peer, error_code& ec) {
  Address a = peer ? net.peer_address(fd) : net.local_address(fd);
  if (!a.empty()) {
    ec.clear();
  } else {
    ec = os_error(fd >= 0 && peer ? ENOTCONN : EBADF);
  }
  return a;
}

}  // namespace

Address Socket::local_address(error_code& ec) const {
  return socket_name(*net_, fd_, /*peer=*/false, ec);
}

Address Socket::local_address() const {
  error_code ignored;
  return local_address(ignored);
}

Address Socket::peer_address(error_code& ec) const {
  return socket_name(*net_, fd_, /*peer=*/true, ec);
}

Address Socket::peer_address() const {
  error_code ignored;
  return peer_address(ignored);
}

}  // namespace eventlet::net
