#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace vigil::rules {

// The kinds of correlation (Sigma correlation specification v2.1, plus vigil's `absence` and
// `version_behind`).
enum class correlation_type : std::uint8_t {
    event_count,      // events of the key in the timespan
    value_count,      // distinct values of `field` in the timespan
    temporal,         // the listed rules all match (or `condition` many of them), any order
    temporal_ordered, // ... in the listed order
    value_sum,        // sum of the numeric `field`
    value_avg,        // average of the numeric `field`
    value_percentile, // share (percent) of the key's events carrying one value of `field`
    absence,          // [A]: the key stops matching A; [A, B]: an A not followed by a B
    version_behind,   // a member reports a version older than the key's newest, once that
                      // newest has been seen for the timespan
};

[[nodiscard]] const char* to_string(correlation_type type);
[[nodiscard]] std::optional<correlation_type> correlation_type_from(const std::string& name);

// `condition:` of a correlation: every bound given must hold (two bounds make a range).
struct correlation_condition {
    std::optional<double> gt, gte, lt, lte, eq, neq;
    // value_count and the metric types; several fields are one value (their values joined).
    std::vector<std::string> fields;

    [[nodiscard]] bool holds(double value) const;
    // Only lower bounds (gt/gte): once true for a window, adding events keeps it true for the
    // counting types, so the correlation can fire as soon as it holds.
    [[nodiscard]] bool lower_bounds_only() const {
        return (gt || gte) && !lt && !lte && !eq && !neq;
    }
    // The smallest whole count that satisfies a lower-bound-only condition.
    [[nodiscard]] std::uint64_t minimum_count() const;
    [[nodiscard]] bool empty() const { return !gt && !gte && !lt && !lte && !eq && !neq; }
    // "gte 8", "gt 100 and lte 200".
    [[nodiscard]] std::string describe() const;
};

// A Sigma correlation rule as loaded from YAML, validated but not yet compiled: references are
// still names, fields still names.
struct correlation_rule {
    std::string id;
    std::string name;
    std::string title;
    std::string status;
    std::string description;
    std::string author;
    std::string level; // empty: not given (an inner correlation of a chain)
    std::vector<std::string> tags;
    std::vector<std::string> falsepositives;

    correlation_type type = correlation_type::event_count;
    std::vector<std::string> rules;    // ids or names of detection or correlation rules
    std::vector<std::string> group_by; // field or alias names
    // alias -> (rule name or id -> field name in that rule's events)
    std::map<std::string, std::map<std::string, std::string>> aliases;
    std::int64_t timespan_ns = 0;
    correlation_condition condition;
    bool generate = false;        // the referenced rules raise their own alerts too
    std::int64_t suppress_ns = 0; // vigil extension: quiet period after firing; 0 = none
    // vigil extension: keys leave out the tenant, so events of every customer count together
    // (a provider's own correlation over all customers); by default a key is per tenant.
    bool across_tenants = false;
    // vigil extension: this is the `suppress: {by, for}` of the detection rule it refers to
    // (same id, title, level): one alert per `by` values per `for`, whose count, first and
    // last seen later matches update. Events without a `by` field count under an empty value.
    bool suppression = false;

    // The definition in a canonical text form: two loads of the same definition give the same
    // text, so window state survives a reload that did not change it.
    std::string fingerprint;

    std::string file;
    int line = 0;
};

} // namespace vigil::rules
