#pragma once

#include <algorithm>
#include <cstdint>
#include <limits>
#include <tuple>
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
// t, in the order of their due times, and no other. Buckets are whole seconds; when the wheel
// reaches a second, that second's items are sorted by due time once and then leave from the
// front of a short list, so moving within a second costs a comparison.
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

    // Whether advance(now_ns) has anything to do (cheap: a comparison).
    [[nodiscard]] bool has_due_before(std::int64_t now_ns) const {
        return now_ns > quiet_through_ns_;
    }

    // Moves the wheel to `now_ns`, passing every item due before it to `due(item)`, earliest
    // first; items `due` schedules for times before `now_ns` come up in the same call.
    // `ahead(item)` is told of items a few places before they are due (to prefetch what `due`
    // will read).
    template <typename Fn, typename Ahead>
    void advance(std::int64_t now_ns, Fn&& due, Ahead&& ahead) {
        if (!has_due_before(now_ns)) {
            return;
        }
        const std::int64_t target = floor_tick(now_ns);
        if (!started_) {
            position_ = target - 1;
            started_ = true;
        }
        std::int64_t from = position_ + 1;
        if (target - position_ > static_cast<std::int64_t>(bucket_count)) {
            // A jump of more than a turn: what is due before the turns it visits comes first.
            from = target - bucket_count + 1;
            for (auto& bucket : buckets_) {
                take(bucket, from - 1);
            }
            sort_reached();
        }
        for (std::int64_t tick = from; tick <= target; ++tick) {
            // Everything reached so far is due before `tick`, so before now and before what
            // this tick brings.
            hand_over(now_ns, due, ahead);
            position_ = tick;
            if (take(buckets_[static_cast<std::uint32_t>(tick) & (bucket_count - 1)], tick)) {
                sort_reached();
            }
        }
        hand_over(now_ns, due, ahead);
        quiet_through_ns_ = (position_ + 1) * tick_ns - 1;
        if (!reached_.empty()) {
            quiet_through_ns_ = std::min(quiet_through_ns_, reached_.back().due_ns);
        }
    }

    [[nodiscard]] std::size_t size() const { return size_ + reached_.size(); }

private:
    static std::int64_t floor_tick(std::int64_t ns) {
        return ns >= 0 ? ns / tick_ns : -((-ns + tick_ns - 1) / tick_ns);
    }
    // Later first: reached_ leaves from its back. Ties in due time go by key, so the order
    // never depends on the sorting algorithm.
    static bool later(const item& a, const item& b) {
        return std::tie(a.due_ns, a.table, a.slot, a.generation) >
               std::tie(b.due_ns, b.table, b.slot, b.generation);
    }
    // Moves the items of `bucket` due in or before `tick` into reached_ (unsorted); true if any.
    bool take(std::vector<item>& bucket, std::int64_t tick);
    void sort_reached() { std::sort(reached_.begin(), reached_.end(), later); }
    // Files `it` in reached_ in order (an item for a second the wheel has reached).
    void insert_reached(const item& it);

    template <typename Fn, typename Ahead>
    void hand_over(std::int64_t now_ns, Fn& due, Ahead& ahead) {
        constexpr std::size_t distance = 8;
        while (!reached_.empty() && reached_.back().due_ns < now_ns) {
            const item it = reached_.back();
            reached_.pop_back();
            if (reached_.size() > distance) {
                ahead(reached_[reached_.size() - 1 - distance]);
            }
            due(it);
        }
    }

    std::vector<std::vector<item>> buckets_;
    std::vector<item> reached_; // items of reached seconds, latest first
    std::int64_t position_ = 0; // last second moved into reached_
    bool started_ = false;
    std::size_t size_ = 0; // items in buckets
    // advance() to any time up to this has nothing to do.
    std::int64_t quiet_through_ns_ = std::numeric_limits<std::int64_t>::min();
};

} // namespace vigil::correlate
