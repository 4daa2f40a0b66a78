// Copyright 2026 The eventlet-cpp Authors.
//
// host_network.h: the host's sockets behind the Network seam (network.h).
// Each call is the system call it names, made non-blocking: socket() and
// accept() open with SOCK_NONBLOCK | SOCK_CLOEXEC, peek() is recv(MSG_PEEK |
// MSG_DONTWAIT), writes use MSG_NOSIGNAL (EPIPE, never SIGPIPE); errors come
// back as the call's errno. It keeps no state: socket ids are the kernel's
// fds, which the hub's EpollBackend watches.
//
// net::Socket uses HostNetwork::instance() whenever its hub's backend has no
// network of its own (Backend::network() is null), so production sockets and
// simulated ones take the same code path. To inject faults into real sockets
// (a test), derive from HostNetwork, override the calls that should fail and
// hand the object to the hub's backend:
//
//   struct NoReuseport : net::HostNetwork {
//     int set_option(int s, int level, int name, int value,
//                    int& err) override {
//       if (name != SO_REUSEPORT)
//         return HostNetwork::set_option(s, level, name, value, err);
//       err = EINVAL;
//       return -1;
//     }
//   } network;
//   Hub::install(std::make_unique<EpollBackend>(&network));
//
// Thread-safety: stateless; any thread may use instance(). The derived
// objects' own rules are theirs.
#ifndef EVENTLET_GREEN_NET_HOST_NETWORK_H_
#define EVENTLET_GREEN_NET_HOST_NETWORK_H_

#include <sys/uio.h>

#include <cstddef>

#include "green_net/address.h"
#include "green_net/network.h"

namespace eventlet::net {

class HostNetwork : public Network {
 public:
  // The process's one instance (never destroyed, so sockets closed during
  // static destruction still reach it).
  static HostNetwork& instance();

  int socket(int family, int type, int& err) override;
  int bind(int s, const Address& address, int& err) override;
  int listen(int s, int backlog, int& err) override;
  int accept(int s, Address* peer, int& err) override;
  int connect(int s, const Address& address, int& err) override;
  // getsockopt(SO_ERROR); its own errno if that fails.
  int connect_error(int s) override;
  long readv(int s, const iovec* iov, int count, int& err) override;
  long peek(int s, void* buffer, std::size_t size, int& err) override;
  long writev(int s, const iovec* iov, int count, int& err) override;
  long recvfrom(int s, void* buffer, std::size_t size, Address* from,
                int& err) override;
  long sendto(int s, const void* data, std::size_t size, const Address& to,
              int& err) override;
  int shutdown(int s, int how, int& err) override;
  void close(int s) override;
  // getsockname/getpeername; an empty Address if they fail.
  Address local_address(int s) override;
  Address peer_address(int s) override;
  int set_option(int s, int level, int name, int value, int& err) override;
  int get_option(int s, int level, int name, int& value, int& err) override;

  // ---- Host only (no simulated counterpart) --------------------------------
  // Makes an OS fd opened elsewhere non-blocking and close-on-exec.
  static void adopt(int fd);
  // A connected pair of Unix stream sockets, non-blocking and close-on-exec,
  // into fds[0] and fds[1]. 0, or -1 with `err`.
  static int socket_pair(int (&fds)[2], int& err);
};

// The network green sockets opened now on the calling thread live in: its
// hub's backend's network, else the host's. Creates the thread's hub if it
// has none (Hub::current()).
Network& current_network();

}  // namespace eventlet::net

#endif  // EVENTLET_GREEN_NET_HOST_NETWORK_H_
