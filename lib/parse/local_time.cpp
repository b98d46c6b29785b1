#include "parse/local_time.hpp"

#include "core/civil_time.hpp"

#include <algorithm>
#include <cstdlib>

namespace vigil::parse {
namespace {

constexpr std::int64_t ns_per_second = 1'000'000'000;
constexpr std::int64_t seconds_per_day = 86'400;
// The widest UTC offset in use (UTC-12 to UTC+14): a local time is never further than this
// from its UTC instant.
constexpr std::int64_t widest_offset_seconds = 14 * 3600;

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
    return a / b - ((a % b != 0) && ((a < 0) != (b < 0)) ? 1 : 0);
}

std::int64_t seconds_of_day(const local_civil_time& t) {
    return t.hour * 3600 + t.minute * 60 + t.second;
}

constexpr std::int64_t ns_per_day = seconds_per_day * ns_per_second;

// The receipt day of the records a thread places, with its year and where the next one starts
// (this runs per record, and records of one batch share their day).
struct receipt_day {
    std::int64_t start_ns = 0;
    std::int64_t end_ns = 0; // empty: the first call fills it
    std::int64_t year = 0;
    std::int64_t next_year_start_ns = 0;

    void move_to(std::int64_t received_ns) {
        if (received_ns >= start_ns && received_ns < end_ns) {
            return;
        }
        const std::int64_t days = floor_div(received_ns, ns_per_day);
        start_ns = days * ns_per_day;
        end_ns = start_ns + ns_per_day;
        year = core::civil_from_days(days).year;
        next_year_start_ns = core::days_from_civil(year + 1, 1, 1) * ns_per_day;
    }
};

// The date a thread placed last, kept while that placement holds for any time of the date in
// any zone (offset up to `ahead`) received at any time of the receipt day: the records of a
// stream share their date, and placing it is most of the cost of a BSD timestamp.
struct placed_date {
    std::int64_t receipt_start_ns = 0;
    std::int64_t max_future_skew_ns = 0;
    std::int64_t ahead_ns = 0;
    unsigned month = 0; // 0: nothing placed
    unsigned day = 0;
    std::int64_t days = 0; // the placed date's day number

    [[nodiscard]] bool holds(const receipt_day& receipt, unsigned m, unsigned d,
                             std::int64_t skew_ns, std::int64_t ahead) const {
        return month == m && day == d && receipt_start_ns == receipt.start_ns &&
               max_future_skew_ns == skew_ns && ahead_ns == ahead;
    }
};

// The day number of month/day placed as place_in_year says, by trying the years from the
// latest that can qualify down. `ahead_ns`: how far a local time may lie from its UTC instant.
std::optional<std::int64_t> place_date(const receipt_day& receipt, unsigned month, unsigned day,
                                       std::int64_t seconds_of_day, std::int64_t fraction_ns,
                                       std::int64_t limit_ns, std::int64_t ahead_ns,
                                       const core::time_zone* zone, std::int32_t offset_seconds) {
    // Next year's time can only qualify in the last hours of the receipt year (or with a skew
    // of days). Feb 29 may need to go back to the last leap year; other dates find theirs
    // within a year of the receipt's local date, which may still be in the UTC year before.
    std::int64_t year =
        limit_ns + ahead_ns >= receipt.next_year_start_ns ? receipt.year + 1 : receipt.year;
    const std::int64_t last = month == 2 && day == 29 ? receipt.year - 8 : receipt.year - 2;
    // The date's day number, computed once and stepped back a year at a time (366 days when
    // the step crosses a Feb 29).
    std::int64_t days = core::days_from_civil(year, month, day);
    for (; year >= last; --year) {
        const std::int64_t local = days * seconds_per_day + seconds_of_day;
        // A local time more than `ahead` after the limit is after it in every zone: no lookup.
        if (day <= core::days_in_month(year, month) &&
            local * ns_per_second + fraction_ns - ahead_ns <= limit_ns) {
            const std::int64_t utc = zone ? zone->local_to_utc(local) : local - offset_seconds;
            if (utc * ns_per_second + fraction_ns <= limit_ns) {
                return days;
            }
        }
        days -= core::is_leap_year(month > 2 ? year : year - 1) ? 366 : 365;
    }
    return std::nullopt;
}

} // namespace

