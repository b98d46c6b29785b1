#pragma once

#include <cstdint>
#include <cstring>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace vigil::core {

// A fast hash for the short names parsers look up per field (JSON paths, vendor keys): eight
// bytes at a time with a multiply-xorshift mix. Not for untrusted keys in long-lived tables
// without a size cap (no seed); every table that uses it here is capped.
[[nodiscard]] inline std::size_t fast_hash(std::string_view s) {
    constexpr std::uint64_t k = 0x9e3779b97f4a7c15ULL;
    std::uint64_t h = s.size() * k;
    std::size_t i = 0;
    for (; i + 8 <= s.size(); i += 8) {
        std::uint64_t w;
        std::memcpy(&w, s.data() + i, 8);
        h = (h ^ w) * k;
        h ^= h >> 29;
    }
    if (i < s.size()) {
        std::uint64_t w = 0;
        std::memcpy(&w, s.data() + i, s.size() - i);
        h = (h ^ w) * k;
        h ^= h >> 29;
    }
    h *= 0xbf58476d1ce4e5b9ULL;
    return static_cast<std::size_t>(h ^ (h >> 32));
}

// A hash for string-keyed maps that can be searched with a string_view without building a
// std::string (heterogeneous lookup).
struct string_hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return fast_hash(s); }
};

template <typename Value>
using string_map = std::unordered_map<std::string, Value, string_hash, std::equal_to<>>;

} // namespace vigil::core
