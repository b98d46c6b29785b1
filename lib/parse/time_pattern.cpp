#include "parse/time_pattern.hpp"

#include "core/ascii.hpp"
#include "core/civil_time.hpp"
#include "parse/syslog_timestamp.hpp"

namespace vigil::parse {
namespace {

constexpr std::string_view month_names[] = {"jan", "feb", "mar", "apr", "may", "jun",
                                            "jul", "aug", "sep", "oct", "nov", "dec"};

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

// Reads between `min` and `max` digits at `at`.
std::optional<std::int64_t> read_number(std::string_view text, std::size_t& at, std::size_t min,
                                        std::size_t max) {
    std::int64_t value = 0;
    std::size_t n = 0;
    while (at + n < text.size() && n < max && is_digit(text[at + n])) {
        value = value * 10 + (text[at + n] - '0');
        ++n;
    }
    if (n < min) {
        return std::nullopt;
    }
    at += n;
    return value;
}

std::size_t letters_at(std::string_view text, std::size_t at) {
    std::size_t n = 0;
    while (at + n < text.size() && ((text[at + n] >= 'a' && text[at + n] <= 'z') ||
                                    (text[at + n] >= 'A' && text[at + n] <= 'Z'))) {
        ++n;
    }
    return n;
}

// A zone read from the text: "+08:00", "+0800", "-05" and the abbreviations devices write
// ("UTC", "Z", "EST", "CET", ...) give their offset in seconds; any other name of letters is
// read but gives no offset (the default zone applies).
struct zone_read {
    bool read = false;
    bool has_offset = false;
    std::int32_t offset = 0;
};

zone_read read_zone(std::string_view text, std::size_t& at) {
    if (at < text.size() && (text[at] == '+' || text[at] == '-')) {
        const int sign = text[at] == '-' ? -1 : 1;
        std::size_t i = at + 1;
        auto hours = read_number(text, i, 2, 2);
        if (!hours) {
            return {};
        }
        std::int64_t minutes = 0;
        if (i < text.size() && text[i] == ':') {
            ++i;
        }
        if (i < text.size() && is_digit(text[i])) {
            auto m = read_number(text, i, 2, 2);
            if (!m) {
                return {};
            }
            minutes = *m;
        }
        at = i;
        return {true, true, static_cast<std::int32_t>(sign * (*hours * 3600 + minutes * 60))};
    }
    const std::size_t n = letters_at(text, at);
    if (n == 0) {
        return {};
    }
    const std::string_view name = text.substr(at, n);
    at += n;
    const auto offset = core::zone_abbreviation_offset(name);
    return {true, offset.has_value(), offset.value_or(0)};
}

} // namespace

std::expected<time_pattern, std::string> time_pattern::compile(std::string_view pattern) {
    time_pattern p;
    p.pattern_ = std::string(pattern);
    if (pattern == "rfc3339") {
        p.tokens_.push_back({kind::rfc3339, {}, 0});
        return p;
    }
    for (auto [name, digits] :
         {std::pair{"epoch_s", 0}, {"epoch_ms", 3}, {"epoch_us", 6}, {"epoch_ns", 9}}) {
        if (pattern == name) {
            p.tokens_.push_back({kind::epoch, {}, digits});
            return p;
        }
    }
    bool has_hour12 = false;
    bool has_am_pm = false;
    for (std::size_t i = 0; i < pattern.size();) {
        const char c = pattern[i];
        if (c == '\'') {
            const std::size_t close = pattern.find('\'', i + 1);
            if (close == std::string_view::npos) {
                return std::unexpected("unterminated quote in time format '" + p.pattern_ + "'");
            }
            p.tokens_.push_back(
                {kind::literal, std::string(pattern.substr(i + 1, close - i - 1)), 0});
            i = close + 1;
            continue;
        }
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))) {
            p.tokens_.push_back({kind::literal, std::string(1, c), 0});
            ++i;
            continue;
        }
        std::size_t n = 1;
        while (i + n < pattern.size() && pattern[i + n] == c) {
            ++n;
        }
        token t;
        switch (c) {
        case 'y':
            t.type = n == 2 ? kind::year2 : kind::year4;
            break;
        case 'M':
            t.type = n >= 3 ? kind::month_name : kind::month_number;
            break;
        case 'd':
            t.type = kind::day;
            break;
        case 'H':
            t.type = kind::hour24;
            break;
        case 'h':
            t.type = kind::hour12;
            has_hour12 = true;
            break;
        case 'a':
            t.type = kind::am_pm;
            has_am_pm = true;
            break;
        case 'm':
            t.type = kind::minute;
            break;
        case 's':
            t.type = kind::second;
            break;
        case 'S':
            t.type = kind::fraction;
            break;
        case 'E':
            t.type = kind::day_name;
            break;
        case 'z':
        case 'Z':
        case 'X':
            t.type = kind::zone;
            break;
        default:
            return std::unexpected("unknown letter '" + std::string(1, c) + "' in time format '" +
                                   p.pattern_ + "'");
        }
        p.tokens_.push_back(std::move(t));
        i += n;
    }
    if (has_hour12 != has_am_pm) {
        return std::unexpected("time format '" + p.pattern_ + "' needs both h and a, or neither");
    }
    return p;
}