std::optional<std::int64_t> place_in_year(unsigned month, unsigned day, std::int64_t seconds_of_day,
                                          std::int64_t fraction_ns, std::int64_t received_ns,
                                          std::int64_t max_future_skew_ns,
                                          const core::time_zone* zone,
                                          std::int32_t offset_seconds) {
    thread_local receipt_day receipt;
    thread_local placed_date last;
    receipt.move_to(received_ns);
    const auto to_utc_ns = [&](std::int64_t days) {
        const std::int64_t local = days * seconds_per_day + seconds_of_day;
        const std::int64_t utc = zone ? zone->local_to_utc(local) : local - offset_seconds;
        return utc * ns_per_second + fraction_ns;
    };
    const std::int64_t ahead_ns =
        (zone ? widest_offset_seconds
              : std::max<std::int64_t>(widest_offset_seconds, std::abs(offset_seconds))) *
        ns_per_second;
    if (last.holds(receipt, month, day, max_future_skew_ns, ahead_ns)) {
        return to_utc_ns(last.days);
    }
    if (day < 1 || day > core::days_in_month(2000, month)) { // 2000: a leap year
        return std::nullopt;
    }
    const std::int64_t limit_ns = received_ns + max_future_skew_ns;
    const std::optional<std::int64_t> days = place_date(
        receipt, month, day, seconds_of_day, fraction_ns, limit_ns, ahead_ns, zone, offset_seconds);
    if (!days) {
        return std::nullopt;
    }
    // Remember the placement when it holds for the whole date and receipt day: all of the date
    // is before the receipt day's earliest limit, and the same date a year later (365 days or
    // more) after its latest limit, in any zone. Feb 29 is placed each time.
    const std::int64_t earliest_limit_ns = receipt.start_ns + max_future_skew_ns;
    const std::int64_t latest_limit_ns = receipt.end_ns + max_future_skew_ns;
    if (!(month == 2 && day == 29) && (*days + 1) * ns_per_day + ahead_ns <= earliest_limit_ns &&
        (*days + 365) * ns_per_day - ahead_ns > latest_limit_ns) {
        last = placed_date{receipt.start_ns, max_future_skew_ns, ahead_ns, month, day, *days};
    }
    return to_utc_ns(*days);
}

const local_time& local_time::utc_1970() {
    static const local_time_config config{1970,
                                          std::make_shared<core::time_zone>(core::time_zone::utc()),
                                          nullptr, default_max_future_skew_ns};
    static const core::peer_address nowhere;
    static const local_time utc(config, 0, nowhere);
    return utc;
}

const core::time_zone& local_time::zone(std::string_view host) const {
    if (config_->source_zones) {
        if (const core::time_zone* z = config_->source_zones->find(*peer_, host)) {
            return *z;
        }
    }
    return *config_->zone;
}

std::optional<std::int64_t> local_time::to_utc_ns(const local_civil_time& t,
                                                  std::string_view host) const {
    return convert(t, &zone(host), 0);
}

std::optional<std::int64_t> local_time::to_utc_ns(const local_civil_time& t,
                                                  std::int32_t offset_seconds) const {
    return convert(t, nullptr, offset_seconds);
}

std::optional<std::int64_t> local_time::convert(const local_civil_time& t,
                                                const core::time_zone* zone,
                                                std::int32_t offset_seconds) const {
    const std::optional<std::int64_t> year = t.year ? t.year : config_->year;
    if (!year) {
        return place_in_year(t.month, t.day, seconds_of_day(t), t.fraction_ns, received_ns_,
                             config_->max_future_skew_ns, zone, offset_seconds);
    }
    if (t.month < 1 || t.month > 12 || t.day < 1 || t.day > core::days_in_month(*year, t.month)) {
        return std::nullopt;
    }
    const std::int64_t local =
        core::days_from_civil(*year, t.month, t.day) * seconds_per_day + seconds_of_day(t);
    const std::int64_t utc = zone ? zone->local_to_utc(local) : local - offset_seconds;
    return utc * ns_per_second + t.fraction_ns;
}

} // namespace vigil::parse
