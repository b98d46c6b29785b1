#pragma once

#include "ingest/durable_acks.hpp"

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <vector>

namespace vigil::ingest {

// Bounds what a source without acknowledgements (syslog over TCP or TLS) has read but not yet
// made durable: the records a crash of the process would lose. After every half of
// `max_records` taken, durability of what was taken is asked for; at `max_records` the source stops
// reading (wait_for_room) until the pipeline reports enough of it durable, and the senders are
// slowed by TCP flow control. I/O thread only.
class unconfirmed_window {
public:
    unconfirmed_window(durable_acks& acks, std::size_t max_records);
    unconfirmed_window(const unconfirmed_window&) = delete;
    unconfirmed_window& operator=(const unconfirmed_window&) = delete;

    // Whether the source may read more.
    [[nodiscard]] bool has_room();
    // `resume` runs (once) when there is room again, or at release_all().
    void wait_for_room(std::function<void()> resume);
    // The pipeline took a batch of `records` as `sequence`.
    void taken(std::uint64_t sequence, std::size_t records);
    // Shutdown: every waiting reader resumes now (it finds its connection closing).
    void release_all();

    [[nodiscard]] std::size_t unconfirmed() const { return records_; }
    [[nodiscard]] std::size_t max_records() const { return max_; }

private:
    void forget_durable();
    void wait_for_durable();

    durable_acks& acks_;
    std::size_t max_;
    std::deque<std::pair<std::uint64_t, std::size_t>> batches_; // sequence, records
    std::size_t records_ = 0;
    std::size_t since_request_ = 0; // records taken since durability was last asked for
    std::vector<std::function<void()>> waiting_;
    bool waiting_for_durable_ = false;
    bool released_ = false;
};

} // namespace vigil::ingest