std::optional<std::int64_t> time_pattern::parse(std::string_view text) const {
    return parse(text, local_time::utc_1970());
}

std::optional<std::int64_t> time_pattern::parse(std::string_view text, const local_time& local,
                                                std::string_view host) const {
    while (!text.empty() && text.back() == ' ') {
        text.remove_suffix(1);
    }
    std::size_t at = 0;
    std::optional<std::int64_t> year;
    std::int64_t month = 1, day = 1, hour = 0, minute = 0, second = 0, fraction_ns = 0;
    bool pm = false;
    bool hour12 = false;
    std::optional<std::int32_t> offset;
    for (const token& t : tokens_) {
        std::optional<std::int64_t> v;
        switch (t.type) {
        case kind::literal:
            if (text.substr(at, t.text.size()) != t.text) {
                return std::nullopt;
            }
            at += t.text.size();
            continue;
        case kind::rfc3339: {
            auto ts = read_rfc3339(text);
            if (!ts || ts->length != text.size()) {
                return std::nullopt;
            }
            return ts->unix_ns;
        }
        case kind::epoch: {
            auto whole = read_number(text, at, 1, 19);
            if (!whole) {
                return std::nullopt;
            }
            std::int64_t ns = *whole;
            for (int k = t.epoch_digits; k < 9; ++k) {
                ns *= 10;
            }
            if (at < text.size() && text[at] == '.') {
                ++at;
                std::int64_t scale = 1;
                for (int k = t.epoch_digits; k < 9; ++k) {
                    scale *= 10;
                }
                while (at < text.size() && is_digit(text[at])) {
                    scale /= 10;
                    ns += (text[at] - '0') * scale;
                    ++at;
                }
            }
            if (at != text.size()) {
                return std::nullopt;
            }
            return ns;
        }
        case kind::year4:
            v = read_number(text, at, 4, 4);
            if (v) {
                year = *v;
            }
            break;
        case kind::year2:
            v = read_number(text, at, 2, 2);
            if (v) {
                year = 2000 + *v;
            }
            break;
        case kind::month_number:
            v = read_number(text, at, 1, 2);
            if (v) {
                month = *v;
            }
            break;
        case kind::month_name: {
            const std::size_t n = letters_at(text, at);
            if (n < 3) {
                return std::nullopt;
            }
            for (std::size_t m = 0; m < 12; ++m) {
                if (core::ascii::equal_fold(text.substr(at, 3), month_names[m])) {
                    v = static_cast<std::int64_t>(m + 1);
                }
            }
            if (v) {
                month = *v;
                at += n;
            }
            break;
        }
        case kind::day:
            if (at < text.size() && text[at] == ' ') {
                ++at; // space-padded day ("Nov  1")
            }
            v = read_number(text, at, 1, 2);
            if (v) {
                day = *v;
            }
            break;
        case kind::hour24:
            v = read_number(text, at, 1, 2);
            if (v) {
                hour = *v;
            }
            break;
        case kind::hour12:
            v = read_number(text, at, 1, 2);
            if (v) {
                hour = *v;
                hour12 = true;
            }
            break;
        case kind::am_pm: {
            const std::string_view marker = text.substr(at, 2);
            if (core::ascii::equal_fold(marker, "am") || core::ascii::equal_fold(marker, "pm")) {
                pm = core::ascii::equal_fold(marker, "pm");
                at += 2;
                v = 0;
            }
            break;
        }
        case kind::minute:
            v = read_number(text, at, 1, 2);
            if (v) {
                minute = *v;
            }
            break;
        case kind::second:
            v = read_number(text, at, 1, 2);
            if (v) {
                second = *v;
            }
            break;
        case kind::fraction: {
            std::int64_t scale = 100'000'000;
            std::size_t n = 0;
            while (at < text.size() && is_digit(text[at])) {
                if (n < 9) {
                    fraction_ns += (text[at] - '0') * scale;
                    scale /= 10;
                }
                ++n;
                ++at;
            }
            if (n > 0) {
                v = 0;
            }
            break;
        }
        case kind::day_name: {
            const std::size_t n = letters_at(text, at);
            if (n > 0) {
                at += n;
                v = 0;
            }
            break;
        }
        case kind::zone: {
            const zone_read z = read_zone(text, at);
            if (!z.read) {
                return std::nullopt;
            }
            if (z.has_offset) {
                offset = z.offset;
            }
            v = 0;
            break;
        }
        }
        if (!v) {
            return std::nullopt;
        }
    }
    if (at != text.size()) {
        return std::nullopt;
    }
    if (hour12) {
        if (hour < 1 || hour > 12) {
            return std::nullopt;
        }
        hour = hour % 12 + (pm ? 12 : 0);
    }
    if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) {
        return std::nullopt;
    }
    // The day is checked against its month once the year is known.
    const local_civil_time civil{year,
                                 static_cast<unsigned>(month),
                                 static_cast<unsigned>(day),
                                 static_cast<unsigned>(hour),
                                 static_cast<unsigned>(minute),
                                 static_cast<unsigned>(second),
                                 fraction_ns};
    return offset ? local.to_utc_ns(civil, *offset) : local.to_utc_ns(civil, host);
}

} // namespace vigil::parse
