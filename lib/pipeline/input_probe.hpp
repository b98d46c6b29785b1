#pragma once

#include "core/metrics.hpp"
#include "correlate/correlator_shard.hpp"

#include <array>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace vigil::pipeline {

// The metrics of event time per input (ARCHITECTURE.md, "Time"). Inputs come and go (a TCP
// connection, a UDP sender), so their series are listed at scrape time from what the shards
// last published, not registered in advance:
//
//   vigil_inputs{state}                              inputs waiting, active, idle, lagging
//   vigil_input_watermark_lag_seconds{input}          how far the input's newest event is
//                                                     behind the leading input's
//   vigil_input_idle{input}, vigil_input_lagging{input}   1 or 0
//   vigil_input_events_total{input}                   records seen
//   vigil_input_future_skewed_total{input}            records re-timed to their receipt
//   vigil_input_late_events_total{input,reason}       late events (all shards together)
//
// Every shard sees every input's progress, so states, lags and counts of records come from
// shard 0; late events are counted by the shard that got the event's counting match, so
// those are summed over the shards.
class input_probe {
public:
    input_probe(core::metrics_registry& registry, std::size_t shards);

    // Shard thread: publishes the shard's view of its inputs.
    void publish(unsigned shard, const correlate::correlator_shard& s);

private:
    struct input_view {
        core::input_id id = 0;
        std::string name;
        correlate::input_watermarks::input_state state{};
        std::int64_t lag_seconds = 0;
        std::uint64_t records = 0;
        std::uint64_t future_skewed = 0;
        std::array<std::uint64_t, correlate::late_reason_count> late{};
    };
    using series = std::vector<std::pair<core::metric_labels, std::int64_t>>;
    // What the shards last published; shared with the registry's collectors, which may outlive
    // the pipeline.
    struct board {
        std::mutex mutex;
        std::vector<std::vector<input_view>> shards;

        void collect_states(series& out);
        void collect_per_input(series& out, std::int64_t (*value)(const input_view&));
        void collect_late(series& out);
    };

    std::shared_ptr<board> board_;
};

} // namespace vigil::pipeline
