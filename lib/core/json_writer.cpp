#include "core/json_writer.hpp"

#include <array>
#include <cassert>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>

namespace vigil::core {

std::size_t utf8_sequence_length(std::string_view text) {
    if (text.empty()) {
        return 0;
    }
    const auto b0 = static_cast<unsigned char>(text[0]);
    if (b0 < 0x80) {
        return 1;
    }
    std::size_t length = 0;
    std::uint32_t code = 0;
    if ((b0 & 0xe0) == 0xc0) {
        length = 2;
        code = b0 & 0x1fu;
    } else if ((b0 & 0xf0) == 0xe0) {
        length = 3;
        code = b0 & 0x0fu;
    } else if ((b0 & 0xf8) == 0xf0) {
        length = 4;
        code = b0 & 0x07u;
    } else {
        return 0;
    }
    if (text.size() < length) {
        return 0;
    }
    for (std::size_t i = 1; i < length; ++i) {
        const auto b = static_cast<unsigned char>(text[i]);
        if ((b & 0xc0) != 0x80) {
            return 0;
        }
        code = (code << 6) | (b & 0x3fu);
    }
    // Reject overlong forms, surrogates and values past U+10FFFF.
    static constexpr std::uint32_t minimum[] = {0, 0, 0x80, 0x800, 0x10000};
    if (code < minimum[length] || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) {
        return 0;
    }
    return length;
}

bool is_valid_utf8(std::string_view text) {
    while (!text.empty()) {
        const std::size_t n = utf8_sequence_length(text);
        if (n == 0) {
            return false;
        }
        text.remove_prefix(n);
    }
    return true;
}

namespace {

// Whether any of the 8 bytes in `word` needs more than copying: a control character, '"',
// '\\' or a byte of a multi-byte UTF-8 sequence (SWAR: each test sets the high bit of the
// bytes it holds for).
bool any_special(std::uint64_t word) {
    constexpr std::uint64_t ones = 0x0101010101010101ULL;
    constexpr std::uint64_t highs = 0x8080808080808080ULL;
    auto zero_byte = [](std::uint64_t x) { return (x - ones) & ~x & highs; };
    const std::uint64_t below_space = (word - ones * 0x20) & ~word & highs;
    return ((below_space | zero_byte(word ^ (ones * '"')) | zero_byte(word ^ (ones * '\\')) |
             (word & highs)) != 0);
}

// Bytes copied as they are: printable ASCII other than '"' and '\\'.
constexpr std::array<bool, 256> plain_byte = [] {
    std::array<bool, 256> plain{};
    for (unsigned c = 0x20; c < 0x80; ++c) {
        plain[c] = c != '"' && c != '\\';
    }
    return plain;
}();

// The end of the run of plain printable ASCII that starts at `i`.
std::size_t plain_run_end(std::string_view text, std::size_t i) {
    while (i + 8 <= text.size()) {
        std::uint64_t word;
        std::memcpy(&word, text.data() + i, 8);
        if (any_special(word)) {
            break;
        }
        i += 8;
    }
    return i;
}

} // namespace

void json_writer::escape(std::string& out, std::string_view text) {
    static constexpr char hex[] = "0123456789abcdef";
    std::size_t i = 0;
    while (i < text.size()) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (plain_byte[c]) {
            // Copy the longest plain ASCII run at once, eight bytes at a time while it lasts.
            std::size_t j = plain_run_end(text, i + 1);
            while (j < text.size() && plain_byte[static_cast<unsigned char>(text[j])]) {
                ++j;
            }
            out.append(text.data() + i, j - i);
            i = j;
            continue;
        }
        switch (c) {
        case '"':
            out += "\\\"";
            ++i;
            continue;
        case '\\':
            out += "\\\\";
            ++i;
            continue;
        case '\n':
            out += "\\n";
            ++i;
            continue;
        case '\r':
            out += "\\r";
            ++i;
            continue;
        case '\t':
            out += "\\t";
            ++i;
            continue;
        default:
            break;
        }
        if (c < 0x20) {
            out += "\\u00";
            out += hex[c >> 4];
            out += hex[c & 0xf];
            ++i;
            continue;
        }
        const std::size_t n = utf8_sequence_length(text.substr(i));
        if (n == 0) {
            out += "\\ufffd";
            ++i;
        } else {
            out.append(text.data() + i, n);
            i += n;
        }
    }
}

void json_writer::before_value() {
    if (after_key_) {
        after_key_ = false;
        return;
    }
    if (depth_ == 0) {
        return;
    }
    if (depth_ <= 64) {
        const std::uint64_t bit = std::uint64_t{1} << (depth_ - 1);
        if ((first_bits_ & bit) == 0) {
            out_ += ',';
        }
        first_bits_ &= ~bit;
        return;
    }
    if (!deeper_.back()) {
        out_ += ',';
    }
    deeper_.back() = false;
}

void json_writer::open() {
    if (depth_ < 64) {
        first_bits_ |= std::uint64_t{1} << depth_;
    } else {
        deeper_.push_back(true);
    }
    ++depth_;
}

void json_writer::close() {
    assert(depth_ > 0);
    --depth_;
    if (depth_ >= 64) {
        deeper_.pop_back();
    }
}

json_writer& json_writer::begin_object() {
    before_value();
    out_ += '{';
    open();
    return *this;
}

json_writer& json_writer::reopen_object() {
    assert(!out_.empty() && out_.back() == '}');
    out_.pop_back();
    const bool empty = !out_.empty() && out_.back() == '{';
    before_value();
    open();
    if (!empty) {
        // It has members: the next one needs a comma.
        if (depth_ <= 64) {
            first_bits_ &= ~(std::uint64_t{1} << (depth_ - 1));
        } else {
            deeper_.back() = false;
        }
    }
    return *this;
}

json_writer& json_writer::end_object() {
    close();
    out_ += '}';
    return *this;
}

json_writer& json_writer::begin_array() {
    before_value();
    out_ += '[';
    open();
    return *this;
}

json_writer& json_writer::end_array() {
    close();
    out_ += ']';
    return *this;
}

json_writer& json_writer::key(json_name name) {
    before_value();
    out_ += '"';
    out_.append(name.text());
    out_.append("\":", 2);
    after_key_ = true;
    return *this;
}

json_writer& json_writer::escaped_key(std::string_view name) {
    before_value();
    out_ += '"';
    escape(out_, name);
    out_.append("\":", 2);
    after_key_ = true;
    return *this;
}

json_writer& json_writer::value(std::string_view text) {
    before_value();
    out_ += '"';
    escape(out_, text);
    out_ += '"';
    return *this;
}

json_writer& json_writer::value(std::int64_t number) {
    before_value();
    char buf[24];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, number);
    out_.append(buf, end);
    return *this;
}

json_writer& json_writer::value(std::uint64_t number) {
    before_value();
    char buf[24];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, number);
    out_.append(buf, end);
    return *this;
}

json_writer& json_writer::value(double number) {
    if (!std::isfinite(number)) {
        return null();
    }
    before_value();
    char buf[32];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, number);
    out_.append(buf, end);
    return *this;
}

json_writer& json_writer::value(bool flag) {
    before_value();
    out_ += flag ? "true" : "false";
    return *this;
}

json_writer& json_writer::null() {
    before_value();
    out_ += "null";
    return *this;
}

json_writer& json_writer::raw(std::string_view json) {
    before_value();
    out_ += json;
    return *this;
}

} // namespace vigil::core
