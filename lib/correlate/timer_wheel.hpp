#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

namespace vigil::correlate {

// A hashed timing wheel over event time (one-second ticks, 4096 buckets: one turn is 68
// minutes). Items are (table, slot, generation) triples that say "look at this key again at
// this time"; the owner decides, when an item comes due, whether the key expires, fires (a
// window closes, an absence is confirmed) or needs another look later, and schedules again.
// Items of keys that were erased or reused meanwhile are recognised by their generation and
// dropped. Deadlines beyond one turn come up early and are simply scheduled again.
class timer_wheel {
public:
    struct item {
        std::uint32_t table = 0;
        std::uint32_t slot = 0;
        std::uint32_t generation = 0;
    };

    static constexpr std::int64_t tick_ns = 1'000'000'000;
    static constexpr std::uint32_t bucket_count = 4096;

    timer_wheel() : buckets_(bucket_count) {}

    // Schedules `it` for `due_ns` (event time). Deadlines at or before the wheel's position go
    // into the next tick.
    void schedule(std::int64_t due_ns, item it);

    // Moves the wheel to `now_ns`, passing every item of the ticks it crosses to `due(item)`.
    // Items scheduled by `due` for times already passed come up in the next call. `ahead(item)`
    // is told of items a few places before they are due (to prefetch what `due` will read).
    template <typename Fn, typename Ahead>
    void advance(std::int64_t now_ns, Fn&& due, Ahead&& ahead) {
        const std::int64_t target = floor_tick(now_ns);
        if (!started_) {
            position_ = target;
            started_ = true;
            return;
        }
        // A jump of more than a turn visits every bucket once.
        std::int64_t from = position_ + 1;
        if (target - position_ > static_cast<std::int64_t>(bucket_count)) {
            from = target - bucket_count + 1;
        }
        for (std::int64_t tick = from; tick <= target; ++tick) {
            position_ = tick;
            auto& bucket = buckets_[static_cast<std::uint32_t>(tick) & (bucket_count - 1)];
            if (bucket.empty()) {
                continue;
            }
            std::vector<item> ready;
            ready.swap(bucket);
            size_ -= ready.size();
            constexpr std::size_t distance = 8;
            for (std::size_t i = 0; i < ready.size(); ++i) {
                if (i + distance < ready.size()) {
                    ahead(ready[i + distance]);
                }
                due(ready[i]);
            }
        }
        position_ = std::max(position_, target);
    }

    [[nodiscard]] std::size_t size() const { return size_; }
    [[nodiscard]] std::int64_t position_ns() const { return position_ * tick_ns; }

private:
    static std::int64_t floor_tick(std::int64_t ns) {
        return ns >= 0 ? ns / tick_ns : -((-ns + tick_ns - 1) / tick_ns);
    }

    std::vector<std::vector<item>> buckets_;
    std::int64_t position_ = 0; // last tick processed
    bool started_ = false;
    std::size_t size_ = 0;
};

} // namespace vigil::correlate
