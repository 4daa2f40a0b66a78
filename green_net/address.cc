// Copyright 2026 The eventlet-cpp Authors.
#include "green_net/address.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/un.h>

#include <charconv>
#include <cstring>
#include <stdexcept>

namespace eventlet::net {

std::optional<Address> Address::from_ip(std::string_view host,
                                        std::uint16_t port) {
  Address a;
  std::string h(host);
  auto* v4 = reinterpret_cast<sockaddr_in*>(&a.storage_);
  if (inet_pton(AF_INET, h.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(port);
    a.len_ = sizeof(sockaddr_in);
    return a;
  }
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&a.storage_);
  if (inet_pton(AF_INET6, h.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(port);
    a.len_ = sizeof(sockaddr_in6);
    return a;
  }
  return std::nullopt;
}

std::optional<Address> Address::parse(std::string_view text) {
  if (text.substr(0, 5) == "unix:") return unix_path(text.substr(5));
  std::string_view host;
  std::string_view port_text;
  if (!text.empty() && text.front() == '[') {
    const auto close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() ||
        text[close + 1] != ':') {
      return std::nullopt;
    }
    host = text.substr(1, close - 1);
    port_text = text.substr(close + 2);
  } else {
    const auto colon = text.rfind(':');
    if (colon == std::string_view::npos) return std::nullopt;
    host = text.substr(0, colon);
    port_text = text.substr(colon + 1);
    if (host.find(':') != std::string_view::npos)
      return std::nullopt;  // bare IPv6
  }
  unsigned port = 0;
  auto [end, ec] = std::from_chars(port_text.data(),
                                   port_text.data() + port_text.size(), port);
  if (ec != std::errc() || end != port_text.data() + port_text.size() ||
      port > 65535 || port_text.empty()) {
    return std::nullopt;
  }
  return from_ip(host, static_cast<std::uint16_t>(port));
}

Address Address::unix_path(std::string_view path) {
  Address a;
  auto* un = reinterpret_cast<sockaddr_un*>(&a.storage_);
  un->sun_family = AF_UNIX;
  if (path.size() >= sizeof(un->sun_path)) {
    throw std::invalid_argument("Unix socket path longer than " +
                                std::to_string(sizeof(un->sun_path) - 1) +
                                " bytes: " + std::string(path));
  }
  std::memcpy(un->sun_path, path.data(), path.size());
  const bool abstract = !path.empty() && path.front() == '@';
  if (abstract) un->sun_path[0] = '\0';  // Linux abstract namespace
  a.len_ = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) +
                                  path.size() + (abstract ? 0 : 1));
  return a;
}

Address Address::from_sockaddr(const sockaddr* sa, socklen_t len) {
  Address a;
  if (len > sizeof(a.storage_)) len = sizeof(a.storage_);
  std::memcpy(&a.storage_, sa, len);
  a.len_ = len;
  return a;
}

std::uint16_t Address::port() const {
  if (family() == AF_INET)
    return ntohs(reinterpret_cast<const sockaddr_in*>(&storage_)->sin_port);
  if (family() == AF_INET6) {
    return ntohs(reinterpret_cast<const sockaddr_in6*>(&storage_)->sin6_port);
  }
  return 0;
}

std::string Address::host() const {
  char buf[INET6_ADDRSTRLEN] = {};
  if (family() == AF_INET) {
    inet_ntop(AF_INET,
              &reinterpret_cast<const sockaddr_in*>(&storage_)->sin_addr, buf,
              sizeof buf);
    return buf;
  }
  if (family() == AF_INET6) {
    inet_ntop(AF_INET6,
              &reinterpret_cast<const sockaddr_in6*>(&storage_)->sin6_addr, buf,
              sizeof buf);
    return buf;
  }
  if (family() == AF_UNIX) {
    const auto* un = reinterpret_cast<const sockaddr_un*>(&storage_);
    const std::size_t max = len_ > offsetof(sockaddr_un, sun_path)
                                ? len_ - offsetof(sockaddr_un, sun_path)
                                : 0;
    if (max > 0 && un->sun_path[0] == '\0') {  // abstract: shown with '@'
      return "@" + std::string(un->sun_path + 1, max - 1);
    }
    return std::string(un->sun_path, strnlen(un->sun_path, max));
  }
  return "";
}

std::string Address::to_string() const {
  switch (family()) {
    case AF_INET:
      return host() + ":" + std::to_string(port());
    case AF_INET6:
      return "[" + host() + "]:" + std::to_string(port());
    case AF_UNIX:
      return "unix:" + host();
    default:
      return "<unspecified>";
  }
}

bool Address::operator==(const Address& other) const {
  return len_ == other.len_ &&
         std::memcmp(&storage_, &other.storage_, len_) == 0;
}

}  // namespace eventlet::net
