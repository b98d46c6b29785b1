#pragma once

#include "alert/alert.hpp"
#include "core/clock.hpp"
#include "core/ulid.hpp"
#include "correlate/correlation_batch.hpp"
#include "correlate/key_table.hpp"
#include "correlate/timer_wheel.hpp"
#include "rules/rule_set.hpp"

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace vigil::correlate {

struct correlator_limits {
    // Events older than the shard's newest event time minus this are late: counted, not applied.
    std::int64_t allowed_lateness_ns = 30'000'000'000;
    std::size_t max_keys_per_rule = 1'000'000; // per shard and correlation
    std::size_t max_keys = 4'000'000;          // per shard, all correlations
    std::size_t max_values_per_key = 1000;     // distinct values / observations per key
    std::size_t evidence_per_alert = 5;
    // Processing time between two updates of one open (suppressed) alert.
    std::int64_t update_interval_ns = 1'000'000'000;
};

// What a shard did, counted by the shard's own thread; the pipeline publishes them.
struct correlator_counters {
    std::uint64_t matches = 0;          // matches applied (chained ones included)
    std::uint64_t late = 0;             // older than the watermark: not applied
    std::uint64_t not_a_number = 0;     // metric types: the field's value is no number
    std::uint64_t evicted_rule_limit = 0;
    std::uint64_t evicted_global_limit = 0;
    std::uint64_t evicted_values = 0;   // observations dropped at max_values_per_key
    std::uint64_t expired = 0;          // keys whose windows ended
    std::uint64_t alerts = 0;           // new alerts
    std::uint64_t updates = 0;          // updates of open alerts
    std::uint64_t dropped_on_reload = 0; // keys of correlations a reload changed or removed
};

// One correlator shard (DESIGN.md §2): owns the window state of the keys that hash to it, for
// every correlation of the rule set. Single-threaded; fed batches by the workers, it returns
// alerts. Time is event time: each key's windows slide over its events' timestamps, the shard's
// watermark (newest event time minus the allowed lateness, or the wall clock when no events
// arrive) decides when windows close, absences are confirmed and keys expire.
//
// State per key is bounded by the correlation's threshold, not by its event count: the last N
// event times for event_count, last-seen per distinct value (at most max_values_per_key) for
// value_count, one time per rule for the temporal types. Keys leave when no window can use
// them any more (timer wheel), or oldest first when a key limit is reached (counted).
class correlator_shard {
public:
    correlator_shard(correlator_limits limits, const core::clock& clock);

    // Switches to another rule set. State of correlations whose definition (fingerprint) is in
    // the new set is kept; the rest is dropped and counted.
    void use(std::shared_ptr<const rules::rule_set> rules);
    [[nodiscard]] const std::shared_ptr<const rules::rule_set>& rules() const { return rules_; }

    // Applies a batch (matched with batch.rules, which may be older or newer than the shard's:
    // a newer one is adopted, an older one is translated by fingerprint), then advances the
    // watermark. Alerts and alert updates are appended to `out`.
    void process(const correlation_batch& batch, std::vector<alert::alert>& out);
    // Processing-time housekeeping, called periodically: moves the watermark on when no events
    // arrive, emits updates of open alerts.
    void tick(std::vector<alert::alert>& out);
    // Moves the watermark to at least `watermark_ns` (end of a fixture case; tests).
    void advance_watermark(std::int64_t watermark_ns, std::vector<alert::alert>& out);
    // Emits every open alert that changed since it was last emitted (shutdown).
    void flush(std::vector<alert::alert>& out);

    [[nodiscard]] std::int64_t watermark_ns() const { return watermark_ns_; }
    [[nodiscard]] std::int64_t newest_ns() const { return newest_ns_; }
    [[nodiscard]] const correlator_counters& counters() const { return counters_; }

    struct table_stats {
        std::uint32_t correlation = 0; // index into rules()->correlations()
        std::size_t keys = 0;
        std::size_t bytes = 0;
    };
    // Keys and memory per correlation (walks every key: call from the periodic tick only).
    [[nodiscard]] std::vector<table_stats> stats() const;
    [[nodiscard]] std::size_t key_count() const { return total_keys_; }

    // Checkpoints (shard_checkpoint.cpp).
    // Appends the shard's state to `out`.
    void save(std::string& out) const;
    // Takes over a key of correlation `correlation` (an index into rules()) restored from a
    // checkpoint; false if the key is already present.
    bool adopt(std::uint32_t correlation, key_entry&& entry);
    // Restores the shard's clocks from a checkpoint (the newest of all shards' values).
    void restore_time(std::int64_t newest_ns, std::int64_t watermark_ns);

private:
    struct table {
        key_table keys;
    };
    struct fire_facts {
        std::uint64_t count = 0;
        std::int64_t first_seen_ns = 0;
        std::int64_t last_seen_ns = 0;
        std::string_view evidence;
        std::vector<std::string> values;
        std::optional<double> metric;
    };

    void apply(std::uint32_t c, std::uint64_t slots, std::int64_t time_ns, std::string_view key,
               std::uint64_t hash, std::string_view value, std::string_view evidence,
               std::vector<alert::alert>& out);
    std::uint32_t slot_for(std::uint32_t c, std::string_view key, std::uint64_t hash,
                           std::int64_t time_ns, std::vector<alert::alert>& out);
    void erase(std::uint32_t c, std::uint32_t slot, std::vector<alert::alert>& out);
    void fire(std::uint32_t c, std::uint32_t slot, std::int64_t at_ns, fire_facts facts,
              std::vector<alert::alert>& out);
    void emit_update(std::uint32_t c, key_entry& e, std::vector<alert::alert>& out);
    void chain(std::uint32_t c, const std::string& key, std::int64_t at_ns,
               std::string_view evidence, std::vector<alert::alert>& out);
    void schedule(std::uint32_t c, std::uint32_t slot);
    [[nodiscard]] std::int64_t deadline(std::uint32_t c, const key_entry& e) const;
    void on_due(const timer_wheel::item& item, std::vector<alert::alert>& out);
    void close_window(std::uint32_t c, std::uint32_t slot, std::vector<alert::alert>& out);
    void move_watermark(std::int64_t to_ns, std::vector<alert::alert>& out);
    void add_sample(std::uint32_t c, key_entry& e, sample s);
    void save_body(std::string& out) const;

    // Window kinds (see the comment at the top of correlator_shard.cpp).
    void on_event_count(std::uint32_t c, std::uint32_t slot, std::int64_t t,
                        std::string_view evidence, std::vector<alert::alert>& out);
    void on_value_count(std::uint32_t c, std::uint32_t slot, std::int64_t t,
                        std::string_view value, std::string_view evidence,
                        std::vector<alert::alert>& out);
    void on_value_sum(std::uint32_t c, std::uint32_t slot, std::int64_t t, std::string_view value,
                      std::string_view evidence, std::vector<alert::alert>& out);
    void on_closing(std::uint32_t c, std::uint32_t slot, std::int64_t t, std::string_view value,
                    std::string_view evidence);
    void on_temporal(std::uint32_t c, std::uint32_t slot, std::uint64_t slots, std::int64_t t,
                     std::string_view evidence, std::vector<alert::alert>& out);
    void on_temporal_ordered(std::uint32_t c, std::uint32_t slot, std::uint64_t slots,
                             std::int64_t t, std::string_view evidence,
                             std::vector<alert::alert>& out);
    void on_absence(std::uint32_t c, std::uint32_t slot, std::uint64_t slots, std::int64_t t,
                    std::string_view evidence);

    [[nodiscard]] const rules::compiled_correlation& correlation(std::uint32_t c) const {
        return rules_->correlations().correlations()[c];
    }

    correlator_limits limits_;
    const core::clock& clock_;
    std::shared_ptr<const rules::rule_set> rules_;
    std::vector<table> tables_; // one per correlation of rules_
    timer_wheel wheel_;
    core::ulid_generator ids_;
    correlator_counters counters_;
    std::size_t total_keys_ = 0;
    std::int64_t newest_ns_ = 0;       // newest event time applied
    std::int64_t watermark_ns_ = 0;    // event time up to which windows are complete
    std::int64_t last_arrival_ns_ = 0; // processing time of the last applied match
    std::int64_t last_updates_ns_ = 0; // processing time open alerts were last emitted
    std::vector<std::pair<std::uint32_t, std::uint32_t>> dirty_; // (correlation, slot)
    // Translation of an older batch's correlation indices: its rule set and the mapping.
    const rules::rule_set* translated_from_ = nullptr;
    std::vector<std::int64_t> translation_;
};

} // namespace vigil::correlate
