#pragma once

#include "alert/alert.hpp"
#include "core/ulid.hpp"
#include "rules/rule_set.hpp"

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace vigil::alert {

// What a correlation found for one key, for its alert.
struct correlation_facts {
    core::ulid id;
    const rules::compiled_correlation* correlation = nullptr;
    std::span<const std::string_view> key; // group-by values, in group-by order
    std::string_view tenant;               // the customer of the key; empty = none
    std::uint64_t count = 0;               // events (or rules, or distinct values) behind it
    std::int64_t first_seen_ns = 0;
    std::int64_t last_seen_ns = 0;
    std::int64_t created_ns = 0;                // processing time of the first alert of the key
    std::optional<std::int64_t> updated_ns;     // set when this is an update of an open alert
    std::optional<std::int64_t> quiet_until_ns; // suppress: until when updates replace alerts
    std::optional<double> metric;               // the sum, average, share, distinct count
    std::span<const std::string> values;        // distinct / rare values (value_count, percentile)
    std::span<const std::string> evidence;      // events as JSON (alert::write_evidence)
};

// The alert of a correlation rule (schemas/alert.schema.json): the rule, grade, the key as
// {group-by name: value}, count, first and last seen in event time, the correlation's type,
// timespan and condition, and the evidence events. An update keeps the id, so storing it
// replaces the alert.
[[nodiscard]] alert make_correlation_alert(const rules::rule_info& rule,
                                           std::uint64_t rule_set_version,
                                           const correlation_facts& facts);

} // namespace vigil::alert
