#include "parse/syslog_timestamp.hpp"

#include <array>

#include "core/civil_time.hpp"

namespace vigil::parse {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

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

bool valid_time(unsigned h, unsigned m, unsigned s) { return h < 24 && m < 60 && s < 60; }

} // namespace

std::optional<timestamp_read> read_rfc3339(std::string_view text) {
    auto year = digits(text, 0, 4);
    auto month = digits(text, 5, 2);
    auto day = digits(text, 8, 2);
    auto hour = digits(text, 11, 2);
    auto minute = digits(text, 14, 2);
    auto second = digits(text, 17, 2);
    if (!year || !month || !day || !hour || !minute || !second || text[4] != '-' ||
        text[7] != '-' || (text[10] != 'T' && text[10] != 't') || text[13] != ':' ||
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
    const std::int64_t seconds = core::days_from_civil(*year, *month, *day) * 86400 +
                                 *hour * 3600 + *minute * 60 + *second - offset;
    return timestamp_read{seconds * 1'000'000'000 + frac, at};
}

std::optional<bsd_timestamp> read_bsd_timestamp(std::string_view text) {
    static constexpr std::array<std::string_view, 12> months{
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    if (text.size() < 15) {
        return std::nullopt;
    }
    bsd_timestamp ts;
    for (unsigned m = 0; m < 12; ++m) {
        const auto name = months[m];
        if ((text[0] | 0x20) == (name[0] | 0x20) && (text[1] | 0x20) == (name[1] | 0x20) &&
            (text[2] | 0x20) == (name[2] | 0x20)) {
            ts.month = m + 1;
            break;
        }
    }
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
