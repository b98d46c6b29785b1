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
        push_near(it); // a second the wheel has reached
        return;
    }
    buckets_[static_cast<std::uint32_t>(tick) & (bucket_count - 1)].push_back(it);
    ++size_;
}

} // namespace vigil::correlate
