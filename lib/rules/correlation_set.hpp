#pragma once

#include "core/field_catalog.hpp"
#include "rules/correlation_rule.hpp"

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace vigil::rules {

// How the matches of one rule (a detection rule, or a correlation that fires) feed one
// correlation. A detection rule's match reads the key and value from the event's fields; a
// correlation feeding another (chaining) hands over its own key values, by position.
struct correlation_feed {
    std::uint32_t correlation = 0; // index into correlation_set::correlations()
    std::uint64_t slots = 0;       // bit i: the rule is the correlation's rules[i]
    // Detection input: per group-by entry, the field to read (aliases resolved).
    std::vector<core::field_id> key_fields;
    // Detection input: the fields of condition.field (value_count and the metric types).
    std::vector<core::field_id> value_fields;
    // Chained input: per group-by entry, the position in the feeding correlation's key.
    std::vector<std::uint8_t> key_from;
    // Chained input: per condition.field, the position in the feeding correlation's key.
    std::vector<std::uint8_t> value_from;
};

// One compiled correlation rule.
struct compiled_correlation {
    std::uint32_t rule = 0; // index into rule_set::rules() (its rule_info)
    correlation_type type = correlation_type::event_count;
    std::int64_t timespan_ns = 0;
    std::int64_t suppress_ns = 0;
    bool across_tenants = false; // keys without the tenant (correlation_rule::across_tenants)
    correlation_condition condition;
    // The condition is decided as soon as it holds (only lower bounds, on a count that adding
    // events cannot lower); otherwise when the window the key's first event opened closes.
    bool eager = false;
    std::uint64_t minimum_count = 1;    // eager: the count that satisfies the condition
    std::uint32_t rule_count = 0;       // entries of `rules`
    std::vector<std::string> key_names; // group-by
    // Positions in the key whose values choose the shard: the key parts that every correlation
    // chained with this one shares, so that a whole chain lives on one shard.
    std::vector<std::uint8_t> route;
    std::vector<correlation_feed> consumers; // correlations that refer to this one
    bool alerts = true;                      // raises alerts (outermost, or generate: true)
    bool suppression = false; // a detection rule's `suppress` (correlation_rule::suppression)
    std::string fingerprint;
};

// The correlation rules of a rule set, compiled: what each detection rule feeds, and each
// correlation's parameters. Immutable; part of rule_set.
class correlation_set {
public:
    [[nodiscard]] const std::vector<compiled_correlation>& correlations() const {
        return correlations_;
    }
    // The correlations a detection rule's matches feed.
    [[nodiscard]] std::span<const correlation_feed> feeds(std::uint32_t detection_rule) const {
        return detection_rule < feeds_.size()
                   ? std::span<const correlation_feed>(feeds_[detection_rule])
                   : std::span<const correlation_feed>();
    }
    // Whether a detection rule's matches raise alerts of their own: it is not referenced by a
    // correlation, or one that refers to it says `generate: true`.
    [[nodiscard]] bool alerts(std::uint32_t detection_rule) const {
        return detection_rule >= silent_.size() || !silent_[detection_rule];
    }
    [[nodiscard]] bool empty() const { return correlations_.empty(); }
    // The index of the correlation with this fingerprint, if any.
    [[nodiscard]] std::optional<std::uint32_t> find(const std::string& fingerprint) const;

private:
    friend class correlation_compiler;

    std::vector<compiled_correlation> correlations_;
    std::vector<std::vector<correlation_feed>> feeds_; // by detection rule
    std::vector<bool> silent_;                         // by detection rule
};

} // namespace vigil::rules
