#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>

namespace vigil::core {

// LEB128 varints (7 bits a byte, low first; RocksDB's and protobuf's form), written into a
// buffer the caller sized beforehand: at most varint_max bytes each.
constexpr std::size_t varint_max = 10;

inline char* put_varint(char* at, std::uint64_t n) {
    while (n >= 0x80) {
        *at++ = static_cast<char>((n & 0x7f) | 0x80);
        n >>= 7;
    }
    *at++ = static_cast<char>(n);
    return at;
}

// The bytes after their length as a varint (RocksDB's length-prefixed slice).
inline char* put_length_prefixed(char* at, std::string_view bytes) {
    at = put_varint(at, bytes.size());
    if (!bytes.empty()) { // an empty view may have no data pointer, which memcpy must not get
        std::memcpy(at, bytes.data(), bytes.size());
    }
    return at + bytes.size();
}

} // namespace vigil::core
