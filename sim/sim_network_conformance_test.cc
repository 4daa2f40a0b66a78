// Copyright 2026 The eventlet-cpp Authors.
//
// SimNetwork: the Network conformance suite (green_net/network_conformance.h)
// under sim::run, on virtual hosts.
#include "absl/functional/function_ref.h"
#include "green_net/address.h"
#include "green_net/network_conformance.h"
#include "gtest/gtest.h"
#include "sim/sim.h"

namespace eventlet::net {
namespace {

struct SimTraits {
  static void run(absl::FunctionRef<void()> body) {
    const sim::Result result = sim::run(sim::Options{}, body);
    EXPECT_TRUE(result.ok()) << result.summary();
  }
  static Address address() { return *Address::parse("10.0.0.2:0"); }
  static constexpr NetworkDifferences kDifferences{
      // Options are the simulation's own business: set_option() accepts
      // and ignores them, get_option() models none.
      .models_options = false,
      // A socket has an address once bound (or bound implicitly by
      // connect, listen or sendto).
      .names_unbound_sockets = false,
      // Virtual hosts are IP addresses only.
      .unix_sockets = false,
  };
};

INSTANTIATE_TYPED_TEST_SUITE_P(Sim, NetworkConformance,
                               ::testing::Types<SimTraits>);

}  // namespace
}  // namespace eventlet::net
