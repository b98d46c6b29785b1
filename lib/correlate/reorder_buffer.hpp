#pragma once

#include "correlate/correlation_batch.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <span>
#include <vector>

namespace vigil::correlate {

// Matches that wait until the watermark passes them, then leave in one order that depends on
// their content only (ARCHITECTURE.md, "Time"): event time, key hash, correlation, rule
// positions, raw record hash. So the state of every key sees its events in the same order
// however the workers, shards, connections or partitions interleaved them on the way.
//
// Matches stay in the batches they came in (the buffer keeps a batch alive while any of its
// matches waits). The waiting matches of one batch form a run: a batch already in that order
// (a stream in time order) is used as it is, any other gets a sorted list of its match
// indices. release() merges the runs by their first waiting match and hands them out in
// stretches (a run's matches before the next run's first); runs of a stream in order follow
// one another, so that merging costs little more than a binary search per batch. Owned by one
// correlator shard.
class reorder_buffer {
public:
    // Whether `a` leaves before `b`.
    static bool before(const correlation_match& a, const correlation_match& b) {
        if (a.time_ns != b.time_ns) {
            return a.time_ns < b.time_ns;
        }
        return tie_before(a, b);
    }

    // Files every match of `batch` but those at the indices in `skip` (ascending); the batch
    // is kept until its last filed match leaves. `in_order`: the caller saw that the filed
    // matches already come in the order they leave in (false: they are sorted here).
    void add(std::shared_ptr<const correlation_batch> batch, std::span<const std::uint32_t> skip,
             bool in_order);

    // Consecutive waiting matches of one batch that leave one after another, in order.
    struct stretch {
        const correlation_batch& batch;
        const std::uint32_t* order; // indices into batch.matches, or null: matches as they are
        std::uint32_t first;
        std::uint32_t count;
        [[nodiscard]] std::uint32_t size() const { return count; }
        [[nodiscard]] const correlation_match& operator[](std::uint32_t k) const {
            return batch.matches[order ? order[first + k] : first + k];
        }
    };

    // Passes every match with event time before `watermark_ns` to `fn(stretch)`, stretch by
    // stretch in order, and forgets it.
    template <typename Fn>
    void release(std::int64_t watermark_ns, Fn&& fn) {
        while (!heap_.empty()) {
            run& r = runs_[heap_.front()];
            if (r.at(r.next).time_ns >= watermark_ns) {
                return;
            }
            // The head is the least waiting match; after it, the run's matches before the
            // next run's first leave without looking at the other runs.
            const std::uint32_t end = r.end_before(std::min(watermark_ns, runner_up_ns()));
            fn(stretch{*r.batch, r.order.empty() ? nullptr : r.order.data(), r.next, end - r.next});
            size_ -= end - r.next;
            r.next = end;
            if (end == r.end) {
                retire_top();
            } else if (heap_.size() > 1) {
                sift_down(0);
            }
        }
    }

    // Checkpoints write each run once, in a segment of its own (alert::shard_checkpoint), and
    // drop the segment once the run's last match has left. Runs are numbered by `serial`.
    // Passes every run not written yet to `fn(serial, stretch of its waiting matches)` and
    // marks it written.
    template <typename Fn>
    void persist_new(Fn&& fn) {
        for (const std::uint32_t at : heap_) {
            run& r = runs_[at];
            if (!r.persisted) {
                fn(r.serial, stretch{*r.batch, r.order.empty() ? nullptr : r.order.data(), r.next,
                                     r.end - r.next});
                r.persisted = true;
                r.persisted_from = r.next;
            }
        }
    }
    // `fn(serial, left)` for every written run that still waits: `left` of the matches in its
    // segment have left since.
    template <typename Fn>
    void for_each_persisted(Fn&& fn) const {
        for (const std::uint32_t at : heap_) {
            const run& r = runs_[at];
            if (r.persisted) {
                fn(r.serial, r.next - r.persisted_from);
            }
        }
    }
    // Written runs whose matches have all left since the last call.
    [[nodiscard]] std::vector<std::uint64_t> take_retired() { return std::move(retired_); }
    // Forgets what was written: the next persist_new passes every run.
    void forget_persisted();

    [[nodiscard]] std::size_t size() const { return size_; }
    [[nodiscard]] bool empty() const { return size_ == 0; }
    // Batches kept alive for their waiting matches.
    [[nodiscard]] std::size_t held_batches() const { return heap_.size(); }

private:
    struct run {
        std::shared_ptr<const correlation_batch> batch;
        // Indices into batch->matches in the order they leave; empty: all of them, as they are.
        std::vector<std::uint32_t> order;
        std::uint32_t next = 0; // position of the first waiting match
        std::uint32_t end = 0;
        std::uint64_t serial = 0;         // names its checkpoint segment
        bool persisted = false;           // written in a segment
        std::uint32_t persisted_from = 0; // `next` when it was written
        [[nodiscard]] const correlation_match& at(std::uint32_t i) const {
            return batch->matches[order.empty() ? i : order[i]];
        }
        // The position after `next` of the first match at or after `limit_ns` (the head
        // leaves in any case: it is the least waiting match).
        [[nodiscard]] std::uint32_t end_before(std::int64_t limit_ns) const {
            std::uint32_t low = next + 1;
            std::uint32_t high = end;
            while (low < high) {
                const std::uint32_t mid = low + (high - low) / 2;
                if (at(mid).time_ns < limit_ns) {
                    low = mid + 1;
                } else {
                    high = mid;
                }
            }
            return low;
        }
    };

    static bool tie_before(const correlation_match& a, const correlation_match& b);
    [[nodiscard]] const correlation_match& head(std::uint32_t r) const {
        return runs_[r].at(runs_[r].next);
    }
    // Event time of the first waiting match of the runs after the top one (or none).
    [[nodiscard]] std::int64_t runner_up_ns() const {
        std::int64_t t = std::numeric_limits<std::int64_t>::max();
        for (std::size_t k = 1; k <= 2 && k < heap_.size(); ++k) {
            t = std::min(t, head(heap_[k]).time_ns);
        }
        return t;
    }
    // The top run has no more waiting matches: frees it and takes it out of the merge.
    void retire_top();
    void sift_down(std::size_t at);
    void sift_up(std::size_t at);

    std::vector<run> runs_;
    std::vector<std::uint32_t> free_runs_;
    std::vector<std::uint32_t> heap_; // runs with waiting matches, a min-heap by first match
    std::size_t size_ = 0;
    std::uint64_t next_serial_ = 1;
    std::vector<std::uint64_t> retired_; // written runs that finished since take_retired()
};

} // namespace vigil::correlate
