#pragma once

#include <cstdint>
#include <expected>
#include <string>
#include <string_view>

namespace vigil::core {

// Calendar arithmetic on the proleptic Gregorian calendar, in UTC, without the C library's
// locale- and TZ-dependent functions (they take locks and are slow on hot paths).

// Days since 1970-01-01 of a civil date (month 1-12, day 1-31).
[[nodiscard]] constexpr std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
    y -= m <= 2 ? 1 : 0;
    const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
    const auto yoe = static_cast<unsigned>(y - era * 400);
    const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

struct civil_date {
    std::int64_t year;
    unsigned month;
    unsigned day;
};

[[nodiscard]] civil_date civil_from_days(std::int64_t days);

[[nodiscard]] constexpr bool is_leap_year(std::int64_t y) {
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}
[[nodiscard]] constexpr unsigned days_in_month(std::int64_t year, unsigned month) {
    constexpr unsigned days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (month < 1 || month > 12) {
        return 0;
    }
    return month == 2 && is_leap_year(year) ? 29 : days[month - 1];
}

// "2026-11-21T11:31:20.052271Z": UTC, with 0, 3, 6 or 9 fraction digits as the value needs.
[[nodiscard]] std::string format_rfc3339(std::int64_t unix_ns);

// The same text in a buffer of its own, for writers that copy it on at once (alerts carry
// several times each: no heap string per time).
struct rfc3339_text {
    char bytes[32];
    std::size_t size = 0;
    [[nodiscard]] std::string_view view() const { return {bytes, size}; }
};
[[nodiscard]] rfc3339_text rfc3339(std::int64_t unix_ns);

// Parses a duration such as "90s", "15m", "2h", "7d", "1h30m" or "250ms" into nanoseconds.
[[nodiscard]] std::expected<std::int64_t, std::string> parse_duration(std::string_view text);

} // namespace vigil::core
