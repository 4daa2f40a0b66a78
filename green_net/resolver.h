// Copyright 2026 The eventlet-cpp Authors.
//
// resolver.h: host names to addresses without blocking the hub.
//
//   std::vector<net::Address> addrs = net::resolve("localhost", 8080);
//
// Numeric hosts ("127.0.0.1", "::1", "[::1]") are converted on the spot and
// never touch the resolver. Names go to getaddrinfo on a tpool worker thread,
// so only the calling greenthread waits (it honours an enclosing Timeout).
// Errors come in the "resolver" category with getaddrinfo's messages
// (e.g. "Name or service not known" for an unknown host).
#ifndef EVENTLET_GREEN_NET_RESOLVER_H_
#define EVENTLET_GREEN_NET_RESOLVER_H_

#include <sys/socket.h>

#include <cstdint>
#include <string_view>
#include <vector>

#include "green_net/address.h"
#include "green_net/socket.h"

namespace eventlet::net {

// The category of getaddrinfo's EAI_* codes.
const boost::system::error_category& resolver_category();

// Addresses for `host` and `port`, in getaddrinfo's order. `family` may be
// AF_UNSPEC (both), AF_INET or AF_INET6.
std::vector<Address> resolve(std::string_view host, std::uint16_t port,
                             error_code& ec, int family = AF_UNSPEC);
std::vector<Address> resolve(std::string_view host, std::uint16_t port,
                             int family = AF_UNSPEC);

}  // namespace eventlet::net

#endif  // EVENTLET_GREEN_NET_RESOLVER_H_
