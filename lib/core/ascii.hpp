#pragma once

#include <cstring>
#include <string>
#include <string_view>

// ASCII character helpers. Sigma compares case-insensitively in ASCII only (as Hyperscan's
// caseless mode does), so folding never depends on the locale.
namespace vigil::core::ascii {

[[nodiscard]] constexpr char to_lower(char c) {
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

[[nodiscard]] constexpr char to_upper(char c) {
    return c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c;
}

// Letters, digits and '_' (a regex "word" byte).
[[nodiscard]] constexpr bool is_word(char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

// The value of a hexadecimal digit, or -1.
[[nodiscard]] constexpr int hex_value(char c) {
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

// `text` lower-cased into `out` (whose capacity is reused).
inline void fold_into(std::string& out, std::string_view text) {
    out.assign(text);
    for (char& c : out) {
        c = to_lower(c);
    }
}

[[nodiscard]] inline std::string folded(std::string_view text) {
    std::string out;
    fold_into(out, text);
    return out;
}

[[nodiscard]] constexpr bool equal_fold(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) {
        return false;
    }
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (to_lower(a[i]) != to_lower(b[i])) {
            return false;
        }
    }
    return true;
}

// Position of `needle` in `haystack`, or npos. glibc's memmem skips ahead on the needle's
// bytes; string_view::find stops at every byte equal to the needle's first one, which is slow
// for the common case of a needle that starts with a space.
[[nodiscard]] inline std::size_t find(std::string_view haystack, std::string_view needle) {
    if (needle.empty()) {
        return 0;
    }
    const void* at = ::memmem(haystack.data(), haystack.size(), needle.data(), needle.size());
    return at == nullptr ? std::string_view::npos
                         : static_cast<std::size_t>(static_cast<const char*>(at) - haystack.data());
}

} // namespace vigil::core::ascii
