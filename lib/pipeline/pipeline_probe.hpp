#pragma once

#include "core/metrics.hpp"
#include "parse/parse_error.hpp"
#include "parse/record_parser.hpp"

#include <array>
#include <cstdint>

namespace vigil::pipeline {

// The metrics of the parse/match workers and the alert stage. Workers count into a
// worker_counts of their own and add it here once per batch, so the shared counters are touched
// per batch, not per record.
struct pipeline_probe {
    static constexpr std::size_t parser_count = parse::parser_names.size();
    static constexpr std::size_t grade_count = 4;  // I..IV

    explicit pipeline_probe(core::metrics_registry& registry);

    std::array<core::counter*, parser_count> parsed{};
    std::array<std::array<core::counter*, parse::parse_error_count>, parser_count> parse_errors{};
    std::array<core::counter*, grade_count> alerts{};
    core::counter& alerts_stored;
    core::counter& store_errors;
    core::counter& alerts_dropped; // vigil_dropped_total{reason="alert_store_failed"}
    core::counter& output_deliveries;
};

// A worker's own tally between two flushes into the probe.
struct worker_counts {
    std::array<std::uint64_t, pipeline_probe::parser_count> parsed{};
    std::array<std::array<std::uint64_t, parse::parse_error_count>, pipeline_probe::parser_count>
        parse_errors{};
    std::array<std::uint64_t, pipeline_probe::grade_count> alerts{};

    // Adds the tally to the probe and starts again from zero.
    void flush_into(pipeline_probe& probe);
};

} // namespace vigil::pipeline
