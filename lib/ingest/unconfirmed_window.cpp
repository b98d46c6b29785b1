#include "ingest/unconfirmed_window.hpp"

#include <utility>

namespace vigil::ingest {

namespace {
// A wait that sees no durability this long (a full disk) looks again.
constexpr auto recheck = std::chrono::milliseconds(1000);
} // namespace

unconfirmed_window::unconfirmed_window(durable_acks& acks, std::size_t max_records)
    : acks_(acks), max_(max_records) {}

void unconfirmed_window::forget_durable() {
    const std::uint64_t durable = acks_.durable_sequence();
    while (!batches_.empty() && batches_.front().first <= durable) {
        records_ -= batches_.front().second;
        batches_.pop_front();
    }
}

bool unconfirmed_window::has_room() {
    forget_durable();
    return released_ || records_ < max_;
}

void unconfirmed_window::taken(std::uint64_t sequence, std::size_t records) {
    if (records == 0) {
        return;
    }
    batches_.emplace_back(sequence, records);
    records_ += records;
    since_request_ += records;
    // Every half window, one request covers everything taken so far: each costs a checkpoint
    // of every correlator shard, so they are spaced by records, not made per batch.
    if (since_request_ >= max_ / 2) {
        since_request_ = 0;
        acks_.request_durable(sequence);
    }
}

void unconfirmed_window::wait_for_room(std::function<void()> resume) {
    if (has_room()) {
        resume();
        return;
    }
    waiting_.push_back(std::move(resume));
    wait_for_durable();
}

void unconfirmed_window::wait_for_durable() {
    if (waiting_for_durable_ || batches_.empty()) {
        return;
    }
    // Wait until at most half the window is unconfirmed, so that reading resumes in strides.
    std::size_t remaining = records_;
    std::uint64_t target = batches_.back().first;
    for (const auto& [sequence, records] : batches_) {
        remaining -= records;
        if (remaining <= max_ / 2) {
            target = sequence;
            break;
        }
    }
    waiting_for_durable_ = true;
    acks_.when_durable(target, recheck, [this](bool) {
        waiting_for_durable_ = false;
        if (!has_room()) {
            wait_for_durable();
            return;
        }
        auto resume = std::move(waiting_);
        waiting_.clear();
        for (auto& r : resume) {
            r();
        }
    });
}

void unconfirmed_window::release_all() {
    released_ = true;
    auto resume = std::move(waiting_);
    waiting_.clear();
    for (auto& r : resume) {
        r();
    }
}

} // namespace vigil::ingest
