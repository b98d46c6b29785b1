#pragma once

#include "alert/alert.hpp"
#include "core/arena.hpp"
#include "core/clock.hpp"
#include "core/event.hpp"
#include "core/raw_record.hpp"
#include "correlate/correlation_batch.hpp"
#include "correlate/match_router.hpp"
#include "incident/tenant_map.hpp"
#include "match/matcher.hpp"
#include "parse/record_parser.hpp"
#include "pipeline/pipeline_probe.hpp"
#include "rules/rule_set.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace vigil::pipeline {

struct worker_step_config {
    // How the records of each kind of source are read, indexed by core::source_kind.
    std::array<parse::record_parser_config, core::source_kind_count> parsing{};
    // An event time more than this ahead of the record's receipt is not believed (time.
    // max_future_skew): the event takes its receipt time and keeps the original in
    // event.original_time.
    std::int64_t max_future_skew_ns = 300'000'000'000;
    std::size_t shards = 1;
    // Where the shards publish their quiet keys (null: none; every match carries evidence).
    correlate::quiet_board* quiet = nullptr;
    // Which customer each record belongs to (null: none configured).
    std::shared_ptr<const incident::tenant_map> tenants;
};

// What one input batch became.
struct step_result {
    std::vector<alert::alert> alerts;      // of detection rules that raise alerts of their own
    std::vector<std::string> dead_letters; // Kafka records that did not parse, as JSON
    // One per correlator shard, each with the batch's sequence and input progress (shared),
    // whether or not any match went to that shard.
    std::vector<std::shared_ptr<correlate::correlation_batch>> correlations;
};

// The worker step (DESIGN.md §2): takes one raw batch through parse -> event time -> match ->
// detection alerts -> routing of correlation matches to their shards. The one piece of code
// that does this: vigild's workers, `vigil replay` and the rule tester all run it, so that a
// replayed file gives the daemon's alerts.
//
// Event time of a record: its parsed timestamp, else its receipt time; a timestamp more than
// max_future_skew ahead of the receipt is replaced by the receipt time (a clock no sender can
// push forward), counted per input. Every batch's step_result carries, for each input its
// records came through, the newest event and receipt times (correlate::input_progress).
//
// Single-threaded: one per worker. Owns the parsers, the matcher and its Hyperscan scratch.
class worker_step {
public:
    // `probe`, when given, receives the counts (parsed, parse errors, matches per rule, alerts
    // per grade) once per batch.
    worker_step(worker_step_config config, const core::clock& clock,
                pipeline_probe* probe = nullptr);

    void run(const core::raw_batch& batch, const std::shared_ptr<const rules::rule_set>& rules,
             step_result& out);

    // Correlation matches skipped since the last call because an event lacked a group-by field.
    [[nodiscard]] std::uint64_t take_missing_keys() { return std::exchange(missing_keys_, 0); }
    // Events re-timed since the last call because they were too far in the future.
    [[nodiscard]] std::uint64_t take_future_skewed() { return std::exchange(future_skewed_, 0); }

private:
    // Field ids of the rule set in use that the step sets itself.
    struct own_fields {
        std::uint64_t version = 0;
        std::optional<core::field_id> topic, partition, offset, key, headers, original_time;
    };
    void use(const std::shared_ptr<const rules::rule_set>& rules);
    // Parse, event time, match and route of one record (the `index`th of `batch`, or one record
    // of the batch document that is; parse/json_batch.hpp).
    void step_record(const core::raw_batch& batch, std::size_t index,
                     const core::raw_record& record,
                     const std::shared_ptr<const rules::rule_set>& rules, step_result& out);
    void add_kafka_origin(const core::kafka_origin& from, const core::raw_record& record,
                          parse::parse_error error, step_result& out);
    // The event time of the record just parsed (the future-skew rule applied: `skewed`).
    std::int64_t event_time(const core::raw_record& record, bool& skewed);
    correlate::input_progress& progress_of(const core::raw_batch& batch, std::size_t index);

    worker_step_config config_;
    const core::clock& clock_;
    pipeline_probe* probe_;
    std::optional<match::matcher> matcher_;
    std::vector<std::unique_ptr<parse::record_parser>> parsers_;
    std::vector<std::string_view> batch_elements_; // of the record being split
    core::arena scratch_;
    core::event event_;
    correlate::match_router router_;
    own_fields fields_;
    worker_counts counts_;
    std::shared_ptr<correlate::batch_progress> progress_;
    std::size_t last_progress_ = 0; // index of the last input looked up
    std::uint64_t missing_keys_ = 0;
    std::uint64_t future_skewed_ = 0;
};

} // namespace vigil::pipeline
