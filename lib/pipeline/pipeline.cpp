#include "pipeline/pipeline.hpp"

#include "core/arena.hpp"
#include "core/event.hpp"
#include "core/log.hpp"
#include "core/ulid.hpp"
#include "match/matcher.hpp"
#include "parse/record_parser.hpp"

#include <chrono>

namespace vigil::pipeline {
namespace {
constexpr auto idle_wait = std::chrono::milliseconds(100);
constexpr auto full_ring_pause = std::chrono::microseconds(200);
} // namespace

struct pipeline::worker_slot {
    explicit worker_slot(std::size_t ring_slots) : input(ring_slots), alerts(ring_slots) {}

    core::spsc_ring<std::unique_ptr<core::raw_batch>> input;
    core::spsc_ring<alert_batch> alerts;
    core::wakeup wakeup;
    std::thread thread;
};

pipeline::pipeline(pipeline_config config, std::shared_ptr<const rules::rule_set> rules,
                   alert::alert_writer& store, std::vector<output::alert_output*> outputs,
                   core::metrics_registry& metrics, const core::clock& clock)
    : config_(std::move(config)), rules_(std::move(rules)), store_(store),
      outputs_(std::move(outputs)), probe_(metrics), clock_(clock) {
    for (unsigned i = 0; i < std::max(1u, config_.workers); ++i) {
        workers_.push_back(std::make_unique<worker_slot>(config_.ring_slots));
    }
}

pipeline::~pipeline() {
    if (started_) {
        drain_and_stop();
    }
}

void pipeline::start() {
    started_ = true;
    for (auto& w : workers_) {
        w->thread = std::thread([this, slot = w.get()] { run_worker(*slot); });
    }
    alert_stage_ = std::thread([this] { run_alert_stage(); });
}

bool pipeline::try_submit(std::unique_ptr<core::raw_batch>& batch) {
    // Round robin, skipping full workers.
    for (std::size_t tried = 0; tried < workers_.size(); ++tried) {
        worker_slot& w = *workers_[next_worker_];
        next_worker_ = (next_worker_ + 1) % workers_.size();
        if (w.input.try_push(batch)) {
            w.wakeup.notify();
            return true;
        }
    }
    return false;
}

void pipeline::publish(std::shared_ptr<const rules::rule_set> rules) {
    rules_.store(std::move(rules));
}

std::shared_ptr<const rules::rule_set> pipeline::current_rules() const {
    return rules_.load();
}

void pipeline::run_worker(worker_slot& slot) {
    match::matcher matcher(rules_.load());
    std::vector<std::unique_ptr<parse::record_parser>> parsers;
    for (const auto& parsing : config_.parsing) {
        parsers.push_back(std::make_unique<parse::record_parser>(parsing));
    }
    core::arena scratch;
    core::event event;
    core::ulid_generator ids;
    worker_counts counts;

    for (;;) {
        auto batch = slot.input.try_pop();
        if (!batch) {
            if (workers_stopping_.load() && slot.input.empty_approx()) {
                break;
            }
            const auto ticket = slot.wakeup.prepare();
            if (!slot.input.empty_approx() || workers_stopping_.load()) {
                slot.wakeup.cancel();
            } else {
                slot.wakeup.wait(ticket, idle_wait);
            }
            continue;
        }
        if (auto current = rules_.load(); current != matcher.rules_ptr()) {
            matcher.use(std::move(current));
        }
        const auto& rules = matcher.rules();
        alert_batch alerts;
        for (const auto& record : (*batch)->records()) {
            scratch.reset();
            auto& parser = *parsers[static_cast<std::size_t>(record.source)];
            const parse::parse_error error = parser.parse(
                record, rules.mappings(), rules.catalog(), rules.projection(), event, scratch);
            const std::size_t p = parse::parser_index(event.parser);
            ++counts.parsed[p];
            if (error != parse::parse_error::none) {
                ++counts.parse_errors[p][static_cast<std::size_t>(error)];
            }
            for (std::uint32_t r : matcher.match(event)) {
                const auto id = ids.next(static_cast<std::uint64_t>(clock_.now_ms()));
                alerts.push_back(alert::make_alert(rules.rules()[r], rules.version(), event, rules.catalog(), id));
                ++counts.alerts[static_cast<std::size_t>(alerts.back().grade) - 1];
            }
        }
        counts.flush_into(probe_);
        if (alerts.empty()) {
            continue;
        }
        // Wait for the alert stage rather than drop: this is where back-pressure starts.
        while (!slot.alerts.try_push(alerts)) {
            alert_stage_wakeup_.notify();
            std::this_thread::sleep_for(full_ring_pause);
        }
        alert_stage_wakeup_.notify();
    }
}

bool pipeline::store_with_retry(alert_batch& alerts) {
    // Retry while running: a full disk or a lost volume may come back, and waiting pushes back on
    // the sources instead of losing alerts. Once shutdown is requested, give up after a few
    // attempts (at once if the store already failed at shutdown) so that the process can exit.
    constexpr int attempts_at_shutdown = 5;
    auto backoff = std::chrono::milliseconds(10);
    for (int attempt = 1;; ++attempt) {
        auto written = store_.write(alerts);
        if (written) {
            probe_.alerts_stored.add(alerts.size());
            return true;
        }
        probe_.store_errors.add();
        core::log_error(written.error() + " (attempt " + std::to_string(attempt) + ")");
        if (shutdown_requested_.load() &&
            (store_failed_at_shutdown_ || attempt >= attempts_at_shutdown)) {
            store_failed_at_shutdown_ = true;
            probe_.alerts_dropped.add(alerts.size());
            core::log_error("shutting down: dropped " + std::to_string(alerts.size()) +
                            " alerts the alert store would not take");
            return false;
        }
        std::this_thread::sleep_for(backoff);
        backoff = std::min(backoff * 2, std::chrono::milliseconds(2000));
    }
}

void pipeline::run_alert_stage() {
    alert_batch pending;
    for (;;) {
        for (auto& w : workers_) {
            while (auto batch = w->alerts.try_pop()) {
                for (auto& a : *batch) {
                    pending.push_back(std::move(a));
                }
            }
        }
        if (!pending.empty()) {
            if (store_with_retry(pending)) {
                for (auto* out : outputs_) {
                    out->deliver(pending);
                }
                probe_.output_deliveries.add(pending.size() * outputs_.size());
            }
            pending.clear();
            continue;
        }
        if (alert_stage_stopping_.load()) {
            bool all_empty = true;
            for (auto& w : workers_) {
                all_empty = all_empty && w->alerts.empty_approx();
            }
            if (all_empty) {
                break;
            }
            continue;
        }
        const auto ticket = alert_stage_wakeup_.prepare();
        bool work = false;
        for (auto& w : workers_) {
            work = work || !w->alerts.empty_approx();
        }
        if (work || alert_stage_stopping_.load()) {
            alert_stage_wakeup_.cancel();
        } else {
            alert_stage_wakeup_.wait(ticket, idle_wait);
        }
    }
}

void pipeline::drain_and_stop() {
    if (!started_) {
        return;
    }
    started_ = false;
    shutdown_requested_.store(true);
    workers_stopping_.store(true);
    for (auto& w : workers_) {
        w->wakeup.notify();
    }
    for (auto& w : workers_) {
        if (w->thread.joinable()) {
            w->thread.join();
        }
    }
    // Workers are done: everything they produced is in the alert rings.
    alert_stage_stopping_.store(true);
    alert_stage_wakeup_.notify();
    if (alert_stage_.joinable()) {
        alert_stage_.join();
    }
    if (auto flushed = store_.flush(); !flushed) {
        core::log_error(flushed.error());
    }
}

} // namespace vigil::pipeline
