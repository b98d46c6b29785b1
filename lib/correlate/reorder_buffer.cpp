#include "correlate/reorder_buffer.hpp"

#include "correlate/timer_wheel.hpp"

#include <algorithm>
#include <tuple>

namespace vigil::correlate {
namespace {

std::int64_t second_of(std::int64_t ns) {
    constexpr std::int64_t s = timer_wheel::tick_ns;
    return ns >= 0 ? ns / s : -((-ns + s - 1) / s);
}

} // namespace

bool reorder_buffer::before(const entry& a, const entry& b) {
    return std::tie(a.time_ns, a.correlation, a.key_hash, a.slots, a.record_hash) <
           std::tie(b.time_ns, b.correlation, b.key_hash, b.slots, b.record_hash);
}

void reorder_buffer::sort(second& s) {
    // Stable, so that the order of entries equal in every compared part (the same record twice)
    // does not depend on the sorting algorithm.
    std::stable_sort(s.items.begin() + static_cast<std::ptrdiff_t>(s.next), s.items.end(), before);
    s.sorted = true;
}

void reorder_buffer::add(const std::shared_ptr<const correlation_batch>& batch,
                         std::uint32_t match) {
    // Batch numbers: batches_[i] is number first_batch_ + i (wrapping).
    if (batches_.empty() || batches_.back().batch.get() != batch.get()) {
        batches_.push_back({batch, 0});
    }
    held& h = batches_.back();
    ++h.waiting;
    const correlation_match& m = batch->matches[match];
    entry e{m.time_ns,  m.correlation, first_batch_ + static_cast<std::uint32_t>(batches_.size() - 1),
            m.slots,    m.key_hash,    m.record_hash,
            match};
    const std::int64_t tick = second_of(m.time_ns);
    if (last_ == seconds_.end() || last_tick_ != tick) {
        last_ = seconds_.try_emplace(tick).first;
        last_tick_ = tick;
    }
    second& s = last_->second;
    if (s.sorted && s.items.size() > s.next && before(e, s.items.back())) {
        s.sorted = false;
    }
    s.items.push_back(e);
    ++size_;
}

void reorder_buffer::done(std::uint32_t batch) {
    --batches_[batch - first_batch_].waiting;
    while (!batches_.empty() && batches_.front().waiting == 0) {
        batches_.pop_front();
        ++first_batch_;
    }
}

std::int64_t reorder_buffer::oldest_ns() {
    auto& s = seconds_.begin()->second;
    if (!s.sorted) {
        sort(s);
    }
    return s.items[s.next].time_ns;
}

void reorder_buffer::clear() {
    seconds_.clear();
    last_ = seconds_.end();
    batches_.clear();
    size_ = 0;
}

} // namespace vigil::correlate
