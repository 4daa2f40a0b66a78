// Copyright 2026 The eventlet-cpp Authors.
//
// address.h: a socket address — IPv4, IPv6 or a Unix-domain path — as a value.
//
//   auto a = net::Address::parse("127.0.0.1:8080");  // or "[::1]:80", "unix:/tmp/s"
//
// Parsing is numeric only and never blocks; names go through net::resolve().
#ifndef EVENTLET_GREEN_NET_ADDRESS_H_
#define EVENTLET_GREEN_NET_ADDRESS_H_

#include <sys/socket.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace eventlet::net {

class Address {
 public:
  // An empty (unspecified) address.
  Address() = default;
  // From a numeric host ("127.0.0.1", "::1", "0.0.0.0") and a port.
  // std::nullopt if `host` is not a numeric IPv4/IPv6 address.
  static std::optional<Address> from_ip(std::string_view host,
                                        std::uint16_t port);
  // "127.0.0.1:80", "[::1]:80", "unix:/path/to/socket". std::nullopt if
  // malformed or not numeric.
  static std::optional<Address> parse(std::string_view text);
  // A Unix-domain address; a path starting with '@' names Linux's abstract
  // namespace (no file). Throws std::invalid_argument if it is too long.
  static Address unix_path(std::string_view path);
  // From what the kernel filled in (accept, getsockname, recvfrom).
  static Address from_sockaddr(const sockaddr* sa, socklen_t len);

  int family() const {
    return storage_.ss_family;
  }  // AF_INET, AF_INET6, AF_UNIX, AF_UNSPEC
  bool empty() const { return len_ == 0; }
  // The port (0 for Unix addresses).
  std::uint16_t port() const;
  // The host part without port: "127.0.0.1", "::1", or the Unix path.
  std::string host() const;
  // "127.0.0.1:80", "[::1]:80", "unix:/path".
  std::string to_string() const;

  const sockaddr* data() const {
    return reinterpret_cast<const sockaddr*>(&storage_);
  }
  socklen_t size() const { return len_; }

  bool operator==(const Address& other) const;

 private:
  sockaddr_storage storage_{};
  socklen_t len_ = 0;
};

}  // namespace eventlet::net

#endif  // EVENTLET_GREEN_NET_ADDRESS_H_
