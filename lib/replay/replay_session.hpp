#pragma once

#include "alert/alert.hpp"
#include "alert/rate_guard.hpp"
#include "core/clock.hpp"
#include "core/raw_record.hpp"
#include "correlate/correlator_shard.hpp"
#include "incident/grader.hpp"
#include "parse/record_parser.hpp"
#include "pipeline/worker_step.hpp"
#include "rules/rule_set.hpp"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace vigil::replay {

struct replay_options {
    // How records are read (vigil replay --format; the configuration's RFC 3164 year and zone).
    parse::record_parser_config parsing;
    correlate::correlator_limits limits;
    std::int64_t max_future_skew_ns = 300'000'000'000;
    // Records handed to the worker step at a time.
    std::size_t batch_records = 1024;
    // alerts.rate_limit: new alerts per rule and minute of event time before the rest are
    // folded into a summary alert, as vigild's alert stage does (0 = off).
    std::uint64_t rate_limit = 0;
    // Grades and SLA deadlines, as vigild's alert stage gives them (incident::grader).
    incident::incident_policy incidents;
    std::shared_ptr<const incident::asset_inventory> assets; // null: none
};

// Runs records through what vigild does, in one thread: the same worker step (parse, event
// time, match, detection alerts, routing) and a correlator shard with the same watermarks and
// ordering. For `vigil replay` (a day of logs through the rules), the rule tester's correlation
// cases, and tests, which use it as the reference for the daemon.
//
// Each input (a file) is one input of the shard, as a TCP connection is for vigild. Receipt
// time is the clock's time when the session began, for every record: a replay is one instant
// of processing time, so no input goes idle in the middle of a file, and timestamps are
// believed unless they lie more than the future skew beyond that instant.
class replay_session {
public:
    replay_session(std::shared_ptr<const rules::rule_set> rules, const core::clock& clock,
                   replay_options options = {});

    // Records fed after this come from the input `name` (returned, to switch back to it): it
    // opens now, so event time waits for it as for a connection that was just accepted.
    core::input_id begin_input(std::string_view name);
    // Records fed after this come from `input` again.
    void switch_to(core::input_id input);
    // One record of the current input (a line; a JSON document).
    void feed(std::string_view record);
    // End of input: applies every match still waiting, then moves event time on to the newest
    // event plus `advance_ns` (inclusive): what only happens when time passes (absences,
    // windows that close) happens up to there.
    void finish(std::int64_t advance_ns = 0);
    // Moves event time to at least `watermark_ns` (tests): matches before it are applied,
    // timers due before it fire, later records before it are late.
    void advance_to(std::int64_t watermark_ns);

    // The processing time the session stands at (tests move it to see what idleness does).
    [[nodiscard]] core::manual_clock& processing_clock() { return clock_; }
    [[nodiscard]] correlate::correlator_shard& shard() { return shard_; }
    // Alerts and alert updates (same id, update set) in the order they were made.
    [[nodiscard]] const std::vector<alert::alert>& alerts() const { return alerts_; }
    // The final state of each alert, in the order alerts were first made.
    [[nodiscard]] std::vector<alert::alert> final_alerts() const;
    [[nodiscard]] const correlate::correlator_shard& shard() const { return shard_; }
    // What the shard last published for the worker step (quiet keys, evidence waiting).
    [[nodiscard]] std::shared_ptr<const correlate::quiet_keys> published() const {
        return quiet_.read(0);
    }
    [[nodiscard]] std::int64_t newest_ns() const { return shard_.newest_ns(); }
    [[nodiscard]] std::size_t records() const { return records_; }
    [[nodiscard]] std::uint64_t missing_keys() const { return missing_keys_; }
    // New alerts the rate limit folded into summary alerts.
    [[nodiscard]] std::uint64_t held_back() const { return guard_.held_back(); }

private:
    void flush();
    // Passes what the worker step and the shard made through the rate guard into alerts_.
    void take(std::vector<alert::alert>& made);

    std::shared_ptr<const rules::rule_set> rules_;
    core::manual_clock clock_; // the instant of processing time the replay is
    replay_options options_;
    correlate::quiet_board quiet_{1}; // the shard's quiet keys, for the worker step
    pipeline::worker_step step_;
    correlate::correlator_shard shard_;
    std::unique_ptr<core::raw_batch> batch_;
    core::input_id input_ = 0;
    std::uint64_t sequence_ = 0;
    std::size_t records_ = 0;
    std::uint64_t missing_keys_ = 0;
    alert::rate_guard guard_;
    incident::grader grader_;
    std::vector<alert::alert> alerts_;
};

} // namespace vigil::replay
