#pragma once

#include "alert/alert.hpp"
#include "alert/alert_writer.hpp"
#include "core/clock.hpp"
#include "core/ulid.hpp"
#include "correlate/correlation_batch.hpp"
#include "correlate/input_watermarks.hpp"
#include "correlate/key_table.hpp"
#include "correlate/quiet_keys.hpp"
#include "correlate/reorder_buffer.hpp"
#include "correlate/timer_wheel.hpp"
#include "rules/rule_set.hpp"

#include <array>
#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace vigil::correlate {

// What happens to a late match (ARCHITECTURE.md, "Time").
enum class late_policy : std::uint8_t {
    apply,       // applied at once, at its own time, to the key state still held
    dead_letter, // not applied; kept as a dead letter
};

struct correlator_limits {
    // Watermarks: allowed lateness, idle timeout, maximum input lag (input_watermarks).
    watermark_limits time;
    late_policy late_events = late_policy::apply;
    std::size_t max_keys_per_rule = 1'000'000; // per shard and correlation
    std::size_t max_keys = 4'000'000;          // per shard, all correlations
    std::size_t max_values_per_key = 1000;     // distinct values / observations per key
    std::size_t evidence_per_alert = 5;
    // Processing time between two updates of one open (suppressed) alert.
    std::int64_t update_interval_ns = 1'000'000'000;
};

// What a shard did, counted by the shard's own thread; the pipeline publishes them.
struct correlator_counters {
    std::uint64_t matches = 0; // matches applied (chained ones included)
    std::uint64_t late = 0;    // events behind the watermark (counted once per event)
    std::array<std::uint64_t, late_reason_count> late_by_reason{};
    std::uint64_t not_a_number = 0; // metric types: the field's value is no number
    std::uint64_t evicted_rule_limit = 0;
    std::uint64_t evicted_global_limit = 0;
    std::uint64_t evicted_values = 0;    // observations dropped at max_values_per_key
    std::uint64_t expired = 0;           // keys whose windows ended
    std::uint64_t alerts = 0;            // new alerts
    std::uint64_t updates = 0;           // updates of open alerts
    std::uint64_t dropped_on_reload = 0; // keys of correlations a reload changed or removed
};

// One correlator shard (DESIGN.md §2): owns the window state of the keys that hash to it, for
// every correlation of the rule set. Single-threaded; fed batches by the workers (in the order
// of the input batches they come from), it returns alerts.
//
// Time is event time (ARCHITECTURE.md, "Time"). The shard keeps a watermark per input
// (input_watermarks) from the progress every batch carries; a match waits in the reorder
// buffer until the combined watermark passes it, then is applied in an order that depends on
// content only, and before it every timer due earlier fires (windows close, absences are
// confirmed, keys expire). A match already behind the watermark is late: counted, and applied
// at once or dead-lettered (correlator_limits::late_events). So the alerts depend on the
// events, not on how fast or by which path they arrived.
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

    // Takes a batch (matched with batch->rules, which may be older or newer than the shard's:
    // a newer one is adopted, an older one is translated by fingerprint): its input progress
    // moves the watermarks, its late matches are counted and handled, the others wait; then
    // everything the watermark passed is applied. Alerts and alert updates are appended to
    // `out`. A batch without progress (tests, benchmarks) stands for one input whose newest
    // event is its newest match.
    void process(std::shared_ptr<const correlation_batch> batch, std::vector<alert::alert>& out);
    // Processing-time housekeeping, called periodically: idle inputs, the watermark when no
    // input holds it (`caught_up`: every record submitted has reached this shard), updates of
    // open alerts.
    void tick(bool caught_up, std::vector<alert::alert>& out);
    // End of input (a replayed file, a fixture case): applies every waiting match, then moves
    // event time on to `until_ns` (when later): every timer due before it fires.
    void finish(std::int64_t until_ns, std::vector<alert::alert>& out);
    // Moves the watermark to at least `watermark_ns` (tests): waiting matches before it are
    // applied, timers due before it fire; later inputs' events before it are late.
    void advance_to(std::int64_t watermark_ns, std::vector<alert::alert>& out);
    // Emits every open alert that changed since it was last emitted (shutdown).
    void flush(std::vector<alert::alert>& out);
    // Publishes, as `board`'s shard `index`, the keys whose open alert takes matches quietly
    // (taken_quietly), when they changed since the last call. Workers read them to leave out
    // those matches' evidence.
    void publish_quiet(quiet_board& board, std::size_t index);
    // Dead letters of late matches (correlator_limits::late_events = dead_letter) since the
    // last call, as JSON.
    [[nodiscard]] std::vector<std::string> take_dead_letters() { return std::move(dead_letters_); }

    [[nodiscard]] std::int64_t watermark_ns() const { return watermarks_.watermark_ns(); }
    // Newest event time of any input.
    [[nodiscard]] std::int64_t newest_ns() const { return watermarks_.newest_ns(); }
    // Event time up to which the keys' state has moved (<= the watermark).
    [[nodiscard]] std::int64_t clock_ns() const { return clock_ns_; }
    [[nodiscard]] const input_watermarks& inputs() const { return watermarks_; }
    [[nodiscard]] std::size_t buffered() const { return buffer_.size(); }
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
    // The shard's checkpoint: its state, and the waiting matches no earlier checkpoint wrote
    // (every one after a start or request_full_checkpoint()), in segments by batch.
    [[nodiscard]] alert::shard_checkpoint checkpoint();
    // The next checkpoint writes every waiting match again (the store lost one).
    void request_full_checkpoint() { full_checkpoint_next_ = true; }
    // Takes over a key of correlation `correlation` (an index into rules()) restored from a
    // checkpoint; false if the key is already present.
    bool adopt(std::uint32_t correlation, key_entry&& entry);
    // Restores the shard's clocks from a checkpoint (the newest of all shards' values).
    void restore_time(std::int64_t newest_ns, std::int64_t watermark_ns);
    // Takes over the matches that were waiting in a checkpointed shard; the batch holds their
    // texts and the shard's rule set.
    void adopt_waiting(std::shared_ptr<const correlation_batch> batch);

