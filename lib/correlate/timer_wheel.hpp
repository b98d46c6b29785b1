#pragma once

#include <algorithm>
#include <cstdint>
#include <functional>
#include <vector>

namespace vigil::correlate {

// A hashed timing wheel over event time (one-second ticks, 4096 buckets: one turn is 68
// minutes) with exact deadlines. Items are (table, slot, generation) triples with a due time
// that say "look at this key again at this time"; the owner decides, when an item comes due,
// whether the key expires, fires (a window closes, an absence is confirmed) or needs another
// look later, and schedules again. Items of keys that were erased or reused meanwhile are
// recognised by their generation and dropped. Deadlines beyond one turn wait in their bucket
// for the turn they belong to.
//
// Exactness (ARCHITECTURE.md, "Time"): advance(t) hands over every item due strictly before
// t, in the order of their due times, and no other. Buckets are whole seconds; the items of
// the seconds the wheel has reached wait in a small heap ordered by due time, so that moving
// within one second costs a look at the heap's top.
class timer_wheel {
public:
    struct item {
        std::uint32_t table = 0;
        std::uint32_t slot = 0;
        std::uint32_t generation = 0;
        std::int64_t due_ns = 0;
    };

    static constexpr std::int64_t tick_ns = 1'000'000'000;
    static constexpr std::uint32_t bucket_count = 4096;

    timer_wheel() : buckets_(bucket_count) {}

    // Schedules `it` for `due_ns` (event time).
    void schedule(std::int64_t due_ns, item it);

    // Moves the wheel to `now_ns`, passing every item due before it to `due(item)`, earliest
    // first; items `due` schedules for times before `now_ns` come up in the same call.
    // `ahead(item)` is told of items a few places before they are due (to prefetch what `due`
    // will read).
    template <typename Fn, typename Ahead>
    void advance(std::int64_t now_ns, Fn&& due, Ahead&& ahead) {
        const std::int64_t target = floor_tick(now_ns);
        if (!started_) {
            position_ = target;
            started_ = true;
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
            // Items a turn or more ahead stay for a later turn.
            std::size_t kept = 0;
            for (const item& it : bucket) {
                if (floor_tick(it.due_ns) <= tick) {
                    push_near(it);
                } else {
                    bucket[kept++] = it;
                }
            }
            size_ -= bucket.size() - kept;
            bucket.resize(kept);
        }
        position_ = std::max(position_, target);
        constexpr std::size_t distance = 8;
        while (!near_.empty() && near_.front().due_ns < now_ns) {
            std::pop_heap(near_.begin(), near_.end(), later);
            const item it = near_.back();
            near_.pop_back();
            if (near_.size() > distance) {
                ahead(near_[distance]);
            }
            due(it);
        }
    }

    [[nodiscard]] std::size_t size() const { return size_ + near_.size(); }

private:
    static std::int64_t floor_tick(std::int64_t ns) {
        return ns >= 0 ? ns / tick_ns : -((-ns + tick_ns - 1) / tick_ns);
    }
    static bool later(const item& a, const item& b) { return a.due_ns > b.due_ns; }
    void push_near(const item& it) {
        near_.push_back(it);
        std::push_heap(near_.begin(), near_.end(), later);
    }

    std::vector<std::vector<item>> buckets_;
    std::vector<item> near_;    // items of reached ticks, a min-heap by due time
    std::int64_t position_ = 0; // last tick moved into near_
    bool started_ = false;
    std::size_t size_ = 0;      // items in buckets
};

} // namespace vigil::correlate
