#include "parse/syslog_timestamp.hpp"

#include "core/civil_time.hpp"

namespace vigil::parse {
namespace {

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

// Reads exactly `n` digits at `at`.
std::optional<unsigned> digits(std::string_view text, std::size_t at, std::size_t n) {
    if (at + n > text.size()) {
        return std::nullopt;
    }
    unsigned value = 0;
    for (std::size_t i = at; i < at + n; ++i) {
        if (!is_digit(text[i])) {
            return std::nullopt;
        }
        value = value * 10 + static_cast<unsigned>(text[i] - '0');
    }
    return value;
}

// Reads ".ddd" (1 to 9 digits) at `at`; returns nanoseconds and advances `at`.
std::int64_t fraction(std::string_view text, std::size_t& at) {
    if (at >= text.size() || (text[at] != '.' && text[at] != ',')) {
        return 0;
    }
    std::size_t i = at + 1;
    std::int64_t ns = 0;
    std::size_t n = 0;
    while (i < text.size() && is_digit(text[i])) {
        if (n < 9) {
            ns = ns * 10 + (text[i] - '0');
        }
        ++n;
        ++i;
    }
    if (n == 0) {
        return 0; // a lone dot is not part of the timestamp
    }
    for (std::size_t k = n; k < 9; ++k) {
        ns *= 10;
    }
    at = i;
    return ns;
}

bool valid_time(unsigned h, unsigned m, unsigned s) {
    return h < 24 && m < 60 && s < 60;
}

// 1-12 for an English month abbreviation in any case, 0 otherwise.
unsigned month_number(char a, char b, char c) {
    const auto key = (static_cast<unsigned>(a | 0x20) << 16) |
                     (static_cast<unsigned>(b | 0x20) << 8) | static_cast<unsigned>(c | 0x20);
    switch (key) {
    case ('j' << 16) | ('a' << 8) | 'n':
        return 1;
    case ('f' << 16) | ('e' << 8) | 'b':
        return 2;
    case ('m' << 16) | ('a' << 8) | 'r':
        return 3;
    case ('a' << 16) | ('p' << 8) | 'r':
        return 4;
    case ('m' << 16) | ('a' << 8) | 'y':
        return 5;
    case ('j' << 16) | ('u' << 8) | 'n':
        return 6;
    case ('j' << 16) | ('u' << 8) | 'l':
        return 7;
    case ('a' << 16) | ('u' << 8) | 'g':
        return 8;
    case ('s' << 16) | ('e' << 8) | 'p':
        return 9;
    case ('o' << 16) | ('c' << 8) | 't':
        return 10;
    case ('n' << 16) | ('o' << 8) | 'v':
        return 11;
    case ('d' << 16) | ('e' << 8) | 'c':
        return 12;
    default:
        return 0;
    }
}

// RFC 3339 with `separators` allowed between the date and the time.
std::optional<timestamp_read> read_date_time_with_zone(std::string_view text,
                                                       std::string_view separators) {
    auto year = digits(text, 0, 4);
    auto month = digits(text, 5, 2);
    auto day = digits(text, 8, 2);
    auto hour = digits(text, 11, 2);
    auto minute = digits(text, 14, 2);
    auto second = digits(text, 17, 2);
    if (!year || !month || !day || !hour || !minute || !second || text[4] != '-' ||
        text[7] != '-' || separators.find(text[10]) == std::string_view::npos || text[13] != ':' ||
        text[16] != ':') {
        return std::nullopt;
    }
    if (*month < 1 || *month > 12 || *day < 1 || *day > core::days_in_month(*year, *month) ||
        !valid_time(*hour, *minute, *second)) {
        return std::nullopt;
    }
    std::size_t at = 19;
    const std::int64_t frac = fraction(text, at);
    if (at >= text.size()) {
        return std::nullopt;
    }
    std::int64_t offset = 0;
    if (text[at] == 'Z' || text[at] == 'z') {
        ++at;
    } else if (text[at] == '+' || text[at] == '-') {
        auto oh = digits(text, at + 1, 2);
        std::size_t minutes_at = at + 3;
        if (minutes_at < text.size() && text[minutes_at] == ':') {
            ++minutes_at;
        }
        auto om = digits(text, minutes_at, 2);
        if (!oh || !om || *oh > 23 || *om > 59) {
            return std::nullopt;
        }
        offset = (static_cast<std::int64_t>(*oh) * 3600 + *om * 60) * (text[at] == '-' ? -1 : 1);
        at = minutes_at + 2;
    } else {
        return std::nullopt;
    }
    const std::int64_t seconds = core::days_from_civil(*year, *month, *day) * 86400 + *hour * 3600 +
                                 *minute * 60 + *second - offset;
    return timestamp_read{seconds * 1'000'000'000 + frac, at};
}

} // namespace

std::optional<timestamp_read> read_rfc3339(std::string_view text) {
    return read_date_time_with_zone(text, "Tt");
}

std::optional<timestamp_read> read_iso8601(std::string_view text) {
    return read_date_time_with_zone(text, "Tt ");
}

std::optional<bsd_timestamp> read_bsd_timestamp(std::string_view text) {
    if (text.size() < 15) {
        return std::nullopt;
    }
    bsd_timestamp ts;
    ts.month = month_number(text[0], text[1], text[2]);
    if (ts.month == 0 || text[3] != ' ') {
        return std::nullopt;
    }
    // Day: "dd", " d" (RFC 3164's space padding) or "d".
    std::size_t at = 4;
    if (text[at] == ' ') {
        ++at;
    }
    unsigned day = 0;
    std::size_t day_digits = 0;
    while (at < text.size() && is_digit(text[at]) && day_digits < 2) {
        day = day * 10 + static_cast<unsigned>(text[at] - '0');
        ++at;
        ++day_digits;
    }
    if (day_digits == 0 || at >= text.size() || text[at] != ' ') {
        return std::nullopt;
    }
    ++at;
    ts.day = day;
    // An optional four-digit year before the time.
    if (auto year = digits(text, at, 4); year && at + 4 < text.size() && text[at + 4] == ' ') {
        ts.year = *year;
        at += 5;
    }
    auto hour = digits(text, at, 2);
    auto minute = digits(text, at + 3, 2);
    auto second = digits(text, at + 6, 2);
    if (!hour || !minute || !second || text[at + 2] != ':' || text[at + 5] != ':' ||
        !valid_time(*hour, *minute, *second) || day < 1 || day > 31) {
        return std::nullopt;
    }
    ts.hour = *hour;
    ts.minute = *minute;
    ts.second = *second;
    at += 8;
    ts.fraction_ns = fraction(text, at);
    ts.length = at;
    return ts;
}

} // namespace vigil::parse