private:
    struct table {
        key_table keys;
        // Its timers fire alerts (closing windows, absences), so they run exactly in event
        // time; the other kinds' timers only forget keys.
        bool decided_by_timer = false;
    };
    struct fire_facts {
        std::uint64_t count = 0;
        std::int64_t first_seen_ns = 0;
        std::int64_t last_seen_ns = 0;
        std::string_view evidence;
        std::vector<std::string> values;
        std::optional<double> metric;
    };

    // The correlation of our rule set that correlation `c` of `rules` is, or no_correlation.
    // (A plain index, not an optional: this runs several times per match.)
    static constexpr std::uint32_t no_correlation = std::numeric_limits<std::uint32_t>::max();
    [[nodiscard]] std::uint32_t ours(const rules::rule_set& rules, std::uint32_t c) {
        if (&rules == rules_.get()) [[likely]] {
            return c < tables_.size() ? c : no_correlation;
        }
        return translated(rules, c);
    }
    [[nodiscard]] std::uint32_t translated(const rules::rule_set& rules, std::uint32_t c);
    void apply_match(const correlation_batch& b, const correlation_match& m,
                     std::vector<alert::alert>& out) {
        if (!b.rules || !rules_) {
            return;
        }
        if (const std::uint32_t c = ours(*b.rules, m.correlation); c != no_correlation) {
            apply(c, m.slots, m.time_ns, b.text(m.key), m.key_hash, b.text(m.value),
                  b.text(m.evidence), out);
        }
    }
    void on_late(const correlation_batch& batch, const correlation_match& m, late_reason reason,
                 std::vector<alert::alert>& out);
    // Releases what the watermark passed, then moves event time to it.
    void release(std::vector<alert::alert>& out);
    // Applies released matches, moving event time to each first.
    void apply_released(const reorder_buffer::stretch& s, std::vector<alert::alert>& out);
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
    // Moves the state's event time to `to_ns` (before a match at that time): every timer that
    // decides something due before it fires.
    void advance_clock(std::int64_t to_ns, std::vector<alert::alert>& out) {
        if (to_ns <= clock_ns_) {
            return;
        }
        clock_ns_ = to_ns;
        if (wheel_.has_due_before(to_ns)) {
            run_timers(wheel_, to_ns, out);
        }
    }
    // advance_clock(), then forgets the keys that stopped mattering before `to_ns` (after a
    // release: when they go changes nothing but memory, so they go in bulk).
    void settle_to(std::int64_t to_ns, std::vector<alert::alert>& out);
    void run_timers(timer_wheel& wheel, std::int64_t to_ns, std::vector<alert::alert>& out);
    void add_sample(std::uint32_t c, key_entry& e, sample s);
    void save_state(std::string& out) const;
    // Whether match `m` (not late) will be taken quietly by its key's open alert: it is earlier
    // than the alert's quiet_until, so every match applied before it is too and none can close
    // the alert first, and the alert holds all the evidence it keeps. Such a match changes
    // only the alert's count and times, which do not depend on the order of application; so
    // process() applies it at once instead of filing it (an alert storm does not wait in the
    // reorder buffer), and checkpoints leave out the evidence of waiting matches it holds for.
    // (A key evicted under max_keys in between is the exception.)
    [[nodiscard]] bool taken_quietly(const correlation_batch& b, const correlation_match& m);
    // Applies `m` at once if it is taken quietly (one key lookup); false if it must wait.
    bool take_if_quiet(const correlation_batch& b, const correlation_match& m);
    // The slot of key `key` of correlation `c` if a match at `time_ns` is taken quietly, else
    // key_table::none.
    [[nodiscard]] std::uint32_t quiet_slot(std::uint32_t c, std::string_view key,
                                           std::uint64_t hash, std::int64_t time_ns) const;
    // The quiet_until and slot of key `key` of correlation `c` when its open alert holds all
    // the evidence it keeps (and the correlation is not one whose every match decides).
    [[nodiscard]] std::optional<std::pair<std::int64_t, std::uint32_t>>
    quiet_until(std::uint32_t c, std::string_view key, std::uint64_t hash) const;
    // The open alert of the key in `slot` takes a match at `t`: count, times, evidence.
    void take_quietly(std::uint32_t c, std::uint32_t slot, std::int64_t t,
                      std::string_view evidence);
    // Remembers for publish_quiet that `key` of correlation `c` was found taken quietly.
    void note_quiet(std::uint32_t c, core::prehashed_string key, std::int64_t time_ns);
    // `m` waits with its evidence: if it is a suppression's match that will open its key's next
    // alert or be among its evidence, remembers its time (waiting_evidence_).
    void note_waiting_evidence(const correlation_batch& b, const correlation_match& m);
    // The suppressions' keys whose next alert has `evidence_per_alert` matches with evidence
    // waiting, for publish_quiet.
    void publish_waiting_evidence(quiet_keys& next) const;

    // Window kinds (see the comment at the top of correlator_shard.cpp).
    void on_event_count(std::uint32_t c, std::uint32_t slot, std::int64_t t,
                        std::string_view evidence, std::vector<alert::alert>& out);
    void on_value_count(std::uint32_t c, std::uint32_t slot, std::int64_t t, std::string_view value,
                        std::string_view evidence, std::vector<alert::alert>& out);
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
    void on_version_behind(std::uint32_t c, std::uint32_t slot, std::int64_t t,
                           std::string_view value, std::string_view evidence,
                           std::vector<alert::alert>& out);

    [[nodiscard]] const rules::compiled_correlation& correlation(std::uint32_t c) const {
        return rules_->correlations().correlations()[c];
    }

    correlator_limits limits_;
    const core::clock& clock_;
    std::shared_ptr<const rules::rule_set> rules_;
    std::vector<table> tables_; // one per correlation of rules_
    timer_wheel wheel_;         // timers that decide: windows that close, absences
    timer_wheel expiry_wheel_;  // timers that only forget keys
    correlator_counters counters_;
    std::size_t total_keys_ = 0;
    input_watermarks watermarks_;
    reorder_buffer buffer_;
    bool full_checkpoint_next_ = true; // nothing of this run of the shard is stored yet
    // Keys process() found taken quietly since the last publish_quiet, per correlation of
    // `newly_quiet_rules_`, and what was published last.
    std::vector<core::string_map<bool>> newly_quiet_;
    const rules::rule_set* newly_quiet_rules_ = nullptr;
    std::shared_ptr<const quiet_keys> published_quiet_;
    std::int64_t next_quiet_review_ns_ = 0; // the first published quiet time to end
    // Per correlation of rules_ (filled for suppressions only): keys whose next alert is not
    // open yet, and the earliest times (at most evidence_per_alert, ascending) of its matches
    // that wait with evidence. A key goes when an alert of it opens.
    std::vector<core::string_map<std::vector<std::int64_t>>> waiting_evidence_;
    bool evidence_news_ = false; // a key got enough of them since the last publish_quiet
    // Scratch of process(): the matches of the batch that do not wait (late, or taken quietly).
    std::vector<std::uint32_t> not_waiting_;
    std::int64_t clock_ns_; // event time the state has reached
    // Event time every match before which has been applied (the last release's watermark):
    // what is still to come is at or after it, late events aside.
    std::int64_t settled_ns_;
    std::int64_t last_updates_ns_ = 0; // processing time open alerts were last emitted
    std::vector<std::string> dead_letters_;
    std::vector<std::pair<std::uint32_t, std::uint32_t>> dirty_; // (correlation, slot)
    // Translation of an older batch's correlation indices: its rule set and the mapping.
    const rules::rule_set* translated_from_ = nullptr;
    std::vector<std::int64_t> translation_;
};

} // namespace vigil::correlate
