#include "parse/local_time.hpp"

#include "core/civil_time.hpp"

#include <limits>

namespace vigil::parse {
namespace {

constexpr std::int64_t ns_per_second = 1'000'000'000;
constexpr std::int64_t seconds_per_day = 86'400;
// The widest UTC offsets in use (UTC-12 to UTC+14): a local date is never further than this
// from the same date in UTC.
constexpr std::int64_t widest_offset_seconds = 14 * 3600;

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
    return a / b - ((a % b != 0) && ((a < 0) != (b < 0)) ? 1 : 0);
}

std::int64_t seconds_of_day(const local_civil_time& t) {
    return t.hour * 3600 + t.minute * 60 + t.second;
}

} // namespace

std::optional<std::int64_t> place_in_year(unsigned month, unsigned day, std::int64_t seconds_of_day,
                                          std::int64_t fraction_ns, std::int64_t received_ns,
                                          std::int64_t max_future_skew_ns,
                                          const core::time_zone* zone,
                                          std::int32_t offset_seconds) {
    if (month < 1 || month > 12 || day < 1 || day > 31) {
        return std::nullopt;
    }
    const std::int64_t limit_ns = received_ns + max_future_skew_ns;
    // The receipt's year and where the next one starts, kept per thread for the receipt day
    // (this runs per record, and records of one batch share their day).
    struct receipt_year {
        std::int64_t day = std::numeric_limits<std::int64_t>::min();
        std::int64_t year = 0;
        std::int64_t next_year_start_s = 0;
    };
    thread_local receipt_year cached;
    if (const std::int64_t receipt_day = floor_div(received_ns, seconds_per_day * ns_per_second);
        receipt_day != cached.day) {
        cached.day = receipt_day;
        cached.year = core::civil_from_days(receipt_day).year;
        cached.next_year_start_s =
            core::days_from_civil(cached.year + 1, 1, 1) * seconds_per_day - widest_offset_seconds;
    }
    const std::int64_t receipt_year = cached.year;
    // The UTC nanoseconds of the time in `year`, if the date exists in that year.
    auto in_year = [&](std::int64_t year) -> std::optional<std::int64_t> {
        if (day > core::days_in_month(year, month)) {
            return std::nullopt;
        }
        const std::int64_t local =
            core::days_from_civil(year, month, day) * seconds_per_day + seconds_of_day;
        const std::int64_t utc = zone ? zone->local_to_utc(local) : local - offset_seconds;
        return utc * ns_per_second + fraction_ns;
    };
    // Latest first. Next year's time can only qualify in the last hours of the receipt year (or
    // with a skew of days): skip its zone lookup otherwise, as this runs per record.
    const std::int64_t first =
        limit_ns >= cached.next_year_start_s * ns_per_second ? receipt_year + 1 : receipt_year;
    // Feb 29 may need to go back to the last leap year; other dates find theirs within a year.
    const std::int64_t last = month == 2 && day == 29 ? receipt_year - 8 : receipt_year - 1;
    for (std::int64_t year = first; year >= last; --year) {
        if (auto ns = in_year(year); ns && *ns <= limit_ns) {
            return ns;
        }
    }
    return std::nullopt;
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
