#include "correlate/timer_wheel.hpp"

#include <algorithm>

namespace vigil::correlate {

void timer_wheel::schedule(std::int64_t due_ns, item it) {
    std::int64_t tick = (due_ns + tick_ns - 1) / tick_ns; // the first tick at or after due_ns
    if (!started_) {
        position_ = tick - 1;
        started_ = true;
    } else if (tick <= position_) {
        tick = position_ + 1;
    }
    buckets_[static_cast<std::uint32_t>(tick) & (bucket_count - 1)].push_back(it);
    ++size_;
}

} // namespace vigil::correlate
