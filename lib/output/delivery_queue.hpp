#pragma once

#include "alert/alert_store.hpp"
#include "core/clock.hpp"
#include "core/metrics.hpp"
#include "output/alert_sink.hpp"

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace vigil::output {

// How a destination's queue behaves (outputs.webhooks[], outputs.kafka).
struct delivery_settings {
    unsigned concurrency = 2;               // alerts in flight at once
    std::int64_t max_age_ms = 86'400'000;   // older and still failing: a dead letter
    std::int64_t initial_backoff_ms = 1000; // after the first failure
    std::int64_t max_backoff_ms = 300'000;  // the cap of the doubling
    std::size_t window = 1000;              // outbox entries held in memory at most
};

// One destination's share of the outbox (alert::outbox), delivered by its own threads so that a
// dead destination never holds up a live one. Takes the oldest entries of its destination from
// the store (a window of them), sends each through its sink, deletes it from the outbox on
// success, and otherwise tries again after an exponential backoff with full jitter (capped;
// never sooner than a Retry-After, which also pauses the whole destination). An entry still
// failing after `max_age_ms` since it was queued becomes a dead letter (outbox_dead). Metrics,
// labelled with the destination: vigil_delivery_sent_total, _failed_total{reason},
// _retried_total, _dead_total, _queue_depth, _oldest_pending_seconds,
// _latency_microseconds_sum and _count (successful sends).
class delivery_queue {
public:
    delivery_queue(alert::alert_store& store, std::unique_ptr<alert_sink> sink,
                   delivery_settings settings, const core::clock& clock,
                   core::metrics_registry& metrics);
    ~delivery_queue();
    delivery_queue(const delivery_queue&) = delete;
    delivery_queue& operator=(const delivery_queue&) = delete;

    [[nodiscard]] std::string_view destination() const { return sink_->name(); }
    void start();
    // New entries may be in the outbox.
    void wake();
    // Stops after the sends in flight (an entry not yet taken stays in the outbox).
    void stop();

private:
    struct item {
        alert::outbox_entry entry;
        std::uint32_t attempts = 0;
        std::int64_t due_ms = 0;
    };
    void run();
    // Under the lock: tops up `ready_` from the store.
    void refill();
    void finish(item it, const send_result& result, std::int64_t latency_us);
    [[nodiscard]] std::int64_t backoff_ms(std::uint32_t attempts);

    alert::alert_store& store_;
    std::unique_ptr<alert_sink> sink_;
    const delivery_settings settings_;
    const core::clock& clock_;

    core::counter& sent_;
    std::map<std::string, core::counter*> failed_; // by reason
    core::counter& retried_;
    core::counter& dead_;
    core::gauge& depth_;
    core::gauge& oldest_;
    core::counter& latency_sum_;
    core::counter& latency_count_;

    std::mutex mutex_;
    std::condition_variable wake_;
    std::deque<item> ready_;
    std::multimap<std::int64_t, item> waiting_;  // by due time
    std::map<std::uint64_t, std::int64_t> held_; // in memory or in flight: sequence -> queued ms
    bool maybe_more_ = true;                     // the store may hold entries not in memory
    std::int64_t paused_until_ms_ = 0;           // Retry-After of the destination
    bool stopping_ = false;
    std::uint64_t jitter_state_;
    std::vector<std::thread> threads_;
};

} // namespace vigil::output
