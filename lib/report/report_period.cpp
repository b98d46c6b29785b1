#include "report/report_period.hpp"

#include "core/civil_time.hpp"

#include <algorithm>
#include <charconv>
#include <cstdio>

namespace vigil::report {
namespace {

std::int64_t floor_day(std::int64_t ms) {
    const std::int64_t day = report_period::day_ms;
    return (ms >= 0 ? ms / day : (ms - day + 1) / day) * day;
}

// The start of the day one calendar month before the day starting at `ms` (the day clamped
// to the end of a shorter month).
std::int64_t month_before(std::int64_t ms) {
    const core::civil_date d = core::civil_from_days(ms / report_period::day_ms);
    std::int64_t year = d.year;
    unsigned month = d.month;
    if (month == 1) {
        month = 12;
        --year;
    } else {
        --month;
    }
    const unsigned day = std::min(d.day, core::days_in_month(year, month));
    return core::days_from_civil(year, month, day) * report_period::day_ms;
}

std::optional<std::int64_t> parse_day(std::string_view text) {
    // YYYY-MM-DD
    if (text.size() != 10 || text[4] != '-' || text[7] != '-') {
        return std::nullopt;
    }
    auto number = [&](std::size_t at, std::size_t n, unsigned& out) {
        const auto* first = text.data() + at;
        auto [end, error] = std::from_chars(first, first + n, out);
        return error == std::errc() && end == first + n;
    };
    unsigned y = 0, m = 0, d = 0;
    if (!number(0, 4, y) || !number(5, 2, m) || !number(8, 2, d) || m < 1 || m > 12 || d < 1 ||
        d > core::days_in_month(y, m)) {
        return std::nullopt;
    }
    return core::days_from_civil(y, m, d) * report_period::day_ms;
}

} // namespace

std::string_view to_string(report_period::kind k) {
    switch (k) {
    case report_period::kind::week:
        return "week";
    case report_period::kind::month:
        return "month";
    case report_period::kind::day:
        break;
    }
    return "day";
}

std::optional<report_period::kind> parse_period_kind(std::string_view text) {
    for (auto k :
         {report_period::kind::day, report_period::kind::week, report_period::kind::month}) {
        if (text == to_string(k)) {
            return k;
        }
    }
    return std::nullopt;
}

std::string format_day(std::int64_t ms) {
    const core::civil_date d = core::civil_from_days(floor_day(ms) / report_period::day_ms);
    char text[16];
    std::snprintf(text, sizeof(text), "%04lld-%02u-%02u", static_cast<long long>(d.year), d.month,
                  d.day);
    return text;
}

report_period report_period::previous() const {
    report_period p{length, 0, since_ms};
    switch (length) {
    case kind::day:
        p.since_ms = since_ms - day_ms;
        break;
    case kind::week:
        p.since_ms = since_ms - 7 * day_ms;
        break;
    case kind::month:
        p.since_ms = month_before(since_ms);
        break;
    }
    return p;
}

std::string report_period::label() const {
    const std::string first = format_day(since_ms);
    const std::string last = format_day(until_ms - 1);
    return first == last ? first : first + " to " + last;
}

std::expected<report_period, std::string> make_period(report_period::kind length,
                                                      const std::optional<std::string>& until,
                                                      std::int64_t now_ms) {
    std::int64_t last_day = floor_day(now_ms) - report_period::day_ms;
    if (until) {
        const auto day = parse_day(*until);
        if (!day) {
            return std::unexpected("until '" + *until + "' is not a date (YYYY-MM-DD)");
        }
        last_day = *day;
    }
    report_period p{length, 0, last_day + report_period::day_ms};
    p.since_ms = length == report_period::kind::day    ? last_day
                 : length == report_period::kind::week ? p.until_ms - 7 * report_period::day_ms
                                                       : month_before(p.until_ms);
    return p;
}

} // namespace vigil::report
