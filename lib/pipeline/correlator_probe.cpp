#include "pipeline/correlator_probe.hpp"

#include <string>

namespace vigil::pipeline {

correlator_probe::correlator_probe(core::metrics_registry& r)
    : registry(r),
      matches(r.make_counter("vigil_correlation_matches_total",
                             "Rule matches applied to correlation windows (chained ones too).")),
      late(r.make_counter("vigil_correlation_late_events_total",
                          "Events behind the correlator's watermark when they arrived (applied "
                          "at once or dead-lettered, correlation.late_events); per input and "
                          "reason in vigil_input_late_events_total.")),
      late_dead_letters(r.make_counter("vigil_dead_letters_total",
                                       "Records kept as dead letters, by reason.",
                                       {{"reason", "late"}})),
      future_skewed(r.make_counter("vigil_future_skewed_events_total",
                                   "Records whose time was more than time.max_future_skew ahead "
                                   "of their receipt: their event time became their receipt "
                                   "time.")),
      not_a_number(r.make_counter("vigil_correlation_not_a_number_total",
                                  "Matches of value_sum / value_avg whose field is no number.")),
      evicted_rule_limit(r.make_counter("vigil_correlation_evictions_total",
                                        "Correlation state evicted, oldest first, by reason.",
                                        {{"reason", "rule_key_limit"}})),
      evicted_global_limit(r.make_counter("vigil_correlation_evictions_total",
                                          "Correlation state evicted, oldest first, by reason.",
                                          {{"reason", "global_key_limit"}})),
      evicted_values(r.make_counter("vigil_correlation_evictions_total",
                                    "Correlation state evicted, oldest first, by reason.",
                                    {{"reason", "values_per_key"}})),
      expired(r.make_counter("vigil_correlation_expired_keys_total",
                             "Keys whose windows ended (timer wheel).")),
      alerts(r.make_counter("vigil_correlation_alerts_total", "Correlation alerts, new or updated.",
                            {{"kind", "new"}})),
      updates(r.make_counter("vigil_correlation_alerts_total",
                             "Correlation alerts, new or updated.", {{"kind", "update"}})),
      dropped_on_reload(r.make_counter("vigil_correlation_dropped_keys_total",
                                       "Keys of correlations that a reload changed or removed.")),
      missing_key(
          r.make_counter("vigil_correlation_missing_key_total",
                         "Matches not correlated because the event lacks a group-by field.")),
      checkpoints(
          r.make_counter("vigil_correlation_checkpoints_total",
                         "Correlator shard checkpoints written to RocksDB (family state).")),
      checkpoint_errors(r.make_counter("vigil_correlation_checkpoint_errors_total",
                                       "Correlator checkpoints that could not be written.")),
      checkpoint_bytes(r.make_gauge("vigil_correlation_checkpoint_bytes",
                                    "Size of the last checkpoint of any shard.")),
      checkpoint_micros(r.make_gauge("vigil_correlation_checkpoint_microseconds",
                                     "Time a shard took to serialise its last checkpoint.")),
      restored_keys(r.make_counter("vigil_correlation_restored_keys_total",
                                   "Keys restored from checkpoints at start-up.")) {}

void correlator_probe::publish(const correlate::correlator_counters& now,
                               correlate::correlator_counters& published) {
    auto add = [](core::counter& c, std::uint64_t current, std::uint64_t& seen) {
        if (current > seen) {
            c.add(current - seen);
            seen = current;
        }
    };
    add(matches, now.matches, published.matches);
    add(late, now.late, published.late);
    add(not_a_number, now.not_a_number, published.not_a_number);
    add(evicted_rule_limit, now.evicted_rule_limit, published.evicted_rule_limit);
    add(evicted_global_limit, now.evicted_global_limit, published.evicted_global_limit);
    add(evicted_values, now.evicted_values, published.evicted_values);
    add(expired, now.expired, published.expired);
    add(alerts, now.alerts, published.alerts);
    add(updates, now.updates, published.updates);
    add(dropped_on_reload, now.dropped_on_reload, published.dropped_on_reload);
}

void correlator_probe::publish_time(unsigned shard, const correlate::correlator_shard& s) {
    const core::metric_labels labels{{"shard", std::to_string(shard)}};
    const std::int64_t watermark = s.watermark_ns();
    registry
        .make_gauge("vigil_correlation_watermark_seconds",
                    "The correlator's event-time watermark (Unix seconds), per shard: matches "
                    "before it are applied, windows before it are decided.",
                    labels)
        .set(watermark == correlate::input_watermarks::never ? 0 : watermark / 1'000'000'000);
    registry
        .make_gauge("vigil_correlation_buffered_matches",
                    "Matches waiting for the watermark to pass them, per shard.", labels)
        .set(static_cast<std::int64_t>(s.buffered()));
}

void correlator_probe::publish_state(unsigned shard, const correlate::correlator_shard& s) {
    if (!s.rules()) {
        return;
    }
    const auto& correlations = s.rules()->correlations().correlations();
    for (const auto& stats : s.stats()) {
        const std::string& rule = s.rules()->rules()[correlations[stats.correlation].rule].id;
        const core::metric_labels labels{{"rule", rule}, {"shard", std::to_string(shard)}};
        registry
            .make_gauge("vigil_correlation_keys", "Live correlation keys, per rule and shard.",
                        labels)
            .set(static_cast<std::int64_t>(stats.keys));
        registry
            .make_gauge("vigil_correlation_state_bytes",
                        "Memory held by correlation state, per rule and shard.", labels)
            .set(static_cast<std::int64_t>(stats.bytes));
    }
}

} // namespace vigil::pipeline
