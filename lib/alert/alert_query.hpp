#pragma once

#include <cstddef>
#include <cstdint>
#include <expected>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vigil::alert {

struct alert_terms;

// Which stored alerts to list, newest first (by the event time the alert is about, §4.9). Every
// filter that is set must hold; `levels` and `statuses` hold when any of their values does.
struct alert_query {
    std::optional<std::uint64_t> since_ms; // at or after
    std::optional<std::uint64_t> until_ms; // before
    std::optional<std::string> rule_id;
    std::vector<std::string> levels;
    std::vector<std::string> statuses;
    std::vector<std::string> grades; // I, II, III, IV
    std::optional<std::string> host;
    std::optional<std::string> source; // an evidence event's source.ip or sender address
    std::optional<std::string> tenant; // the customer (a tenant-bound read token sets it)
    std::size_t limit = default_limit;
    // Continue after this alert id (the `next_cursor` of the page before): older alerts only.
    std::optional<std::string> cursor;

    // Whether an alert with these terms meets every filter but the time range (which the ids
    // carry). Checked on the alert's own document, so an index entry is never taken on trust.
    [[nodiscard]] bool holds(const alert_terms& terms) const;
    [[nodiscard]] bool filters_terms() const {
        return rule_id || host || source || tenant || !levels.empty() || !statuses.empty() ||
               !grades.empty();
    }

    static constexpr std::size_t default_limit = 100;
    static constexpr std::size_t max_limit = 10'000;
};

// One page of a query: alert documents, newest first, and where the next page starts (unset
// when this page holds the last matching alert).
struct alert_page {
    std::vector<std::string> alerts;
    std::optional<std::string> next_cursor;
};

// Builds a query from named parameters, the one reading shared by `vigil alerts --NAME VALUE`
// and `GET /api/v1/alerts?NAME=VALUE`: since, until (a duration back from `now_ms` such as 15m
// or 7d, an RFC 3339 time, or a date), rule, level, status and grade (comma-separated lists), host,
// source, limit (1..10000, default 100), cursor. `value(name)` returns a parameter's value.
// The error names the parameter and why it is refused; an unknown parameter is refused too.
[[nodiscard]] std::expected<alert_query, std::string>
read_alert_query(const std::vector<std::pair<std::string, std::string>>& parameters,
                 std::int64_t now_ms);

// The parameter names read_alert_query knows.
[[nodiscard]] const std::vector<std::string_view>& alert_query_parameters();

// "2026-12-01T08:00:00Z", "2026-12-01T08:00:00.5+08:00" or "2026-12-01" -> Unix
// milliseconds, or nothing.
[[nodiscard]] std::optional<std::int64_t> read_timestamp_ms(std::string_view text);

// "15m" (back from now), "2026-12-01T08:00:00Z", "2026-12-01T08:00:00.5+08:00" or
// "2026-12-01" (midnight UTC) -> Unix milliseconds.
[[nodiscard]] std::expected<std::int64_t, std::string> read_query_time(std::string_view text,
                                                                       std::int64_t now_ms);

} // namespace vigil::alert
