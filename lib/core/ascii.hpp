#pragma once

#include <string>
#include <string_view>

// ASCII character helpers. Sigma compares case-insensitively in ASCII only (as Hyperscan's
// caseless mode does), so folding never depends on the locale.
namespace vigil::core::ascii {

[[nodiscard]] constexpr char to_lower(char c) {
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
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

} // namespace vigil::core::ascii
