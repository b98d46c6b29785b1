#pragma once

#include "correlate/correlation_batch.hpp"

#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <vector>

namespace vigil::correlate {

// Matches that wait until the watermark passes them, then leave in one order that depends on
// their content only (ARCHITECTURE.md, "Time"): event time, correlation, key hash, rule
// positions, raw record hash. So the state of every key sees its events in the same order
// however the workers, shards, connections or partitions interleaved them on the way.
//
// Matches stay in the batches they came in (the buffer keeps those alive while any of their
// matches waits) and are filed by the second of their event time; a second's matches are
// sorted once, when it is released (a stream in order needs no sorting beyond ties). Owned by
// one correlator shard.
class reorder_buffer {
public:
    struct entry {
        std::int64_t time_ns = 0;
        std::uint32_t correlation = 0; // index into the batch's rule set
        std::uint32_t batch = 0;       // which held batch
        std::uint64_t slots = 0;
        std::uint64_t key_hash = 0;
        std::uint64_t record_hash = 0;
        std::uint32_t match = 0; // index into the batch's matches
    };
    // One waiting match: its batch (rule set and texts) and the match.
    struct pending {
        const correlation_batch& batch;
        const correlation_match& match;
    };

    // Files match `match` of `batch` (the batch is kept until its last filed match leaves).
    void add(const std::shared_ptr<const correlation_batch>& batch, std::uint32_t match);

    // Passes every match with event time before `watermark_ns` to `fn(pending)`, in order, and
    // forgets it. `ahead(distance, pending)` is told of the matches 4, 8 and 12 places ahead
    // (to prefetch what `fn` will read).
    template <typename Fn, typename Ahead>
    void release(std::int64_t watermark_ns, Fn&& fn, Ahead&& ahead) {
        while (!seconds_.empty()) {
            auto it = seconds_.begin();
            second& s = it->second;
            if (!s.sorted) {
                sort(s);
            }
            while (s.next < s.items.size() && s.items[s.next].time_ns < watermark_ns) {
                for (std::size_t distance : {12u, 8u, 4u}) {
                    if (s.next + distance < s.items.size() &&
                        s.items[s.next + distance].time_ns < watermark_ns) {
                        ahead(distance, pending_at(s.items[s.next + distance]));
                    }
                }
                const entry& e = s.items[s.next++];
                fn(pending_at(e));
                done(e.batch);
                --size_;
            }
            if (s.next < s.items.size()) {
                return; // the rest, and every later second, is not before the watermark
            }
            if (last_ == it) {
                last_ = seconds_.end();
            }
            seconds_.erase(it);
        }
    }

    // Every waiting match in the order release() would pass them (checkpoints).
    template <typename Fn>
    void for_each(Fn&& fn) {
        for (auto& [tick, s] : seconds_) {
            if (!s.sorted) {
                sort(s);
            }
            for (std::size_t i = s.next; i < s.items.size(); ++i) {
                fn(pending_at(s.items[i]));
            }
        }
    }

    [[nodiscard]] std::size_t size() const { return size_; }
    [[nodiscard]] bool empty() const { return size_ == 0; }
    // Event time of the oldest waiting match (only when not empty).
    [[nodiscard]] std::int64_t oldest_ns();
    // Batches kept alive for their waiting matches.
    [[nodiscard]] std::size_t held_batches() const { return batches_.size(); }
    void clear();

private:
    struct second {
        std::vector<entry> items;
        std::size_t next = 0; // items before it have left
        bool sorted = true;
    };
    struct held {
        std::shared_ptr<const correlation_batch> batch;
        std::uint32_t waiting = 0;
    };

    [[nodiscard]] pending pending_at(const entry& e) const {
        const held& h = batches_[e.batch - first_batch_];
        return pending{*h.batch, h.batch->matches[e.match]};
    }
    static bool before(const entry& a, const entry& b);
    static void sort(second& s);
    void done(std::uint32_t batch);

    std::map<std::int64_t, second> seconds_; // by the second of event time
    std::map<std::int64_t, second>::iterator last_ = seconds_.end(); // where the last add went
    std::int64_t last_tick_ = 0;
    std::deque<held> batches_;
    std::uint32_t first_batch_ = 0; // number of batches_.front()
    std::size_t size_ = 0;
};

} // namespace vigil::correlate
