#include "correlate/input_watermarks.hpp"

#include <algorithm>

namespace vigil::correlate {
namespace {

// With many inputs, a full evaluation at most this often (processing time) unless inputs
// opened or closed: holding the watermark back a little longer is always safe.
constexpr std::int64_t busy_settle_interval_ns = 1'000'000;
constexpr std::size_t busy_input_count = 64;
// Idle inputs are forgotten after this long (or 30 idle timeouts, if that is longer).
constexpr std::int64_t forget_after_ns = 600'000'000'000;

} // namespace

std::string_view to_string(late_reason reason) {
    switch (reason) {
    case late_reason::behind_watermark:
        return "behind_watermark";
    case late_reason::lagging_input:
        return "lagging_input";
    }
    return "unknown";
}

input_watermarks::input_watermarks(watermark_limits limits) : limits_(limits) {}

input_watermarks::input& input_watermarks::entry(core::input_id id, std::string_view name) {
    if (auto it = inputs_.find(id); it != inputs_.end()) {
        return it->second;
    }
    if (inputs_.size() >= limits_.max_inputs) {
        id = other_inputs;
        name = "other inputs";
    }
    auto [it, inserted] = inputs_.try_emplace(id);
    if (inserted) {
        it->second.name = name.empty() ? "input " + std::to_string(id) : std::string(name);
        it->second.last_activity_ns = processing_ns_ == never ? 0 : processing_ns_;
        changed_ = true;
    }
    return it->second;
}

void input_watermarks::opened(const core::input_change& change) {
    processing_ns_ = std::max(processing_ns_, change.at_ns);
    input& in = entry(change.input, change.name);
    in.last_activity_ns = std::max(in.last_activity_ns, change.at_ns);
    changed_ = true;
}

void input_watermarks::observe(const input_progress& progress) {
    input& in = entry(progress.input, progress.name);
    if (progress.records != 0) {
        in.newest_event_ns = std::max(in.newest_event_ns, progress.newest_event_ns);
        in.last_activity_ns = std::max(in.last_activity_ns, progress.newest_receipt_ns);
        newest_ns_ = std::max(newest_ns_, progress.newest_event_ns);
        processing_ns_ = std::max(processing_ns_, progress.newest_receipt_ns);
        last_receipt_ns_ = std::max(last_receipt_ns_, progress.newest_receipt_ns);
        if (in.state == input_state::waiting || in.state == input_state::idle) {
            in.state = input_state::active;
            changed_ = true;
        }
    }
    in.records += progress.records;
    in.future_skewed += progress.future_skewed;
}

void input_watermarks::closed(const core::input_change& change) {
    processing_ns_ = std::max(processing_ns_, change.at_ns);
    if (inputs_.erase(change.input) != 0) {
        changed_ = true;
    }
}

std::int64_t input_watermarks::settle(std::int64_t now_ns, bool caught_up) {
    if (caught_up) {
        processing_ns_ = std::max(processing_ns_, now_ns);
    }
    if (!changed_ && inputs_.size() > busy_input_count && settled_ns_ != never &&
        processing_ns_ - settled_ns_ < busy_settle_interval_ns) {
        return watermark_ns_;
    }
    settled_ns_ = processing_ns_;
    changed_ = false;
    const std::int64_t forget = std::max(forget_after_ns, 30 * limits_.idle_timeout_ns);
    std::erase_if(inputs_, [&](const auto& item) {
        return processing_ns_ - item.second.last_activity_ns > forget;
    });

    // States, and the leading input: the most advanced active input, counting none as further
    // ahead than its own receipt time (a sender whose clock runs ahead cannot make the others
    // look lagging).
    leader_ns_ = never;
    for (auto& [id, in] : inputs_) {
        if (processing_ns_ - in.last_activity_ns > limits_.idle_timeout_ns) {
            in.state = input_state::idle;
        } else if (in.newest_event_ns == never) {
            in.state = input_state::waiting;
        } else {
            in.state = input_state::active;
            leader_ns_ = std::max(leader_ns_, std::min(in.newest_event_ns, in.last_activity_ns));
        }
    }
    // Lagging is judged against a live leader only: when every input is behind the wall clock
    // (a backlog being caught up, old files replayed), inputs behind the others are read in
    // order, not dropped as lagging.
    const bool live_leader =
        leader_ns_ != never && leader_ns_ >= processing_ns_ - limits_.max_input_lag_ns;
    bool holding = false;
    std::int64_t low = std::numeric_limits<std::int64_t>::max();
    for (auto& [id, in] : inputs_) {
        if (in.state == input_state::active && live_leader &&
            in.newest_event_ns < leader_ns_ - limits_.max_input_lag_ns) {
            in.state = input_state::lagging;
        }
        if (in.state == input_state::waiting) {
            holding = true;
            low = std::min(low, watermark_ns_);
        } else if (in.state == input_state::active) {
            holding = true;
            low = std::min(low, in.newest_event_ns - limits_.allowed_lateness_ns);
        }
    }
    if (holding) {
        watermark_ns_ = std::max(watermark_ns_, low);
    } else if (caught_up && newest_ns_ != never && last_receipt_ns_ != never) {
        // Nothing holds time back and nothing is on its way: event time moves on with the wall
        // clock from the newest event, so windows still close and silences are still noticed.
        watermark_ns_ = std::max(watermark_ns_, newest_ns_ - limits_.allowed_lateness_ns +
                                                    (processing_ns_ - last_receipt_ns_));
    }
    return watermark_ns_;
}

std::optional<late_reason> input_watermarks::late(core::input_id from, std::int64_t time_ns) const {
    if (watermark_ns_ == never || time_ns >= watermark_ns_) {
        return std::nullopt;
    }
    if (auto it = inputs_.find(from);
        it != inputs_.end() && it->second.state == input_state::lagging) {
        return late_reason::lagging_input;
    }
    return late_reason::behind_watermark;
}

void input_watermarks::count_late(core::input_id from, late_reason reason) {
    auto it = inputs_.find(from);
    if (it == inputs_.end()) {
        it = inputs_.find(other_inputs);
    }
    if (it != inputs_.end()) {
        ++it->second.late[static_cast<std::size_t>(reason)];
    }
}

void input_watermarks::restore(std::int64_t newest_ns, std::int64_t watermark_ns,
                               std::int64_t now_ns) {
    newest_ns_ = std::max(newest_ns_, newest_ns);
    watermark_ns_ = std::max(watermark_ns_, watermark_ns);
    processing_ns_ = std::max(processing_ns_, now_ns);
    last_receipt_ns_ = std::max(last_receipt_ns_, now_ns);
    changed_ = true;
}

} // namespace vigil::correlate
