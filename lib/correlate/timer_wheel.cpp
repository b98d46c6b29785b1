#include "correlate/timer_wheel.hpp"

namespace vigil::correlate {

void timer_wheel::schedule(std::int64_t due_ns, item it) {
    it.due_ns = due_ns;
    const std::int64_t tick = floor_tick(due_ns);
    if (!started_) {
        position_ = tick - 1;
        started_ = true;
    }
    if (tick <= position_) {
        insert_reached(it);
        return;
    }
    buckets_[static_cast<std::uint32_t>(tick) & (bucket_count - 1)].push_back(it);
    ++size_;
}

bool timer_wheel::take(std::vector<item>& bucket, std::int64_t tick) {
    if (bucket.empty()) {
        return false;
    }
    // Items a turn or more ahead stay for a later turn.
    std::size_t kept = 0;
    for (const item& it : bucket) {
        if (floor_tick(it.due_ns) <= tick) {
            reached_.push_back(it);
        } else {
            bucket[kept++] = it;
        }
    }
    const std::size_t taken = bucket.size() - kept;
    size_ -= taken;
    bucket.resize(kept);
    return taken > 0;
}

void timer_wheel::insert_reached(const item& it) {
    reached_.insert(std::upper_bound(reached_.begin(), reached_.end(), it, later), it);
    quiet_through_ns_ = std::min(quiet_through_ns_, it.due_ns);
}

} // namespace vigil::correlate
