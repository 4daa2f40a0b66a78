// Copyright 2026 The eventlet-cpp Authors.
#include "green_net/resolver.h"

#include <netdb.h>

#include <string>

#include "tpool/tpool.h"

namespace eventlet::net {
namespace {

// boost::system::error_category has a protected non-virtual destructor by
// design (categories are never deleted through a base pointer).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wnon-virtual-dtor"
class ResolverCategory final : public boost::system::error_category {
 public:
  const char* name() const noexcept override { return "resolver"; }
  std::string message(int code) const override { return gai_strerror(code); }
};
#pragma GCC diagnostic pop

}  // namespace

const boost::system::error_category& resolver_category() {
  static const ResolverCategory category;
  return category;
}

std::vector<Address> resolve(std::string_view host, std::uint16_t port,
                             error_code& ec, int family) {
  ec.clear();
  std::string_view bare = host;
  if (bare.size() >= 2 && bare.front() == '[' && bare.back() == ']') {
    bare = bare.substr(1, bare.size() - 2);
  }
  if (auto numeric = Address::from_ip(bare, port)) {
    if (family == AF_UNSPEC || family == numeric->family()) return {*numeric};
    ec = error_code(EAI_ADDRFAMILY, resolver_category());
    return {};
  }
  struct Outcome {
    int status = 0;
    std::vector<Address> addresses;
  };
  Outcome outcome = tpool::execute([name = std::string(bare), port, family] {
    addrinfo hints{};
    hints.ai_family = family;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_ADDRCONFIG;
    addrinfo* list = nullptr;
    Outcome out;
    out.status =
        getaddrinfo(name.c_str(), std::to_string(port).c_str(), &hints, &list);
    for (addrinfo* ai = list; out.status == 0 && ai != nullptr;
         ai = ai->ai_next) {
      out.addresses.push_back(
          Address::from_sockaddr(ai->ai_addr, ai->ai_addrlen));
    }
    if (list != nullptr) freeaddrinfo(list);
    return out;
  });
  if (outcome.status != 0) {
    ec = error_code(outcome.status, resolver_category());
    return {};
  }
  return outcome.addresses;
}

std::vector<Address> resolve(std::string_view host, std::uint16_t port,
                             int family) {
  error_code ec;
  std::vector<Address> out = resolve(host, port, ec, family);
  if (ec) throw boost::system::system_error(ec, "resolve " + std::string(host));
  return out;
}

}  // namespace eventlet::net
