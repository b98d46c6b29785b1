#pragma once

#include <cstdint>
#include <expected>
#include <optional>
#include <string>
#include <string_view>

namespace vigil::report {

// The span a report covers, in UTC: whole days ending with the day `--until` names (the last
// complete day, yesterday, by default). A day is that day; a week the seven days ending with
// it; a month one calendar month back from the day after it (until 2026-11-30: November;
// until 2026-12-06: 2026-11-07 to 2026-12-06), clamped to the shorter month's end.
struct report_period {
    enum class kind { day, week, month };
    kind length = kind::day;
    std::int64_t since_ms = 0; // first millisecond of the first day
    std::int64_t until_ms = 0; // first millisecond after the last day

    // The period of the same length just before this one.
    [[nodiscard]] report_period previous() const;
    // "2026-11-30" or "2026-11-24 to 2026-11-30" (its first and last day).
    [[nodiscard]] std::string label() const;
    [[nodiscard]] std::int64_t days() const { return (until_ms - since_ms) / day_ms; }

    static constexpr std::int64_t day_ms = 86'400'000;
};

[[nodiscard]] std::string_view to_string(report_period::kind k);
[[nodiscard]] std::optional<report_period::kind> parse_period_kind(std::string_view text);

// The period of `length` whose last day is `until` ("YYYY-MM-DD"; none: the day before the one
// `now_ms` falls in). An error names what is wrong with `until`.
[[nodiscard]] std::expected<report_period, std::string>
make_period(report_period::kind length, const std::optional<std::string>& until,
            std::int64_t now_ms);

// "2026-11-30" for the day `ms` falls in.
[[nodiscard]] std::string format_day(std::int64_t ms);

} // namespace vigil::report
