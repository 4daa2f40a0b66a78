// Copyright 2026 The eventlet-cpp Authors.
#include "sim/buggify.h"

namespace eventlet::sim {
namespace {

constexpr std::uint64_t kFnvOffset = 0xcbf29ce484222325ULL;
constexpr std::uint64_t kFnvPrime = 0x100000001b3ULL;

std::uint64_t fnv(std::uint64_t h, std::string_view bytes) {
  for (char c : bytes) {
    h ^= static_cast<unsigned char>(c);
    h *= kFnvPrime;
  }
  return h;
}

}  // namespace

BuggifyState::BuggifyState(
    std::uint64_t seed, double activation, double firing,
    const std::set<BuggifyFire>* scripted,
    std::function<void(const std::string&, std::uint64_t)> fired)
    : seed_(seed),
      activation_(activation),
      firing_(firing),
      scripted_(scripted),
      fired_(std::move(fired)),
      rng_(seed, Stream::kBuggify),
      hash_(kFnvOffset) {}

bool BuggifyState::evaluate(const char* file, int line) {
  auto [it, first] = sites_.try_emplace({file, line});
  Site& site = it->second;
  if (first) {
    site.name = std::string(file) + ":" + std::to_string(line);
    // From the seed and the name only: independent of evaluation order.
    Rng activation(seed_ ^ fnv(kFnvOffset, site.name), Stream::kBuggify);
    site.active = activation.chance(activation_);
  }
  ++site.calls;
  const bool fire =
      scripted_ != nullptr
          ? scripted_->count(BuggifyFire{site.name, site.calls}) != 0
          : site.active && rng_.chance(firing_);
  if (!fire) return false;
  hash_ = fnv(hash_, site.name);
  hash_ = fnv(hash_, std::to_string(site.calls));
  if (fired_) fired_(site.name, site.calls);
  return true;
}

}  // namespace eventlet::sim
