// Copyright 2026 The eventlet-cpp Authors.
//
// network.h: the seam under green sockets. net::Socket performs every socket
// operation through a Network: its hub's backend's (Backend::network()) when
// it has one, else HostNetwork (host_network.h: the system calls). A
// simulated backend (sim/) provides an in-memory Network with virtual
// addresses, latency, loss and partitions, so programs written against
// net::Socket — the HTTP client and server included — run under simulation
// unchanged.
//
// network_conformance.h is the typed test suite every Network passes (the
// host's on loopback, SimNetwork under sim::run); where the two legitimately
// differ, its traits say so.
//
// Contract (what net::Socket relies on), mirroring the system calls:
//  * Sockets are ints from the same space the backend watches: a Network's
//    socket ids must be accepted by its backend's watch()/wait() and must not
//    collide with real fds used in the same hub.
//  * Every operation is non-blocking and returns -1 with `err` set to an errno
//    value on failure; EAGAIN means "would block: wait for readiness through
//    the backend and retry". connect() may fail with EINPROGRESS, after which
//    writability means "done" and connect_error() tells the outcome.
//  * recv-like calls return 0 at end of stream.
//  * Called only on the hub's OS thread.
#ifndef EVENTLET_GREEN_NET_NETWORK_H_
#define EVENTLET_GREEN_NET_NETWORK_H_

#include <sys/uio.h>

#include <cerrno>
#include <cstddef>

#include "green_net/address.h"

namespace eventlet::net {

class Network {
 public:
  virtual ~Network() = default;

  virtual int socket(int family, int type, int& err) = 0;
  virtual int bind(int s, const Address& address, int& err) = 0;
  virtual int listen(int s, int backlog, int& err) = 0;
  // `peer` receives the peer's address.
  virtual int accept(int s, Address* peer, int& err) = 0;
  virtual int connect(int s, const Address& address, int& err) = 0;
  // The outcome of a connect that said EINPROGRESS (0 or an errno).
  virtual int connect_error(int s) = 0;
  // readv reads a socket, or any other readable fd (a pipe). writev writes a
  // socket only, and never raises SIGPIPE: a closed peer is -1 with EPIPE.
  virtual long readv(int s, const iovec* iov, int count, int& err) = 0;
  // As recv(MSG_PEEK | MSG_DONTWAIT): up to `size` received bytes copied
  // without consuming them; 0 at end of stream; -1 with EAGAIN when none.
  virtual long peek(int s, void* buffer, std::size_t size, int& err) = 0;
  virtual long writev(int s, const iovec* iov, int count, int& err) = 0;
  virtual long recvfrom(int s, void* buffer, std::size_t size, Address* from,
                        int& err) = 0;
  virtual long sendto(int s, const void* data, std::size_t size,
                      const Address& to, int& err) = 0;
  virtual int shutdown(int s, int how, int& err) = 0;
  virtual void close(int s) = 0;
  virtual Address local_address(int s) = 0;
  virtual Address peer_address(int s) = 0;
  // Options that matter to a simulation are its own business: set_option()
  // accepts and ignores the usual ones (nodelay, reuseaddr, keepalive...).
  virtual int set_option(int s, int level, int name, int value, int& err) = 0;
  // An int-valued option into `value`. By default a Network models none:
  // -1 with ENOPROTOOPT.
  virtual int get_option(int /*s*/, int /*level*/, int /*name*/, int& /*value*/,
                         int& err) {
    err = ENOPROTOOPT;
    return -1;
  }
};

}  // namespace eventlet::net

#endif  // EVENTLET_GREEN_NET_NETWORK_H_
