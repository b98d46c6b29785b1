#include "alert/alert_query.hpp"

#include "alert/alert_terms.hpp"
#include "alert/incident_part.hpp"
#include "core/civil_time.hpp"
#include "core/ulid.hpp"

#include <algorithm>
#include <charconv>

namespace vigil::alert {
namespace {

const std::vector<std::string_view> known_grades = {"I", "II", "III", "IV"};
const std::vector<std::string_view> known_levels = {"informational", "low", "medium", "high",
                                                    "critical"};

// Reads `digits` decimal digits at `at`; advances it.
std::optional<unsigned> read_digits(std::string_view text, std::size_t& at, std::size_t digits) {
    if (at + digits > text.size()) {
        return std::nullopt;
    }
    unsigned value = 0;
    const auto [end, ec] = std::from_chars(text.data() + at, text.data() + at + digits, value);
    if (ec != std::errc() || end != text.data() + at + digits) {
        return std::nullopt;
    }
    at += digits;
    return value;
}

bool expect(std::string_view text, std::size_t& at, char c) {
    if (at < text.size() && text[at] == c) {
        ++at;
        return true;
    }
    return false;
}

} // namespace

std::optional<std::int64_t> read_timestamp_ms(std::string_view text) {
    std::size_t at = 0;
    const auto year = read_digits(text, at, 4);
    std::optional<unsigned> month, day;
    if (year && expect(text, at, '-')) {
        month = read_digits(text, at, 2);
    }
    if (month && expect(text, at, '-')) {
        day = read_digits(text, at, 2);
    }
    if (!day || *month < 1 || *month > 12 || *day < 1 ||
        *day > core::days_in_month(*year, *month)) {
        return std::nullopt;
    }
    std::int64_t ms = core::days_from_civil(*year, *month, *day) * 86'400'000;
    if (at == text.size()) {
        return ms;
    }
    if (!expect(text, at, 'T') && !expect(text, at, 't') && !expect(text, at, ' ')) {
        return std::nullopt;
    }
    const auto hour = read_digits(text, at, 2);
    const auto minute = hour && expect(text, at, ':') ? read_digits(text, at, 2) : std::nullopt;
    const auto second = minute && expect(text, at, ':') ? read_digits(text, at, 2) : std::nullopt;
    if (!second || *hour > 23 || *minute > 59 || *second > 60) {
        return std::nullopt;
    }
    ms += (*hour * 3600 + *minute * 60 + *second) * std::int64_t{1000};
    if (expect(text, at, '.')) {
        std::int64_t scale = 100;
        const std::size_t first = at;
        while (at < text.size() && text[at] >= '0' && text[at] <= '9') {
            ms += (text[at] - '0') * scale;
            scale /= 10;
            ++at;
        }
        if (at == first) {
            return std::nullopt;
        }
    }
    if (expect(text, at, 'Z') || expect(text, at, 'z')) {
        return at == text.size() ? std::optional(ms) : std::nullopt;
    }
    const bool east = at < text.size() && text[at] == '+';
    if (!expect(text, at, '+') && !expect(text, at, '-')) {
        return std::nullopt;
    }
    const auto off_hour = read_digits(text, at, 2);
    const auto off_minute =
        off_hour && expect(text, at, ':') ? read_digits(text, at, 2) : std::nullopt;
    if (!off_minute || at != text.size() || *off_hour > 23 || *off_minute > 59) {
        return std::nullopt;
    }
    const std::int64_t offset_ms = (*off_hour * 60 + *off_minute) * std::int64_t{60'000};
    return east ? ms - offset_ms : ms + offset_ms;
}

namespace {

std::vector<std::string> split_list(std::string_view text) {
    std::vector<std::string> out;
    while (!text.empty()) {
        const auto comma = text.find(',');
        const auto item = text.substr(0, comma);
        if (!item.empty()) {
            out.emplace_back(item);
        }
        text = comma == std::string_view::npos ? std::string_view() : text.substr(comma + 1);
    }
    return out;
}

std::expected<std::vector<std::string>, std::string>
read_choices(std::string_view name, std::string_view text,
             const std::vector<std::string_view>& allowed) {
    auto values = split_list(text);
    if (values.empty()) {
        return std::unexpected(std::string(name) + ": empty");
    }
    for (const auto& v : values) {
        if (std::find(allowed.begin(), allowed.end(), v) == allowed.end()) {
            std::string list;
            for (auto a : allowed) {
                list += list.empty() ? "" : ", ";
                list += a;
            }
            return std::unexpected(std::string(name) + ": '" + v + "' is none of " + list);
        }
    }
    return values;
}

} // namespace

bool alert_query::holds(const alert_terms& terms) const {
    auto contains = [](const std::vector<std::string>& values, std::string_view value) {
        return std::find(values.begin(), values.end(), value) != values.end();
    };
    return (!rule_id || terms.rule_id == *rule_id) && (!host || contains(terms.hosts, *host)) &&
           (!source || contains(terms.sources, *source)) &&
           (levels.empty() || contains(levels, terms.level)) &&
           (statuses.empty() || contains(statuses, terms.status)) &&
           (grades.empty() || contains(grades, terms.grade)) &&
           (!tenant || terms.tenant == *tenant);
}

const std::vector<std::string_view>& alert_query_parameters() {
    static const std::vector<std::string_view> names = {"since",  "until", "rule",  "level",
                                                        "status", "grade", "host",  "source",
                                                        "tenant", "limit", "cursor"};
    return names;
}

std::expected<std::int64_t, std::string> read_query_time(std::string_view text,
                                                         std::int64_t now_ms) {
    if (auto ms = read_timestamp_ms(text)) {
        return *ms;
    }
    auto back = core::parse_duration(text);
    if (!back) {
        return std::unexpected("'" + std::string(text) +
                               "' is neither a duration (15m, 7d) nor a time "
                               "(2026-12-01T08:00:00Z, 2026-12-01)");
    }
    return now_ms - *back / 1'000'000;
}

std::expected<alert_query, std::string>
read_alert_query(const std::vector<std::pair<std::string, std::string>>& parameters,
                 std::int64_t now_ms) {
    alert_query query;
    for (const auto& [name, value] : parameters) {
        auto fail = [&](const std::string& why) { return std::unexpected(name + ": " + why); };
        if (name == "since" || name == "until") {
            auto ms = read_query_time(value, now_ms);
            if (!ms) {
                return fail(ms.error());
            }
            const auto clamped = static_cast<std::uint64_t>(std::max<std::int64_t>(0, *ms));
            (name == "since" ? query.since_ms : query.until_ms) = clamped;
        } else if (name == "rule") {
            query.rule_id = value;
        } else if (name == "host") {
            query.host = value;
        } else if (name == "source") {
            query.source = value;
        } else if (name == "tenant") {
            query.tenant = value;
        } else if (name == "level" || name == "status" || name == "grade") {
            auto values = read_choices(name, value,
                                       name == "level"    ? known_levels
                                       : name == "status" ? alert_statuses()
                                                          : known_grades);
            if (!values) {
                return std::unexpected(values.error());
            }
            (name == "level"    ? query.levels
             : name == "status" ? query.statuses
                                : query.grades) = std::move(*values);
        } else if (name == "limit") {
            std::size_t limit = 0;
            const auto [end, ec] =
                std::from_chars(value.data(), value.data() + value.size(), limit);
            if (ec != std::errc() || end != value.data() + value.size() || limit == 0 ||
                limit > alert_query::max_limit) {
                return fail("'" + value + "' is not a number from 1 to " +
                            std::to_string(alert_query::max_limit));
            }
            query.limit = limit;
        } else if (name == "cursor") {
            if (!core::ulid::parse(value)) {
                return fail("'" + value + "' is not a cursor (an alert id)");
            }
            query.cursor = core::ulid::parse(value)->to_string();
        } else {
            std::string known;
            for (auto n : alert_query_parameters()) {
                known += known.empty() ? "" : ", ";
                known += n;
            }
            return std::unexpected("unknown parameter '" + name + "' (known: " + known + ")");
        }
    }
    if (query.since_ms && query.until_ms && *query.since_ms >= *query.until_ms) {
        return std::unexpected("since: it must be before until");
    }
    return query;
}

} // namespace vigil::alert
