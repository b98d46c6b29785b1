#include "pipeline/input_probe.hpp"

#include <map>

namespace vigil::pipeline {
namespace {

using state = correlate::input_watermarks::input_state;

constexpr std::array<std::pair<state, const char*>, 4> state_names{{
    {state::waiting, "waiting"},
    {state::active, "active"},
    {state::idle, "idle"},
    {state::lagging, "lagging"},
}};

} // namespace

input_probe::input_probe(core::metrics_registry& registry, std::size_t shards)
    : board_(std::make_shared<board>()) {
    board_->shards.resize(std::max<std::size_t>(1, shards));
    auto b = board_;
    using kind = core::metrics_registry::kind;
    registry.add_collector("vigil_inputs",
                           "Inputs (connections, senders, partitions) by event-time state.",
                           kind::gauge, [b](series& out) { b->collect_states(out); });
    registry.add_collector(
        "vigil_input_watermark_lag_seconds",
        "How far an input's newest event time is behind the leading input's, in seconds.",
        kind::gauge, [b](series& out) {
            b->collect_per_input(out, [](const input_view& v) { return v.lag_seconds; });
        });
    registry.add_collector("vigil_input_idle",
                           "1 when an input received nothing for correlation.idle_timeout.",
                           kind::gauge, [b](series& out) {
                               b->collect_per_input(out, [](const input_view& v) -> std::int64_t {
                                   return v.state == state::idle ? 1 : 0;
                               });
                           });
    registry.add_collector(
        "vigil_input_lagging",
        "1 when an input's events are more than correlation.max_input_lag behind the leading "
        "input's (its events are late).",
        kind::gauge, [b](series& out) {
            b->collect_per_input(out, [](const input_view& v) -> std::int64_t {
                return v.state == state::lagging ? 1 : 0;
            });
        });
    registry.add_collector("vigil_input_events_total",
                           "Events per input (a batch document counts each of its records).",
                           kind::counter, [b](series& out) {
                               b->collect_per_input(out, [](const input_view& v) {
                                   return static_cast<std::int64_t>(v.records);
                               });
                           });
    registry.add_collector(
        "vigil_input_future_skewed_total",
        "Records whose time was more than time.max_future_skew ahead of their receipt (re-timed "
        "to their receipt), per input.",
        kind::counter, [b](series& out) {
            b->collect_per_input(out, [](const input_view& v) {
                return static_cast<std::int64_t>(v.future_skewed);
            });
        });
    registry.add_collector(
        "vigil_input_late_events_total",
        "Events behind the correlator's watermark when they arrived, per input and reason.",
        kind::counter, [b](series& out) { b->collect_late(out); });
}

void input_probe::publish(unsigned shard, const correlate::correlator_shard& s) {
    std::vector<input_view> views;
    const auto& inputs = s.inputs();
    const std::int64_t leader = inputs.leader_ns();
    inputs.for_each([&](core::input_id id, const correlate::input_watermarks::input& in) {
        input_view& v = views.emplace_back();
        v.id = id;
        v.name = in.name;
        v.state = in.state;
        if (leader != correlate::input_watermarks::never &&
            in.newest_event_ns != correlate::input_watermarks::never) {
            v.lag_seconds = std::max<std::int64_t>(0, leader - in.newest_event_ns) / 1'000'000'000;
        }
        v.records = in.records;
        v.future_skewed = in.future_skewed;
        v.late = in.late;
    });
    std::lock_guard lock(board_->mutex);
    if (shard < board_->shards.size()) {
        board_->shards[shard] = std::move(views);
    }
}

void input_probe::board::collect_states(series& out) {
    std::lock_guard lock(mutex);
    for (const auto& [st, name] : state_names) {
        std::int64_t n = 0;
        for (const auto& v : shards.front()) {
            n += v.state == st ? 1 : 0;
        }
        out.push_back({{{"state", name}}, n});
    }
}

void input_probe::board::collect_per_input(series& out, std::int64_t (*value)(const input_view&)) {
    std::lock_guard lock(mutex);
    for (const auto& v : shards.front()) {
        out.push_back({{{"input", v.name}}, value(v)});
    }
}

void input_probe::board::collect_late(series& out) {
    std::lock_guard lock(mutex);
    // By input id, named as shard 0 knows it (any shard's name will do otherwise).
    std::map<core::input_id,
             std::pair<std::string, std::array<std::uint64_t, correlate::late_reason_count>>>
        sums;
    for (const auto& shard : shards) {
        for (const auto& v : shard) {
            auto& [name, late] = sums[v.id];
            if (name.empty()) {
                name = v.name;
            }
            for (std::size_t r = 0; r < late.size(); ++r) {
                late[r] += v.late[r];
            }
        }
    }
    for (const auto& [id, entry] : sums) {
        for (std::size_t r = 0; r < correlate::late_reason_count; ++r) {
            out.push_back({{{"input", entry.first},
                            {"reason", std::string(correlate::to_string(
                                           static_cast<correlate::late_reason>(r)))}},
                           static_cast<std::int64_t>(entry.second[r])});
        }
    }
}

} // namespace vigil::pipeline
