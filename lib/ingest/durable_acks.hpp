#pragma once

#include "ingest/batch_sink.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <vector>

namespace vigil::ingest {

// Answers a source's senders only for what is durable. A source that submitted batch `n` asks
// when_durable(n, ...): the pipeline is asked to make it durable (its alerts stored and a
// checkpoint of every correlator shard written after its matches), and the callback runs on the
// I/O thread once that is true, or with `false` when the timeout passes first. The pipeline
// makes every batch processed so far durable in one round (one checkpoint per shard), so any
// number of waiting requests share one round: group commit. Waiting costs a 0.5 ms poll of the
// pipeline's durable sequence while anything waits, nothing otherwise. I/O thread only.
class durable_acks {
public:
    using done_fn = std::function<void(bool durable)>;

    durable_acks(boost::asio::io_context& io, durability_tracker& tracker);
    durable_acks(const durable_acks&) = delete;
    durable_acks& operator=(const durable_acks&) = delete;

    void when_durable(std::uint64_t sequence, std::chrono::milliseconds timeout, done_fn done);
    // Asks for durability without waiting for it.
    void request_durable(std::uint64_t sequence) { tracker_.request_durable(sequence); }
    // The sequence the next batch the pipeline takes will get.
    [[nodiscard]] std::uint64_t next_sequence() const { return tracker_.next_sequence(); }
    // Batches up to this sequence are durable.
    [[nodiscard]] std::uint64_t durable_sequence() const { return tracker_.durable_sequence(); }
    [[nodiscard]] std::size_t waiting() const { return waiters_.size(); }

private:
    struct waiter {
        std::uint64_t sequence;
        std::chrono::steady_clock::time_point deadline;
        done_fn done;
    };
    void poll();

    durability_tracker& tracker_;
    boost::asio::steady_timer timer_;
    std::vector<waiter> waiters_;
    bool polling_ = false;
};

} // namespace vigil::ingest
