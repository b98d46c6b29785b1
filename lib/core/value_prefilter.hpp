#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string_view>

namespace vigil::core {

// What a fixed set of strings looks like from outside: the lengths and first bytes of its
// members and the shortest one. Most strings that equal no member (may_equal) or start with
// none (may_start) are told apart with a few bit tests instead of a comparison per member.
// No false negatives.
class value_prefilter {
public:
    void add(std::string_view member) {
        lengths_ |= std::uint64_t{1} << std::min<std::size_t>(member.size(), 63);
        shortest_ = std::min(shortest_, member.size());
        if (!member.empty()) {
            const auto first = static_cast<unsigned char>(member[0]);
            first_bytes_[first >> 6] |= std::uint64_t{1} << (first & 63);
        }
    }
    [[nodiscard]] bool may_equal(std::string_view value) const {
        if ((lengths_ >> std::min<std::size_t>(value.size(), 63) & 1) == 0) {
            return false;
        }
        return value.empty() || has_first(value[0]);
    }
    [[nodiscard]] bool may_start(std::string_view value) const {
        if (shortest_ == 0) {
            return true; // the empty member starts every value
        }
        return value.size() >= shortest_ && has_first(value[0]);
    }

private:
    [[nodiscard]] bool has_first(char c) const {
        const auto first = static_cast<unsigned char>(c);
        return (first_bytes_[first >> 6] >> (first & 63) & 1) != 0;
    }

    std::uint64_t lengths_ = 0; // bit n: a member of n bytes (63: of 63 or more)
    std::array<std::uint64_t, 4> first_bytes_{};
    std::size_t shortest_ = std::numeric_limits<std::size_t>::max();
};

} // namespace vigil::core
