#pragma once

#include <cstring>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif
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

// `s` without the spaces and tabs around it and a CR at its end (a header value, a key, a line
// of a CRLF text).
[[nodiscard]] constexpr std::string_view trim_blanks(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
        s.remove_prefix(1);
    }
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
        s.remove_suffix(1);
    }
    return s;
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

// Position of `needle` in `haystack`, or npos. Each step tests 16 places at once for the
// needle's first and last byte (SSE2) and compares the rest only where both match: few places
// survive even for a needle that starts with a common byte such as a space, where
// string_view::find stops at every one, and it costs a fraction of glibc memmem's
// per-byte work (mapping detection runs several `contains` tests on every message).
[[nodiscard]] inline std::size_t find(std::string_view haystack, std::string_view needle) {
    const std::size_t n = needle.size();
    if (n == 0) {
        return 0;
    }
    if (n > haystack.size()) {
        return std::string_view::npos;
    }
    const char* h = haystack.data();
    if (n == 1) {
        const void* at = std::memchr(h, needle[0], haystack.size());
        return at == nullptr ? std::string_view::npos
                             : static_cast<std::size_t>(static_cast<const char*>(at) - h);
    }
    const std::size_t places = haystack.size() - n + 1; // where the needle may start
    std::size_t i = 0;
#if defined(__SSE2__)
    const __m128i first = _mm_set1_epi8(needle[0]);
    const __m128i last = _mm_set1_epi8(needle[n - 1]);
    // The loads end at h + i + 15 and h + i + n + 14, both inside the haystack.
    for (; i + 16 <= places; i += 16) {
        const __m128i starts = _mm_loadu_si128(reinterpret_cast<const __m128i*>(h + i));
        const __m128i ends = _mm_loadu_si128(reinterpret_cast<const __m128i*>(h + i + n - 1));
        auto mask = static_cast<unsigned>(_mm_movemask_epi8(
            _mm_and_si128(_mm_cmpeq_epi8(starts, first), _mm_cmpeq_epi8(ends, last))));
        while (mask != 0) {
            const auto bit = static_cast<std::size_t>(__builtin_ctz(mask));
            if (std::memcmp(h + i + bit + 1, needle.data() + 1, n - 2) == 0) {
                return i + bit;
            }
            mask &= mask - 1;
        }
    }
#endif
    for (; i < places; ++i) {
        if (h[i] == needle[0] && h[i + n - 1] == needle[n - 1] &&
            std::memcmp(h + i + 1, needle.data() + 1, n - 2) == 0) {
            return i;
        }
    }
    return std::string_view::npos;
}

} // namespace vigil::core::ascii
