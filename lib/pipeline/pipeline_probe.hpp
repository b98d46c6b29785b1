#pragma once

#include "core/metrics.hpp"
#include "parse/parse_error.hpp"
#include "parse/record_parser.hpp"
#include "pipeline/class_traffic.hpp"
#include "rules/rule_set.hpp"

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace vigil::pipeline {

// The metrics of the parse/match workers and the alert stage. Workers count into a
// worker_counts of their own and add it here once per batch, so the shared counters are touched
// per batch, not per record.
struct pipeline_probe {
    static constexpr std::size_t parser_count = parse::parser_names.size();
    static constexpr std::size_t grade_count = 4; // I..IV

    explicit pipeline_probe(core::metrics_registry& registry);

    std::array<core::counter*, parser_count> parsed{};
    std::array<std::array<core::counter*, parse::parse_error_count>, parser_count> parse_errors{};
    std::array<core::counter*, grade_count> alerts{};
    core::counter& alerts_stored;
    core::counter& store_errors;
    core::counter& alerts_dropped;      // vigil_dropped_total{reason="alert_store_failed"}
    core::counter& alerts_rate_limited; // folded into summary alerts (alert::rate_guard)
    core::counter& output_deliveries;
    core::counter& dead_unparseable;         // vigil_dead_letters_total{reason="unparseable"}
    core::counter& store_writes;             // vigil_alert_store_writes_total
    core::counter& store_write_microseconds; // vigil_alert_store_write_microseconds_total
    core::gauge& store_write_last_microseconds;
    core::metrics_registry& metrics;
    // Events per log source class, last hour and total (GET /api/v1/coverage).
    class_traffic traffic;

    // vigil_rule_matches_total{rule}: registered when a rule first matches.
    [[nodiscard]] core::counter& rule_matches(const std::string& rule_id) {
        return metrics.make_counter("vigil_rule_matches_total",
                                    "Events a rule matched (detection rules), per rule.",
                                    {{"rule", rule_id}});
    }
    // vigil_ring_occupancy{ring,index}: batches waiting in one SPSC ring.
    [[nodiscard]] core::gauge& ring_occupancy(const std::string& ring, std::size_t index) {
        return metrics.make_gauge("vigil_ring_occupancy",
                                  "Batches waiting in an SPSC ring between stages.",
                                  {{"ring", ring}, {"index", std::to_string(index)}});
    }
};

// A worker's own tally between two flushes into the probe.
struct worker_counts {
    std::array<std::uint64_t, pipeline_probe::parser_count> parsed{};
    std::array<std::array<std::uint64_t, parse::parse_error_count>, pipeline_probe::parser_count>
        parse_errors{};
    // Matches per rule index of the worker's rule set, and the counters they go to.
    std::vector<std::uint64_t> rule_matches;
    std::vector<core::counter*> rule_counters;
    std::uint64_t rules_version = 0;

    // Events per log source class of the worker's rule set (the last slot: no class).
    std::vector<std::uint64_t> class_events;
    std::vector<std::string> class_names;
    std::uint64_t classes_version = 0;

    // Counts a match of rule `r` of `rules` (rule ids name the series).
    void count_match(const rules::rule_set& rules, std::uint32_t r, pipeline_probe& probe);
    // Counts an event of class `c` of `rules` (nothing: in no class).
    void count_class(const rules::rule_set& rules, std::optional<rules::class_id> c);

    // Adds the tally to the probe and starts again from zero; `now_ns` dates the class counts.
    void flush_into(pipeline_probe& probe, std::int64_t now_ns);
};

} // namespace vigil::pipeline
