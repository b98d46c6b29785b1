#pragma once

#include <cstdint>
#include <string_view>

namespace vigil::core {

// A 64-bit hash of bytes that is the same on every run, build and machine (MurmurHash64A), for
// what vigil derives from content and must reproduce: input ids, alert ids, the order of
// matches with equal times. Not for hash tables of untrusted keys.
[[nodiscard]] std::uint64_t stable_hash(std::string_view bytes, std::uint64_t seed = 0);

// Mixes a value into a running hash (order matters).
[[nodiscard]] constexpr std::uint64_t hash_combine(std::uint64_t h, std::uint64_t value) {
    h ^= value + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    return h;
}

} // namespace vigil::core
