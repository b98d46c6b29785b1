#include "correlate/reorder_buffer.hpp"

#include <tuple>

namespace vigil::correlate {

bool reorder_buffer::tie_before(const correlation_match& a, const correlation_match& b) {
    return std::tie(a.key_hash, a.correlation, a.slots, a.record_hash) <
           std::tie(b.key_hash, b.correlation, b.slots, b.record_hash);
}

void reorder_buffer::add(std::shared_ptr<const correlation_batch> batch,
                         std::span<const std::uint32_t> skip, bool in_order) {
    const auto& matches = batch->matches;
    const auto n = static_cast<std::uint32_t>(matches.size());
    if (n == skip.size()) {
        return;
    }
    if (free_runs_.empty()) {
        free_runs_.push_back(static_cast<std::uint32_t>(runs_.size()));
        runs_.emplace_back();
    }
    const std::uint32_t at = free_runs_.back();
    free_runs_.pop_back();
    run& r = runs_[at];
    // A run without an index list is the whole batch, as it is.
    const bool as_is = in_order && skip.empty();
    if (!as_is) {
        r.order.reserve(n - skip.size());
        std::size_t s = 0;
        for (std::uint32_t i = 0; i < n; ++i) {
            if (s < skip.size() && skip[s] == i) {
                ++s;
            } else {
                r.order.push_back(i);
            }
        }
        if (!in_order) {
            // Matches equal in every compared part are the same record twice: either order
            // applies the same.
            std::sort(r.order.begin(), r.order.end(), [&](std::uint32_t x, std::uint32_t y) {
                return before(matches[x], matches[y]);
            });
        }
    }
    r.batch = std::move(batch);
    r.serial = next_serial_++;
    r.persisted = false;
    r.persisted_from = 0;
    r.next = 0;
    r.end = as_is ? n : static_cast<std::uint32_t>(r.order.size());
    size_ += r.end;
    heap_.push_back(at);
    sift_up(heap_.size() - 1);
}

void reorder_buffer::retire_top() {
    const std::uint32_t done = heap_.front();
    run& r = runs_[done];
    if (r.persisted) {
        retired_.push_back(r.serial);
    }
    r.batch.reset();
    r.order.clear(); // keeps its storage for the next run
    free_runs_.push_back(done);
    heap_.front() = heap_.back();
    heap_.pop_back();
    if (heap_.size() > 1) {
        sift_down(0);
    }
}

void reorder_buffer::forget_persisted() {
    for (const std::uint32_t at : heap_) {
        runs_[at].persisted = false;
    }
    retired_.clear();
}

void reorder_buffer::sift_down(std::size_t at) {
    const std::size_t n = heap_.size();
    for (;;) {
        std::size_t least = at;
        for (std::size_t child = 2 * at + 1; child <= 2 * at + 2 && child < n; ++child) {
            if (before(head(heap_[child]), head(heap_[least]))) {
                least = child;
            }
        }
        if (least == at) {
            return;
        }
        std::swap(heap_[at], heap_[least]);
        at = least;
    }
}

void reorder_buffer::sift_up(std::size_t at) {
    while (at > 0) {
        const std::size_t parent = (at - 1) / 2;
        if (!before(head(heap_[at]), head(heap_[parent]))) {
            return;
        }
        std::swap(heap_[at], heap_[parent]);
        at = parent;
    }
}

} // namespace vigil::correlate
