#include "rules/sigma_value.hpp"

#include "core/ascii.hpp"
#include "core/json_writer.hpp"

#include <charconv>
#include <cstdlib>

namespace vigil::rules {
namespace {

using piece = value_pattern::piece;

value_pattern literal_pattern(std::string_view bytes) {
    value_pattern p;
    for (char c : bytes) {
        p.pieces.push_back({piece::kind::literal, c});
    }
    return p;
}

// The UTF-8 dashes windash treats like '-': en dash, em dash, horizontal bar.
bool is_unicode_dash(const std::vector<piece>& pieces, std::size_t i) {
    if (i + 2 >= pieces.size()) {
        return false;
    }
    for (std::size_t k = 0; k < 3; ++k) {
        if (pieces[i + k].type != piece::kind::literal) {
            return false;
        }
    }
    return static_cast<unsigned char>(pieces[i].byte) == 0xe2 &&
           static_cast<unsigned char>(pieces[i + 1].byte) == 0x80 &&
           (static_cast<unsigned char>(pieces[i + 2].byte) == 0x93 ||
            static_cast<unsigned char>(pieces[i + 2].byte) == 0x94 ||
            static_cast<unsigned char>(pieces[i + 2].byte) == 0x95);
}

// pySigma's windash: a '-' or '/' that starts a word ("\B[-/]\b": not after a word character,
// before one) may be written with any of the five dash characters.
value_pattern apply_windash(const value_pattern& in) {
    value_pattern out;
    const auto& p = in.pieces;
    for (std::size_t i = 0; i < p.size(); ++i) {
        const bool literal = p[i].type == piece::kind::literal;
        const bool prev_word =
            i > 0 && p[i - 1].type == piece::kind::literal && core::ascii::is_word(p[i - 1].byte);
        std::size_t width = 0;
        if (literal && (p[i].byte == '-' || p[i].byte == '/')) {
            width = 1;
        } else if (is_unicode_dash(p, i)) {
            width = 3;
        }
        const bool next_word = i + width < p.size() && p[i + width].type == piece::kind::literal &&
                               core::ascii::is_word(p[i + width].byte);
        if (width > 0 && !prev_word && next_word) {
            out.pieces.push_back({piece::kind::any_dash, 0});
            i += width - 1;
            continue;
        }
        out.pieces.push_back(p[i]);
    }
    return out;
}

} // namespace

bool value_pattern::is_literal() const {
    for (const auto& p : pieces) {
        if (p.type != piece::kind::literal) {
            return false;
        }
    }
    return true;
}

std::string value_pattern::literal() const {
    std::string out;
    out.reserve(pieces.size());
    for (const auto& p : pieces) {
        out += p.byte;
    }
    return out;
}

value_pattern parse_wildcards(std::string_view value) {
    value_pattern out;
    for (std::size_t i = 0; i < value.size(); ++i) {
        const char c = value[i];
        if (c == '\\' && i + 1 < value.size() &&
            (value[i + 1] == '*' || value[i + 1] == '?' || value[i + 1] == '\\')) {
            out.pieces.push_back({piece::kind::literal, value[++i]});
        } else if (c == '*') {
            out.pieces.push_back({piece::kind::any_run, 0});
        } else if (c == '?') {
            out.pieces.push_back({piece::kind::any_one, 0});
        } else {
            out.pieces.push_back({piece::kind::literal, c});
        }
    }
    return out;
}

std::string base64_encode(std::string_view bytes) {
    static constexpr char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    out.reserve((bytes.size() + 2) / 3 * 4);
    std::size_t i = 0;
    for (; i + 2 < bytes.size(); i += 3) {
        const auto n = (static_cast<unsigned>(static_cast<unsigned char>(bytes[i])) << 16) |
                       (static_cast<unsigned>(static_cast<unsigned char>(bytes[i + 1])) << 8) |
                       static_cast<unsigned char>(bytes[i + 2]);
        out += alphabet[(n >> 18) & 63];
        out += alphabet[(n >> 12) & 63];
        out += alphabet[(n >> 6) & 63];
        out += alphabet[n & 63];
    }
    if (i < bytes.size()) {
        unsigned n = static_cast<unsigned>(static_cast<unsigned char>(bytes[i])) << 16;
        if (i + 1 < bytes.size()) {
            n |= static_cast<unsigned>(static_cast<unsigned char>(bytes[i + 1])) << 8;
        }
        out += alphabet[(n >> 18) & 63];
        out += alphabet[(n >> 12) & 63];
        out += i + 1 < bytes.size() ? alphabet[(n >> 6) & 63] : '=';
        out += '=';
    }
    return out;
}

std::vector<std::string> base64_offsets(std::string_view bytes) {
    // For a shift of i bytes the first start[i] characters depend on what precedes the value
    // and the last end[(n + i) % 3] on what follows; the middle is fixed.
    static constexpr std::size_t start[] = {0, 2, 3};
    static constexpr std::size_t end[] = {0, 3, 2};
    std::vector<std::string> out;
    for (std::size_t i = 0; i < 3; ++i) {
        std::string shifted(i, ' ');
        shifted.append(bytes);
        const std::string encoded = base64_encode(shifted);
        const std::size_t cut = end[(bytes.size() + i) % 3];
        if (encoded.size() < start[i] + cut) {
            continue;
        }
        out.push_back(encoded.substr(start[i], encoded.size() - cut - start[i]));
    }
    return out;
}

std::optional<std::string> to_utf16(std::string_view utf8, bool big_endian) {
    std::string out;
    auto put = [&](std::uint32_t unit) {
        const auto hi = static_cast<char>((unit >> 8) & 0xff);
        const auto lo = static_cast<char>(unit & 0xff);
        out += big_endian ? hi : lo;
        out += big_endian ? lo : hi;
    };
    while (!utf8.empty()) {
        const std::size_t n = core::utf8_sequence_length(utf8);
        if (n == 0) {
            return std::nullopt;
        }
        std::uint32_t code = 0;
        const auto b0 = static_cast<unsigned char>(utf8[0]);
        code = n == 1 ? b0 : n == 2 ? (b0 & 0x1fu) : n == 3 ? (b0 & 0x0fu) : (b0 & 0x07u);
        for (std::size_t k = 1; k < n; ++k) {
            code = (code << 6) | (static_cast<unsigned char>(utf8[k]) & 0x3fu);
        }
        if (code >= 0x10000) {
            code -= 0x10000;
            put(0xd800 + (code >> 10));
            put(0xdc00 + (code & 0x3ff));
        } else {
            put(code);
        }
        utf8.remove_prefix(n);
    }
    return out;
}

std::vector<value_pattern> prepare_value(std::string_view value,
                                         const std::vector<value_encoding>& encodings) {
    std::vector<value_pattern> variants{parse_wildcards(value)};
    for (const auto encoding : encodings) {
        std::vector<value_pattern> next;
        for (const auto& v : variants) {
            switch (encoding) {
            case value_encoding::windash:
                next.push_back(apply_windash(v));
                break;
            case value_encoding::base64:
                next.push_back(literal_pattern(base64_encode(v.literal())));
                break;
            case value_encoding::base64offset:
                for (const auto& b : base64_offsets(v.literal())) {
                    next.push_back(literal_pattern(b));
                }
                break;
            case value_encoding::utf16le:
            case value_encoding::utf16be:
            case value_encoding::utf16: {
                auto wide = to_utf16(v.literal(), encoding == value_encoding::utf16be);
                if (!wide) {
                    break; // invalid UTF-8 cannot be re-encoded: no variant matches
                }
                if (encoding == value_encoding::utf16) {
                    wide->insert(0, "\xff\xfe");
                }
                next.push_back(literal_pattern(*wide));
                break;
            }
            }
        }
        variants = std::move(next);
    }
    return variants;
}

std::optional<double> parse_number(std::string_view text) {
    while (!text.empty() && text.front() == ' ') {
        text.remove_prefix(1);
    }
    while (!text.empty() && text.back() == ' ') {
        text.remove_suffix(1);
    }
    if (text.empty()) {
        return std::nullopt;
    }
    if (text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
        unsigned long long v = 0;
        auto [end, ec] = std::from_chars(text.data() + 2, text.data() + text.size(), v, 16);
        if (ec != std::errc{} || end != text.data() + text.size()) {
            return std::nullopt;
        }
        return static_cast<double>(v);
    }
    double v = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc{} || end != text.data() + text.size()) {
        return std::nullopt;
    }
    return v;
}

std::vector<std::string> placeholders(std::string_view value) {
    std::vector<std::string> out;
    std::size_t i = 0;
    while (i < value.size()) {
        if (value[i] == '\\' && i + 1 < value.size() && value[i + 1] == '%') {
            i += 2;
            continue;
        }
        if (value[i] == '%') {
            const std::size_t close = value.find('%', i + 1);
            if (close == std::string_view::npos) {
                break;
            }
            out.emplace_back(value.substr(i + 1, close - i - 1));
            i = close + 1;
            continue;
        }
        ++i;
    }
    return out;
}

std::string substitute(std::string_view value, const std::string& name, std::string_view entry) {
    const std::string token = "%" + name + "%";
    std::string out;
    std::size_t i = 0;
    while (i < value.size()) {
        if (value[i] == '\\' && i + 1 < value.size() && value[i + 1] == '%') {
            out += '%';
            i += 2;
            continue;
        }
        if (value.substr(i).starts_with(token)) {
            out += entry;
            i += token.size();
            continue;
        }
        out += value[i++];
    }
    return out;
}

} // namespace vigil::rules
