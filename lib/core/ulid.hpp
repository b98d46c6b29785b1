#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <string_view>

namespace vigil::core {

// A ULID: 48 bits of Unix milliseconds then 80 random bits. Its 26-character Crockford base32
// text sorts like its time, which makes it the RocksDB key of alerts (DESIGN.md §6).
struct ulid {
    std::array<std::uint8_t, 16> bytes{};

    [[nodiscard]] std::uint64_t time_ms() const;
    [[nodiscard]] std::string to_string() const;
    // The same text without an allocation (keys written in bulk).
    [[nodiscard]] std::array<char, 26> text() const;
    // Parses the 26-character text form (case-insensitive, Crockford's I/L/O aliases allowed).
    [[nodiscard]] static std::optional<ulid> parse(std::string_view text);
    // The smallest ULID of a millisecond: every ULID made at or after `ms` sorts at or after it.
    [[nodiscard]] static ulid lower_bound(std::uint64_t ms);
    // A ULID derived from content instead of chance: the time `ms` (negative times count as 0),
    // then 80 bits of two hashes of what identifies the thing named. The same content always
    // gives the same id, so making it again (a replay, a record delivered twice) overwrites
    // rather than duplicates.
    [[nodiscard]] static ulid derived(std::int64_t ms, std::uint64_t hash, std::uint64_t hash2);

    friend bool operator==(const ulid&, const ulid&) = default;
    friend auto operator<=>(const ulid&, const ulid&) = default;
};

// Makes ULIDs that increase strictly even within one millisecond. One per thread.
class ulid_generator {
public:
    ulid_generator();
    [[nodiscard]] ulid next(std::uint64_t now_ms);

private:
    std::mt19937_64 random_;
    ulid last_{};
};

} // namespace vigil::core
