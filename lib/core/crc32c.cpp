#include "core/crc32c.hpp"

#include <array>
#include <cstring>

namespace vigil::core {
namespace {

constexpr std::uint32_t polynomial = 0x82f63b78; // Castagnoli, reflected

constexpr std::array<std::uint32_t, 256> table = [] {
    std::array<std::uint32_t, 256> t{};
    for (std::uint32_t i = 0; i < 256; ++i) {
        std::uint32_t c = i;
        for (int k = 0; k < 8; ++k) {
            c = (c & 1) != 0 ? (c >> 1) ^ polynomial : c >> 1;
        }
        t[i] = c;
    }
    return t;
}();

std::uint32_t crc32c_table(std::string_view bytes, std::uint32_t crc) {
    crc = ~crc;
    for (const char ch : bytes) {
        crc = table[(crc ^ static_cast<unsigned char>(ch)) & 0xff] ^ (crc >> 8);
    }
    return ~crc;
}

#if defined(__x86_64__)
__attribute__((target("sse4.2"))) std::uint32_t crc32c_sse42(std::string_view bytes,
                                                             std::uint32_t crc) {
    std::uint64_t c = ~crc;
    const char* at = bytes.data();
    std::size_t left = bytes.size();
    for (; left >= 8; at += 8, left -= 8) {
        std::uint64_t word;
        std::memcpy(&word, at, 8);
        c = __builtin_ia32_crc32di(c, word);
    }
    auto c32 = static_cast<std::uint32_t>(c);
    for (; left > 0; ++at, --left) {
        c32 = __builtin_ia32_crc32qi(c32, static_cast<unsigned char>(*at));
    }
    return ~c32;
}

using crc_function = std::uint32_t (*)(std::string_view, std::uint32_t);

crc_function choose() {
    __builtin_cpu_init();
    return __builtin_cpu_supports("sse4.2") ? crc32c_sse42 : crc32c_table;
}
#endif

} // namespace

std::uint32_t crc32c(std::string_view bytes, std::uint32_t crc) {
#if defined(__x86_64__)
    static const crc_function chosen = choose();
    return chosen(bytes, crc);
#else
    return crc32c_table(bytes, crc);
#endif
}

} // namespace vigil::core
