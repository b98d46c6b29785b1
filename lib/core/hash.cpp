#include "core/hash.hpp"

#include <cstring>

namespace vigil::core {

std::uint64_t stable_hash(std::string_view bytes, std::uint64_t seed) {
    constexpr std::uint64_t m = 0xc6a4a7935bd1e995ull;
    constexpr int r = 47;
    const std::size_t n = bytes.size();
    std::uint64_t h = seed ^ (n * m);
    const char* p = bytes.data();
    const char* end = p + (n & ~std::size_t{7});
    for (; p != end; p += 8) {
        std::uint64_t k = 0;
        std::memcpy(&k, p, 8); // little-endian machines only (as the checkpoint format)
        k *= m;
        k ^= k >> r;
        k *= m;
        h ^= k;
        h *= m;
    }
    const std::size_t rest = n & 7;
    if (rest != 0) {
        std::uint64_t k = 0;
        for (std::size_t i = rest; i-- > 0;) {
            k = (k << 8) | static_cast<unsigned char>(p[i]);
        }
        h ^= k;
        h *= m;
    }
    h ^= h >> r;
    h *= m;
    h ^= h >> r;
    return h;
}

} // namespace vigil::core
