// Copyright 2026 The eventlet-cpp Authors.
//
// random.h: the simulation's deterministic random numbers.
//
// One root seed (sim::Options::seed) feeds independent streams, one per
// consumer (Stream::kScheduler for the tie breaker, kNetwork for the
// simulated network, kUser for sim::random(), kFaults for host faults
// (faults.h), kBuggify for EVENTLET_BUGGIFY's sites), so that a consumer
// drawing more numbers never shifts another's sequence. The generator is
// xoshiro256** seeded through SplitMix64; both are fully specified integer
// algorithms, so a seed gives the same numbers on every machine and compiler.
#ifndef EVENTLET_SIM_RANDOM_H_
#define EVENTLET_SIM_RANDOM_H_

#include <cstdint>

namespace eventlet::sim {

enum class Stream : std::uint64_t {
  kScheduler = 1,
  kNetwork = 2,
  kUser = 3,
  kFaults = 4,  // host crashes and clocks (faults.h)
  kBuggify = 5,
};

// SplitMix64 step: advances `*state` and returns the next output.
inline std::uint64_t splitmix64(std::uint64_t* state) {
  std::uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// xoshiro256**: a small, fast, well-tested generator. Not thread-safe.
class Rng {
 public:
  // The stream `stream` of root seed `seed`.
  Rng(std::uint64_t seed, Stream stream) {
    std::uint64_t sm =
        seed ^ (static_cast<std::uint64_t>(stream) * 0xd1b54a32d192ed03ULL);
    for (std::uint64_t& word : s_) word = splitmix64(&sm);
  }

  // 64 uniformly random bits.
  std::uint64_t next() {
    const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
    const std::uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
  }
  // Uniform in [0, n); n > 0. Lemire's multiply-and-reject, exact.
  std::uint64_t uniform(std::uint64_t n) {
    unsigned __int128 m = static_cast<unsigned __int128>(next()) * n;
    std::uint64_t low = static_cast<std::uint64_t>(m);
    if (low < n) {
      const std::uint64_t threshold = (0 - n) % n;
      while (low < threshold) {
        m = static_cast<unsigned __int128>(next()) * n;
        low = static_cast<std::uint64_t>(m);
      }
    }
    return static_cast<std::uint64_t>(m >> 64);
  }
  // True with probability p (0..1), from 53 random bits.
  bool chance(double p) {
    return static_cast<double>(next() >> 11) * 0x1.0p-53 < p;
  }

 private:
  static std::uint64_t rotl(std::uint64_t x, int k) {
    return (x << k) | (x >> (64 - k));
  }
  std::uint64_t s_[4];
};

}  // namespace eventlet::sim

#endif  // EVENTLET_SIM_RANDOM_H_
