#pragma once

#include "core/raw_record.hpp"
#include "correlate/correlation_batch.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace vigil::correlate {

// Why a match was late (vigil_input_late_events_total{reason}).
enum class late_reason : std::uint8_t { behind_watermark, lagging_input };
inline constexpr std::size_t late_reason_count = 2;
[[nodiscard]] std::string_view to_string(late_reason reason);

struct watermark_limits {
    // How far behind its input's newest event time an event may arrive and still be applied in
    // order.
    std::int64_t allowed_lateness_ns = 30'000'000'000;
    // An input that received nothing for this long (processing time) stops holding time back.
    std::int64_t idle_timeout_ns = 10'000'000'000;
    // An input whose newest event is this far behind the leading input's is lagging: it stops
    // holding time back and its events are late.
    std::int64_t max_input_lag_ns = 300'000'000'000;
    // Inputs tracked at most; the records of further ones share one entry ("other inputs").
    std::size_t max_inputs = 4096;
};

// The event-time clock of one correlator shard (ARCHITECTURE.md, "Time"): a watermark per
// input, combined by minimum. Every shard sees the progress of every input batch in the same
// order (pipeline: batches are applied in sequence), so every shard computes the same
// watermark at the same point of the stream, whatever the worker or shard count.
//
//   input state  waiting   registered (a connection accepted, a partition assigned), no event
//                          yet: holds the watermark where it is
//                active    holds the watermark at (its newest event time - allowed lateness)
//                idle      nothing received for idle_timeout: does not hold it
//                lagging   newest event more than max_input_lag behind the leading input, while
//                          that one is live (within max_input_lag of processing time): does not
//                          hold it, and its events are late. (When every input is behind the
//                          wall clock - a backlog, old files - none is lagging: the slowest
//                          holds the others back and all are read in event-time order.)
//
// The combined watermark W never moves back. With no input holding it, once every record
// submitted has been processed, W follows processing time from the newest event seen.
//
// Processing time is the newest receipt time in the stream of batches (so that a backlog does
// not make busy inputs look idle), or the wall clock once the shard has caught up. Owned by one
// shard thread.
class input_watermarks {
public:
    static constexpr std::int64_t never = std::numeric_limits<std::int64_t>::min();
    static constexpr core::input_id other_inputs = ~core::input_id{0};

    enum class input_state : std::uint8_t { waiting, active, idle, lagging };

    struct input {
        std::string name;
        std::int64_t newest_event_ns = never;
        std::int64_t last_activity_ns = 0; // newest receipt, or when it opened
        input_state state = input_state::waiting;
        std::uint64_t records = 0;
        std::uint64_t future_skewed = 0;
        std::array<std::uint64_t, late_reason_count> late{}; // counted by this shard
    };

    explicit input_watermarks(watermark_limits limits);

    // The progress of one input batch: inputs that opened, what its records say of each input,
    // inputs that closed (call in that order: opened, observe, closed).
    void opened(const core::input_change& change);
    void observe(const input_progress& progress);
    void closed(const core::input_change& change);

    // Re-evaluates the inputs' states and moves the watermark. `now_ns`: the wall clock, used
    // only when `caught_up` (every record submitted to the pipeline has reached this shard).
    // Returns the watermark.
    std::int64_t settle(std::int64_t now_ns, bool caught_up);

    // Why a match of `input` at `time_ns` is late (its time is behind the watermark), if it is.
    [[nodiscard]] std::optional<late_reason> late(core::input_id from, std::int64_t time_ns) const;
    void count_late(core::input_id from, late_reason reason);

    [[nodiscard]] std::int64_t watermark_ns() const { return watermark_ns_; }
    // Newest event time of any input so far.
    [[nodiscard]] std::int64_t newest_ns() const { return newest_ns_; }
    [[nodiscard]] std::int64_t processing_ns() const { return processing_ns_; }
    // The leading input's newest event time (lags are measured from it).
    [[nodiscard]] std::int64_t leader_ns() const { return leader_ns_; }
    [[nodiscard]] const watermark_limits& limits() const { return limits_; }

    // Moves the watermark to at least `watermark_ns` whatever the inputs say (tests, the end of
    // a fixture case).
    void force(std::int64_t watermark_ns) { watermark_ns_ = std::max(watermark_ns_, watermark_ns); }

    // Continues from a checkpoint: the watermark and newest event time, no inputs (they
    // reconnect); processing time starts at `now_ns`, so that with no input the watermark
    // follows the wall clock from the restart.
    void restore(std::int64_t newest_ns, std::int64_t watermark_ns, std::int64_t now_ns);

    template <typename Fn>
    void for_each(Fn&& fn) const {
        for (const auto& [id, in] : inputs_) {
            fn(id, in);
        }
    }
    [[nodiscard]] std::size_t size() const { return inputs_.size(); }
    [[nodiscard]] const input* find(core::input_id id) const {
        auto it = inputs_.find(id);
        return it == inputs_.end() ? nullptr : &it->second;
    }

private:
    input& entry(core::input_id id, std::string_view name);

    watermark_limits limits_;
    std::unordered_map<core::input_id, input> inputs_;
    std::int64_t watermark_ns_ = never;
    std::int64_t newest_ns_ = never;
    std::int64_t processing_ns_ = never;
    std::int64_t last_receipt_ns_ = never; // newest receipt of any record
    std::int64_t leader_ns_ = never;
    std::int64_t settled_ns_ = never; // processing time of the last full evaluation
    bool changed_ = true;             // inputs opened or closed since then
};

} // namespace vigil::correlate
