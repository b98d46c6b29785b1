#include "output/delivery_queue.hpp"

#include "core/log.hpp"

#include <algorithm>
#include <chrono>

namespace vigil::output {
namespace {

constexpr const char* failure_reasons[] = {"status", "redirect", "network", "refused",
                                           "render", "kafka",    "missing", "store"};

core::metric_labels destination_label(const alert_sink& sink) {
    return {{"destination", std::string(sink.name())}};
}

} // namespace

delivery_queue::delivery_queue(alert::alert_store& store, std::unique_ptr<alert_sink> sink,
                               delivery_settings settings, const core::clock& clock,
                               core::metrics_registry& metrics)
    : store_(store), sink_(std::move(sink)), settings_(settings), clock_(clock),
      sent_(metrics.make_counter("vigil_delivery_sent_total",
                                 "Alerts a destination took (2xx, Kafka delivery report)",
                                 destination_label(*sink_))),
      retried_(metrics.make_counter("vigil_delivery_retried_total",
                                    "Failed sends scheduled to be tried again",
                                    destination_label(*sink_))),
      dead_(
          metrics.make_counter("vigil_delivery_dead_total",
                               "Alerts given up on after the destination's max_age (dead letters)",
                               destination_label(*sink_))),
      depth_(metrics.make_gauge("vigil_delivery_queue_depth",
                                "Alerts in the outbox waiting for the destination",
                                destination_label(*sink_))),
      oldest_(metrics.make_gauge("vigil_delivery_oldest_pending_seconds",
                                 "Age of the oldest alert waiting for the destination",
                                 destination_label(*sink_))),
      latency_sum_(metrics.make_counter("vigil_delivery_latency_microseconds_sum",
                                        "Time of successful sends, summed",
                                        destination_label(*sink_))),
      latency_count_(metrics.make_counter("vigil_delivery_latency_microseconds_count",
                                          "Successful sends timed", destination_label(*sink_))),
      jitter_state_(0x9e3779b97f4a7c15ULL ^ static_cast<std::uint64_t>(clock.now_ns())) {
    for (const char* reason : failure_reasons) {
        failed_[reason] = &metrics.make_counter(
            "vigil_delivery_failed_total", "Sends that failed, by reason",
            {{"destination", std::string(sink_->name())}, {"reason", reason}});
    }
}

delivery_queue::~delivery_queue() {
    stop();
}

void delivery_queue::start() {
    for (unsigned i = 0; i < std::max(1U, settings_.concurrency); ++i) {
        threads_.emplace_back([this] { run(); });
    }
}

void delivery_queue::wake() {
    {
        std::lock_guard lock(mutex_);
        maybe_more_ = true;
    }
    wake_.notify_all();
}

void delivery_queue::stop() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    sink_->cancel(); // a send in progress must not hold the shutdown for its timeout
    for (auto& t : threads_) {
        if (t.joinable()) {
            t.join();
        }
    }
    threads_.clear();
}

void delivery_queue::refill() {
    if (!maybe_more_ || held_.size() >= settings_.window) {
        return;
    }
    auto* outbox = store_.deliveries();
    if (outbox == nullptr) {
        maybe_more_ = false;
        return;
    }
    // From the oldest: entries are few unless the destination is down, and then the window is
    // full and this is not reached.
    auto entries = outbox->pending(destination(), 0, settings_.window + held_.size());
    if (!entries) {
        core::log_warning("delivery to " + std::string(destination()) + ": " + entries.error());
        return;
    }
    maybe_more_ = entries->size() == settings_.window + held_.size();
    for (auto& entry : *entries) {
        if (held_.size() >= settings_.window) {
            maybe_more_ = true;
            break;
        }
        if (held_.emplace(entry.sequence, entry.enqueued_ms).second) {
            ready_.push_back(item{std::move(entry), 0, 0});
        }
    }
}

std::int64_t delivery_queue::backoff_ms(std::uint32_t attempts) {
    const std::uint32_t doublings = std::min<std::uint32_t>(attempts - 1, 30);
    const std::int64_t ceiling =
        std::min(settings_.max_backoff_ms, settings_.initial_backoff_ms << doublings);
    // Full jitter (xorshift): anywhere from half the ceiling to all of it.
    jitter_state_ ^= jitter_state_ << 13;
    jitter_state_ ^= jitter_state_ >> 7;
    jitter_state_ ^= jitter_state_ << 17;
    const auto half = std::max<std::int64_t>(1, ceiling / 2);
    return half + static_cast<std::int64_t>(jitter_state_ % static_cast<std::uint64_t>(half + 1));
}

