// Copyright 2026 The eventlet-cpp Authors.
#include "green_net/host_network.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

#include "hub/hub.h"

namespace eventlet::net {
namespace {

// A system call's result in the Network convention: -1 with `err` set.
template <typename Result>
Result host(Result rc, int& err) {
  if (rc < 0) err = errno;
  return rc;
}

// getsockname or getpeername into an Address (empty on failure).
template <typename Call>
Address socket_name(Call call, int s) {
  sockaddr_storage storage;
  socklen_t len = sizeof storage;
  auto* sa = reinterpret_cast<sockaddr*>(&storage);
  return call(s, sa, &len) == 0 ? Address::from_sockaddr(sa, len) : Address();
}

}  // namespace

HostNetwork& HostNetwork::instance() {
  static HostNetwork* const network = new HostNetwork();
  return *network;
}

Network& current_network() {
  Network* network = Hub::current().backend().network();
  return network != nullptr ? *network : HostNetwork::instance();
}

int HostNetwork::socket(int family, int type, int& err) {
  return host(::socket(family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0), err);
}

int HostNetwork::bind(int s, const Address& address, int& err) {
  return host(::bind(s, address.data(), address.size()), err);
}

int HostNetwork::listen(int s, int backlog, int& err) {
  return host(::listen(s, backlog), err);
}

int HostNetwork::accept(int s, Address* peer, int& err) {
  sockaddr_storage storage;
  socklen_t len = sizeof storage;
  auto* sa = reinterpret_cast<sockaddr*>(&storage);
  const int fd =
      host(::accept4(s, sa, &len, SOCK_NONBLOCK | SOCK_CLOEXEC), err);
  if (fd >= 0 && peer != nullptr) *peer = Address::from_sockaddr(sa, len);
  return fd;
}

int HostNetwork::connect(int s, const Address& address, int& err) {
  return host(::connect(s, address.data(), address.size()), err);
}

int HostNetwork::connect_error(int s) {
  int outcome = 0;
  socklen_t len = sizeof outcome;
  return ::getsockopt(s, SOL_SOCKET, SO_ERROR, &outcome, &len) == 0 ? outcome
                                                                    : errno;
}

long HostNetwork::readv(int s, const iovec* iov, int count, int& err) {
  // Socket calls, not readv(2): they skip the file layer's work (position
  // lock, iterator set-up) that readv does for any file; one buffer (the
  // common case) takes recv, whose kernel path imports no iovec array.
  long n;
  if (count == 1) {
    n = ::recv(s, iov->iov_base, iov->iov_len, 0);
  } else {
    msghdr msg{};
    msg.msg_iov = const_cast<iovec*>(iov);
    msg.msg_iovlen = static_cast<std::size_t>(count);
    n = ::recvmsg(s, &msg, 0);
  }
  // Not a socket (a pipe, say): readv(2) reads any fd.
  if (n < 0 && errno == ENOTSOCK) n = ::readv(s, iov, count);
  return host(n, err);
}

long HostNetwork::peek(int s, void* buffer, std::size_t size, int& err) {
  return host(::recv(s, buffer, size, MSG_PEEK | MSG_DONTWAIT), err);
}

long HostNetwork::writev(int s, const iovec* iov, int count, int& err) {
  // As readv: one buffer (a small response, copied whole) takes send.
  if (count == 1) {
    return host(::send(s, iov->iov_base, iov->iov_len, MSG_NOSIGNAL), err);
  }
  msghdr msg{};
  msg.msg_iov = const_cast<iovec*>(iov);
  msg.msg_iovlen = static_cast<std::size_t>(count);
  return host(::sendmsg(s, &msg, MSG_NOSIGNAL), err);
}

long HostNetwork::recvfrom(int s, void* buffer, std::size_t size, Address* from,
                           int& err) {
  sockaddr_storage storage;
  socklen_t len = sizeof storage;
  auto* sa = reinterpret_cast<sockaddr*>(&storage);
  const long n = host(::recvfrom(s, buffer, size, 0, sa, &len), err);
  if (n >= 0 && from != nullptr) *from = Address::from_sockaddr(sa, len);
  return n;
}

long HostNetwork::sendto(int s, const void* data, std::size_t size,
                         const Address& to, int& err) {
  return host(::sendto(s, data, size, MSG_NOSIGNAL, to.data(), to.size()), err);
}

int HostNetwork::shutdown(int s, int how, int& err) {
  return host(::shutdown(s, how), err);
}

void HostNetwork::close(int s) { ::close(s); }

Address HostNetwork::local_address(int s) {
  return socket_name(::getsockname, s);
}

Address HostNetwork::peer_address(int s) {
  return socket_name(::getpeername, s);
}

int HostNetwork::set_option(int s, int level, int name, int value, int& err) {
  return host(::setsockopt(s, level, name, &value, sizeof value), err);
}

int HostNetwork::get_option(int s, int level, int name, int& value, int& err) {
  socklen_t len = sizeof value;
  return host(::getsockopt(s, level, name, &value, &len), err);
}

void HostNetwork::adopt(int fd) {
  const int flags = ::fcntl(fd, F_GETFL);
  if (flags >= 0 && !(flags & O_NONBLOCK))
    ::fcntl(fd, F_SETFL, flags | O_NONBLOCK);
  ::fcntl(fd, F_SETFD, FD_CLOEXEC);
}

int HostNetwork::socket_pair(int (&fds)[2], int& err) {
  return host(
      ::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds),
      err);
}

}  // namespace eventlet::net
