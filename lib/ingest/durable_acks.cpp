#include "ingest/durable_acks.hpp"

#include <utility>

namespace vigil::ingest {

namespace {
constexpr auto poll_interval = std::chrono::microseconds(500);
}

durable_acks::durable_acks(boost::asio::io_context& io, durability_tracker& tracker)
    : tracker_(tracker), timer_(io) {}

void durable_acks::when_durable(std::uint64_t sequence, std::chrono::milliseconds timeout,
                                done_fn done) {
    if (sequence <= tracker_.durable_sequence()) {
        done(true);
        return;
    }
    tracker_.request_durable(sequence);
    waiters_.push_back({sequence, std::chrono::steady_clock::now() + timeout, std::move(done)});
    if (!polling_) {
        polling_ = true;
        timer_.expires_after(poll_interval);
        timer_.async_wait([this](boost::system::error_code) { poll(); });
    }
}

void durable_acks::poll() {
    const std::uint64_t durable = tracker_.durable_sequence();
    const auto now = std::chrono::steady_clock::now();
    // Callbacks may add waiters: answer from a copy of the ones that are due.
    std::vector<std::pair<done_fn, bool>> due;
    std::erase_if(waiters_, [&](waiter& w) {
        if (w.sequence <= durable || now >= w.deadline) {
            due.emplace_back(std::move(w.done), w.sequence <= durable);
            return true;
        }
        return false;
    });
    for (auto& [done, durable_now] : due) {
        done(durable_now);
    }
    if (waiters_.empty()) {
        polling_ = false;
        return;
    }
    timer_.expires_after(poll_interval);
    timer_.async_wait([this](boost::system::error_code) { poll(); });
}

} // namespace vigil::ingest
