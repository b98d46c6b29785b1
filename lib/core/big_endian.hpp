#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace vigil::core {

// Unsigned 64-bit numbers as 8 big-endian bytes: their byte order is their numeric order, so
// they make RocksDB keys that sort as numbers (dead letters, the delivery outbox).
inline void append_u64_be(std::string& out, std::uint64_t n) {
    for (int shift = 56; shift >= 0; shift -= 8) {
        out += static_cast<char>((n >> shift) & 0xff);
    }
}

// The number in the first 8 bytes of `in` (fewer bytes: those, as the high ones).
[[nodiscard]] inline std::uint64_t read_u64_be(std::string_view in) {
    std::uint64_t n = 0;
    for (std::size_t i = 0; i < 8 && i < in.size(); ++i) {
        n = (n << 8) | static_cast<unsigned char>(in[i]);
    }
    return n;
}

// The same, written into and read from place (fixed-size records and keys built in a buffer).
inline void write_u32_be(char* at, std::uint32_t n) {
    for (int i = 3; i >= 0; --i) {
        at[i] = static_cast<char>(n & 0xff);
        n >>= 8;
    }
}

inline void write_u64_be(char* at, std::uint64_t n) {
    write_u32_be(at, static_cast<std::uint32_t>(n >> 32));
    write_u32_be(at + 4, static_cast<std::uint32_t>(n));
}

[[nodiscard]] inline std::uint32_t read_u32_be(const char* at) {
    std::uint32_t n = 0;
    for (int i = 0; i < 4; ++i) {
        n = (n << 8) | static_cast<unsigned char>(at[i]);
    }
    return n;
}

} // namespace vigil::core
