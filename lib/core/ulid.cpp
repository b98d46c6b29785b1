#include "core/ulid.hpp"

#include <algorithm>

namespace vigil::core {
namespace {

__extension__ using uint128 = unsigned __int128;

constexpr char crockford[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

int crockford_value(char c) {
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'z') {
        c = static_cast<char>(c - 'a' + 'A');
    }
    switch (c) {
    case 'I':
    case 'L':
        return 1;
    case 'O':
        return 0;
    default:
        break;
    }
    for (int i = 10; i < 32; ++i) {
        if (crockford[i] == c) {
            return i;
        }
    }
    return -1;
}

} // namespace

ulid ulid::derived(std::int64_t ms, std::uint64_t hash, std::uint64_t hash2) {
    ulid id;
    auto time = static_cast<std::uint64_t>(std::max<std::int64_t>(ms, 0));
    for (int i = 5; i >= 0; --i) {
        id.bytes[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(time & 0xff);
        time >>= 8;
    }
    for (int i = 0; i < 8; ++i) {
        id.bytes[static_cast<std::size_t>(6 + i)] = static_cast<std::uint8_t>(hash >> (56 - 8 * i));
    }
    id.bytes[14] = static_cast<std::uint8_t>(hash2 >> 8);
    id.bytes[15] = static_cast<std::uint8_t>(hash2);
    return id;
}

std::uint64_t ulid::time_ms() const {
    std::uint64_t ms = 0;
    for (int i = 0; i < 6; ++i) {
        ms = (ms << 8) | bytes[static_cast<std::size_t>(i)];
    }
    return ms;
}

std::string ulid::to_string() const {
    const auto digits = text();
    return std::string(digits.data(), digits.size());
}

std::array<char, 26> ulid::text() const {
    // 128 bits as 26 base32 digits: the first digit carries the top 3 bits. In 64-bit parts
    // (every alert's id is written several times; 128-bit shifts per digit cost three times as
    // much): digits 14..25 are bits 0..59, digits 2..13 bits 60..119, digits 0..1 bits 120..127.
    std::uint64_t high = 0;
    std::uint64_t low = 0;
    for (std::size_t i = 0; i < 8; ++i) {
        high = (high << 8) | bytes[i];
        low = (low << 8) | bytes[i + 8];
    }
    std::array<char, 26> out{};
    const auto put_digits = [&](std::size_t last, std::size_t count, std::uint64_t value) {
        for (std::size_t i = 0; i < count; ++i) {
            out[last - i] = crockford[value & 31];
            value >>= 5;
        }
    };
    constexpr std::uint64_t sixty_bits = (std::uint64_t{1} << 60) - 1;
    put_digits(25, 12, low & sixty_bits);
    put_digits(13, 12, ((low >> 60) | (high << 4)) & sixty_bits);
    put_digits(1, 2, high >> 56);
    return out;
}

std::optional<ulid> ulid::parse(std::string_view text) {
    if (text.size() != 26) {
        return std::nullopt;
    }
    uint128 value = 0;
    for (std::size_t i = 0; i < 26; ++i) {
        int v = crockford_value(text[i]);
        if (v < 0 || (i == 0 && v > 7)) {
            return std::nullopt;
        }
        value = (value << 5) | static_cast<unsigned>(v);
    }
    ulid out;
    for (int i = 15; i >= 0; --i) {
        out.bytes[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(value & 0xff);
        value >>= 8;
    }
    return out;
}

ulid ulid::lower_bound(std::uint64_t ms) {
    ulid out;
    for (int i = 5; i >= 0; --i) {
        out.bytes[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(ms & 0xff);
        ms >>= 8;
    }
    return out;
}

ulid_generator::ulid_generator() : random_(std::random_device{}()) {}

ulid ulid_generator::next(std::uint64_t now_ms) {
    if (now_ms <= last_.time_ms() && last_.time_ms() != 0) {
        // Same (or an earlier, clock stepped back) millisecond: increment the random part so that
        // ids stay strictly increasing; overflow into the time part is astronomically unlikely.
        ulid next = last_;
        for (int i = 15; i >= 6; --i) {
            auto& b = next.bytes[static_cast<std::size_t>(i)];
            if (++b != 0) {
                break;
            }
        }
        last_ = next;
        return next;
    }
    ulid out = ulid::lower_bound(now_ms);
    std::uint64_t hi = random_();
    std::uint64_t lo = random_();
    for (int i = 0; i < 2; ++i) {
        out.bytes[static_cast<std::size_t>(6 + i)] = static_cast<std::uint8_t>(hi >> (8 * i));
    }
    for (int i = 0; i < 8; ++i) {
        out.bytes[static_cast<std::size_t>(8 + i)] = static_cast<std::uint8_t>(lo >> (8 * i));
    }
    // Keep the top random bit clear so that many increments within one millisecond cannot carry
    // into the timestamp.
    out.bytes[6] &= 0x7f;
    last_ = out;
    return out;
}

} // namespace vigil::core
