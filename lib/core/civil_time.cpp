#include "core/civil_time.hpp"

#include <array>
#include <charconv>
#include <limits>

namespace vigil::core {

civil_date civil_from_days(std::int64_t z) {
    z += 719468;
    const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const auto doe = static_cast<unsigned>(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const std::int64_t y = static_cast<std::int64_t>(yoe) + era * 400;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    const unsigned d = doy - (153 * mp + 2) / 5 + 1;
    const unsigned m = mp < 10 ? mp + 3 : mp - 9;
    return {m <= 2 ? y + 1 : y, m, d};
}

namespace {

// Writes `value` as exactly `width` decimal digits at `at`, zero-padded (value < 10^width);
// returns the end.
char* put_digits(char* at, std::uint64_t value, std::size_t width) {
    for (std::size_t i = width; i-- > 0;) {
        at[i] = static_cast<char>('0' + value % 10);
        value /= 10;
    }
    return at + width;
}

} // namespace

std::string format_rfc3339(std::int64_t unix_ns) {
    return std::string(rfc3339(unix_ns).view());
}

rfc3339_text rfc3339(std::int64_t unix_ns) {
    std::int64_t seconds = unix_ns / 1'000'000'000;
    std::int64_t frac = unix_ns % 1'000'000'000;
    if (frac < 0) {
        frac += 1'000'000'000;
        seconds -= 1;
    }
    std::int64_t days = seconds / 86400;
    std::int64_t rem = seconds % 86400;
    if (rem < 0) {
        rem += 86400;
        days -= 1;
    }
    const civil_date date = civil_from_days(days);
    // Every alert and evidence event carries times: digits by hand into one buffer, not through
    // printf or a string grown piece by piece. Nanoseconds since 1970 in 64 bits span the years
    // 1677 to 2262: the year always has four digits.
    rfc3339_text text;
    char* at = put_digits(text.bytes, static_cast<std::uint64_t>(date.year), 4);
    *at++ = '-';
    at = put_digits(at, date.month, 2);
    *at++ = '-';
    at = put_digits(at, date.day, 2);
    *at++ = 'T';
    at = put_digits(at, static_cast<std::uint64_t>(rem / 3600), 2);
    *at++ = ':';
    at = put_digits(at, static_cast<std::uint64_t>(rem % 3600 / 60), 2);
    *at++ = ':';
    at = put_digits(at, static_cast<std::uint64_t>(rem % 60), 2);
    if (frac != 0) {
        *at++ = '.';
        if (frac % 1'000'000 == 0) {
            at = put_digits(at, static_cast<std::uint64_t>(frac / 1'000'000), 3);
        } else if (frac % 1000 == 0) {
            at = put_digits(at, static_cast<std::uint64_t>(frac / 1000), 6);
        } else {
            at = put_digits(at, static_cast<std::uint64_t>(frac), 9);
        }
    }
    *at++ = 'Z';
    text.size = static_cast<std::size_t>(at - text.bytes);
    return text;
}

std::expected<std::int64_t, std::string> parse_duration(std::string_view text) {
    if (text.empty()) {
        return std::unexpected("empty duration");
    }
    std::int64_t total = 0;
    std::string_view rest = text;
    while (!rest.empty()) {
        std::int64_t amount = 0;
        auto [end, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), amount);
        if (ec != std::errc{} || end == rest.data()) {
            return std::unexpected("invalid duration '" + std::string(text) +
                                   "': expected a number such as 15m, 2h or 7d");
        }
        rest.remove_prefix(static_cast<std::size_t>(end - rest.data()));
        std::int64_t unit = 0;
        if (rest.starts_with("ms")) {
            unit = 1'000'000;
            rest.remove_prefix(2);
        } else if (!rest.empty()) {
            switch (rest.front()) {
            case 's':
                unit = 1'000'000'000;
                break;
            case 'm':
                unit = 60'000'000'000;
                break;
            case 'h':
                unit = 3'600'000'000'000;
                break;
            case 'd':
                unit = 86'400'000'000'000;
                break;
            case 'w':
                unit = 7 * 86'400'000'000'000;
                break;
            default:
                break;
            }
            if (unit != 0) {
                rest.remove_prefix(1);
            }
        }
        if (unit == 0) {
            return std::unexpected("invalid duration '" + std::string(text) +
                                   "': each number needs a unit (ms, s, m, h, d, w)");
        }
        if (amount > std::numeric_limits<std::int64_t>::max() / unit - total / unit) {
            return std::unexpected("duration '" + std::string(text) + "' is too long");
        }
        total += amount * unit;
    }
    return total;
}

} // namespace vigil::core