void delivery_queue::run() {
    std::unique_lock lock(mutex_);
    while (!stopping_) {
        const std::int64_t now = clock_.now_ms();
        refill();
        while (!waiting_.empty() && waiting_.begin()->first <= now) {
            ready_.push_back(std::move(waiting_.begin()->second));
            waiting_.erase(waiting_.begin());
        }
        depth_.set(store_.deliveries() != nullptr ? store_.deliveries()->depth(destination()) : 0);
        oldest_.set(held_.empty() ? 0 : (now - held_.begin()->second) / 1000);
        if (now < paused_until_ms_ || ready_.empty()) {
            std::int64_t until = now + 1000;
            if (!waiting_.empty()) {
                until = std::min(until, waiting_.begin()->first);
            }
            if (now < paused_until_ms_) {
                until = paused_until_ms_;
            }
            wake_.wait_for(lock, std::chrono::milliseconds(std::max<std::int64_t>(1, until - now)));
            continue;
        }
        item it = std::move(ready_.front());
        ready_.pop_front();
        lock.unlock();

        send_result result;
        std::int64_t latency_us = 0;
        auto document = store_.find(it.entry.alert_id);
        if (!document) {
            result.reason = "store";
            result.error = document.error();
        } else if (!*document) {
            // Deleted by retention before it could be sent: nothing left to deliver.
            result.reason = "missing";
            result.error = "alert " + it.entry.alert_id + " is no longer in the store";
        } else {
            const auto started = std::chrono::steady_clock::now();
            result = sink_->send(it.entry.alert_id, **document);
            latency_us = std::chrono::duration_cast<std::chrono::microseconds>(
                             std::chrono::steady_clock::now() - started)
                             .count();
        }
        finish(std::move(it), result, latency_us);
        lock.lock();
    }
}

void delivery_queue::finish(item it, const send_result& result, std::int64_t latency_us) {
    auto* outbox = store_.deliveries();
    if (result.reason == "cancelled") {
        return; // shutdown: it stays in the outbox, held until the queue is gone
    }
    const std::int64_t now = clock_.now_ms();
    const bool missing = result.reason == "missing";
    if (result.delivered || missing) {
        if (result.delivered) {
            sent_.add();
            latency_sum_.add(static_cast<std::uint64_t>(latency_us));
            latency_count_.add();
        } else {
            failed_[result.reason]->add();
            core::log_warning("delivery to " + std::string(destination()) + ": " + result.error);
        }
        if (auto removed = outbox->delivered(destination(), it.entry.sequence); !removed) {
            // It stays in the outbox and is sent again after a restart (same id: receivers
            // deduplicate).
            core::log_warning("delivery to " + std::string(destination()) + ": " + removed.error());
        }
        std::lock_guard lock(mutex_);
        held_.erase(it.entry.sequence);
        return;
    }
    failed_[result.reason.empty() ? "status" : result.reason]->add();
    ++it.attempts;
    if (now - it.entry.enqueued_ms >= settings_.max_age_ms) {
        dead_.add();
        core::log_warning("delivery to " + std::string(destination()) + " of alert " +
                          it.entry.alert_id + " given up after " + std::to_string(it.attempts) +
                          " attempts: " + result.error);
        if (auto moved = outbox->give_up(destination(), it.entry, it.attempts, result.error, now);
            !moved) {
            core::log_warning("delivery to " + std::string(destination()) + ": " + moved.error());
        }
        std::lock_guard lock(mutex_);
        held_.erase(it.entry.sequence);
        return;
    }
    retried_.add();
    if (it.attempts == 1 || it.attempts % 10 == 0) {
        core::log_warning("delivery to " + std::string(destination()) + " of alert " +
                          it.entry.alert_id + " failed (attempt " + std::to_string(it.attempts) +
                          "): " + result.error);
    }
    std::lock_guard lock(mutex_);
    std::int64_t wait = backoff_ms(it.attempts);
    if (result.retry_after_ms) {
        wait = std::max(wait, *result.retry_after_ms);
        paused_until_ms_ = std::max(paused_until_ms_, now + *result.retry_after_ms);
    }
    it.due_ms = now + wait;
    waiting_.emplace(it.due_ms, std::move(it));
    wake_.notify_all(); // a sleeping sender works out its next wake-up again
}

} // namespace vigil::output
