#pragma once

#include "core/metrics.hpp"
#include "correlate/correlator_shard.hpp"
#include "rules/rule_set.hpp"

#include <cstdint>

namespace vigil::pipeline {

// The metrics of the correlator shards. Each shard thread keeps the counters it last published
// and adds the difference, so the shared series are touched once per loop, not per match.
struct correlator_probe {
    explicit correlator_probe(core::metrics_registry& registry);

    // Adds what `now` counts beyond `published`, then remembers `now`.
    void publish(const correlate::correlator_counters& now,
                 correlate::correlator_counters& published);
    // Keys and bytes per correlation rule of one shard.
    void publish_state(unsigned shard, const correlate::correlator_shard& s);
    // The shard's watermark and the matches waiting for it.
    void publish_time(unsigned shard, const correlate::correlator_shard& s);

    core::metrics_registry& registry;
    core::counter& matches;
    core::counter& late;
    core::counter& late_dead_letters;
    core::counter& future_skewed;
    core::counter& not_a_number;
    core::counter& evicted_rule_limit;
    core::counter& evicted_global_limit;
    core::counter& evicted_values;
    core::counter& expired;
    core::counter& alerts;
    core::counter& updates;
    core::counter& dropped_on_reload;
    core::counter& missing_key;
    core::counter& checkpoints;
    core::counter& checkpoint_errors;
    core::gauge& checkpoint_bytes;
    core::gauge& checkpoint_micros;
    core::counter& restored_keys;
};

} // namespace vigil::pipeline
