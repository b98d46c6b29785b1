#include "pipeline/pipeline_probe.hpp"

#include <string>

namespace vigil::pipeline {
namespace {
constexpr std::array<const char*, pipeline_probe::grade_count> grade_names{"I", "II", "III", "IV"};
} // namespace

pipeline_probe::pipeline_probe(core::metrics_registry& registry)
    : alerts_stored(
          registry.make_counter("vigil_alerts_stored_total", "Alerts written to the alert store.")),
      store_errors(registry.make_counter("vigil_alert_store_errors_total",
                                         "Failed writes to the alert store (retried).")),
      alerts_dropped(
          registry.make_counter("vigil_dropped_total", "Records dropped, by reason and source.",
                                {{"reason", "alert_store_failed"}, {"source", "alerts"}})),
      alerts_rate_limited(registry.make_counter(
          "vigil_alerts_rate_limited_total",
          "New alerts held back by the per-rule rate limit (alerts.rate_limit) and counted in a "
          "summary alert instead.")),
      output_deliveries(
          registry.make_counter("vigil_output_deliveries_total", "Alerts handed to outputs.")),
      dead_unparseable(registry.make_counter("vigil_dead_letters_total",
                                             "Records kept as dead letters, by reason.",
                                             {{"reason", "unparseable"}})),
      store_writes(registry.make_counter("vigil_alert_store_writes_total",
                                         "Write batches to RocksDB (alerts), successful or not.")),
      store_write_microseconds(registry.make_counter(
          "vigil_alert_store_write_microseconds_total",
          "Time spent in RocksDB alert writes; divided by vigil_alert_store_writes_total it is "
          "the mean write latency.")),
      store_write_last_microseconds(registry.make_gauge(
          "vigil_alert_store_write_last_microseconds", "Latency of the last RocksDB alert write.")),
      metrics(registry) {
    for (std::size_t p = 0; p < parser_count; ++p) {
        parsed[p] = &registry.make_counter("vigil_events_parsed_total",
                                           "Records parsed into events, per parser.",
                                           {{"parser", std::string(parse::parser_names[p])}});
        // Register every reason up front so that a zero is visible before the first error.
        for (std::size_t r = 1; r < parse::parse_error_count; ++r) {
            parse_errors[p][r] = &registry.make_counter(
                "vigil_parse_errors_total",
                "Records kept as events with a parse error, per parser and reason.",
                {{"parser", std::string(parse::parser_names[p])},
                 {"reason", std::string(parse::to_string(static_cast<parse::parse_error>(r)))}});
        }
    }
    for (std::size_t g = 0; g < grade_count; ++g) {
        alerts[g] = &registry.make_counter("vigil_alerts_total", "Alerts created, per grade.",
                                           {{"grade", grade_names[g]}});
    }
}

void worker_counts::count_match(const rules::rule_set& rules, std::uint32_t r,
                                pipeline_probe& probe) {
    if (rules.version() != rules_version) {
        rules_version = rules.version();
        rule_matches.assign(rules.rules().size(), 0);
        rule_counters.assign(rules.rules().size(), nullptr);
    }
    if (rule_counters[r] == nullptr) {
        rule_counters[r] = &probe.rule_matches(rules.rules()[r].id);
    }
    ++rule_matches[r];
}

void worker_counts::count_class(const rules::rule_set& rules, std::optional<rules::class_id> c) {
    if (rules.version() != classes_version) {
        classes_version = rules.version();
        const auto& classes = rules.logsources().classes();
        class_names.clear();
        for (const auto& k : classes) {
            class_names.push_back(k.name);
        }
        class_names.emplace_back("(none)");
        class_events.assign(class_names.size(), 0);
    }
    // Derived classes are added while rules compile, so every id is below the size taken here.
    const std::size_t slot = c && *c < class_names.size() - 1 ? *c : class_names.size() - 1;
    ++class_events[slot];
}

void worker_counts::flush_into(pipeline_probe& probe, std::int64_t now_ns) {
    for (std::size_t c = 0; c < class_events.size(); ++c) {
        if (class_events[c] != 0) {
            probe.traffic.add(class_names[c], class_events[c], now_ns);
            class_events[c] = 0;
        }
    }
    for (std::size_t r = 0; r < rule_matches.size(); ++r) {
        if (rule_matches[r] != 0) {
            rule_counters[r]->add(rule_matches[r]);
            rule_matches[r] = 0;
        }
    }
    for (std::size_t p = 0; p < pipeline_probe::parser_count; ++p) {
        if (parsed[p] != 0) {
            probe.parsed[p]->add(parsed[p]);
            parsed[p] = 0;
        }
        for (std::size_t r = 1; r < parse::parse_error_count; ++r) {
            if (parse_errors[p][r] != 0) {
                probe.parse_errors[p][r]->add(parse_errors[p][r]);
                parse_errors[p][r] = 0;
            }
        }
    }
}

} // namespace vigil::pipeline
