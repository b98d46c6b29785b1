#include "pipeline/pipeline.hpp"

#include "core/arena.hpp"
#include "core/civil_time.hpp"
#include "core/event.hpp"
#include "core/json_writer.hpp"
#include "core/log.hpp"
#include "core/ulid.hpp"
#include "pipeline/worker_step.hpp"

#include <algorithm>
#include <chrono>
#include <limits>
#include <set>

namespace vigil::pipeline {
namespace {
constexpr auto idle_wait = std::chrono::milliseconds(100);
// How often shards publish their watermark and inputs for /metrics.
constexpr std::int64_t publish_interval_ns = 200'000'000;
// Shards publish their quiet keys more often: a match routed before its key is published
// carries evidence the shard will not use. Rebuilding the keys costs time in proportion to how
// many there are, so the interval grows to keep that cost under 1/quiet_cost_share of the shard.
constexpr std::int64_t quiet_interval_ns = 10'000'000;
constexpr std::int64_t quiet_cost_share = 50;
constexpr auto full_ring_pause = std::chrono::microseconds(200);
} // namespace

struct pipeline::worker_slot {
    worker_slot(unsigned number, std::size_t ring_slots)
        : index(number), input(ring_slots), alerts(ring_slots) {}

    unsigned index;
    core::spsc_ring<std::unique_ptr<core::raw_batch>> input;
    core::spsc_ring<worker_output> alerts;
    core::wakeup wakeup;
    std::thread thread;
};

struct pipeline::shard_slot {
    shard_slot(unsigned number, std::size_t workers, std::size_t ring_slots,
               const correlate::correlator_limits& limits, const core::clock& clock)
        : index(number), output(ring_slots), shard(limits, clock) {
        for (std::size_t w = 0; w < workers; ++w) {
            inputs.push_back(
                std::make_unique<core::spsc_ring<std::shared_ptr<correlate::correlation_batch>>>(
                    ring_slots));
        }
    }

    unsigned index;
    // One ring per worker: each has a single producer.
    std::vector<std::unique_ptr<core::spsc_ring<std::shared_ptr<correlate::correlation_batch>>>>
        inputs;
    core::spsc_ring<shard_output> output;
    core::wakeup wakeup;
    std::thread thread;
    correlate::correlator_shard shard;
    // Set by the alert stage when it could not store one of this shard's checkpoints.
    std::atomic<bool> full_checkpoint_wanted{false};
};

pipeline::pipeline(pipeline_config config, std::shared_ptr<const rules::rule_set> rules,
                   alert::alert_writer& store, std::vector<output::alert_output*> outputs,
                   core::metrics_registry& metrics, const core::clock& clock)
    : config_(std::move(config)), rules_(std::move(rules)), store_(store),
      outputs_(std::move(outputs)), probe_(metrics), correlator_probe_(metrics),
      input_probe_(metrics, std::max(1u, config_.correlation.shards)),
      rate_guard_(config_.alert_rate_limit), grader_(config_.incidents), clock_(clock) {
    const unsigned workers = std::max(1u, config_.workers);
    for (unsigned i = 0; i < workers; ++i) {
        workers_.push_back(std::make_unique<worker_slot>(i, config_.ring_slots));
        ring_gauges_.push_back(&probe_.ring_occupancy("worker_input", i));
        ring_gauges_.push_back(&probe_.ring_occupancy("worker_alerts", i));
        ring_gauges_.push_back(nullptr);
    }
    // The global key limit is shared out among the shards.
    const unsigned shards = std::max(1u, config_.correlation.shards);
    auto limits = config_.correlation.limits;
    limits.max_keys = std::max<std::size_t>(1, limits.max_keys / shards);
    quiet_ = std::make_unique<correlate::quiet_board>(shards);
    for (unsigned i = 0; i < shards; ++i) {
        shards_.push_back(
            std::make_unique<shard_slot>(i, workers, config_.ring_slots, limits, clock_));
        shards_.back()->shard.use(rules_.load());
        shard_gauges_.push_back(&probe_.ring_occupancy("shard_input", i));
        shard_gauges_.push_back(&probe_.ring_occupancy("shard_output", i));
    }
}

std::expected<correlate::restore_result, std::string>
pipeline::restore(std::span<const alert::stored_checkpoint> checkpoints) {
    std::vector<correlate::correlator_shard*> shards;
    for (auto& s : shards_) {
        shards.push_back(&s->shard);
    }
    auto restored = correlate::restore_shards(checkpoints, shards, rules_.load());
    if (restored) {
        correlator_probe_.restored_keys.add(restored->restored);
    }
    return restored;
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
    for (auto& s : shards_) {
        s->thread = std::thread([this, slot = s.get()] { run_shard(*slot); });
    }
    alert_stage_ = std::thread([this] { run_alert_stage(); });
}

bool pipeline::try_submit(std::unique_ptr<core::raw_batch>& batch) {
    // Round robin, skipping full workers. `submitted_` covers the batch before any worker can
    // see it, so no shard takes itself for caught up while the batch is on its way.
    submitted_.store(next_sequence_, std::memory_order_release);
    for (std::size_t tried = 0; tried < workers_.size(); ++tried) {
        worker_slot& w = *workers_[next_worker_];
        next_worker_ = (next_worker_ + 1) % workers_.size();
        batch->sequence = next_sequence_;
        if (w.input.try_push(batch)) {
            ++next_sequence_;
            w.wakeup.notify();
            return true;
        }
    }
    submitted_.store(next_sequence_ - 1, std::memory_order_release);
    return false;
}

void pipeline::publish(std::shared_ptr<const rules::rule_set> rules) {
    rules_.store(std::move(rules));
}

void pipeline::publish_assets(std::shared_ptr<const incident::asset_inventory> assets) {
    assets_.store(std::move(assets));
}

std::shared_ptr<const rules::rule_set> pipeline::current_rules() const {
    return rules_.load();
}

void pipeline::run_worker(worker_slot& slot) {
    worker_step step({config_.parsing, config_.max_future_skew_ns, shards_.size(), quiet_.get(),
                      config_.tenants},
                     clock_, &probe_);
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
        const std::uint64_t sequence = (*batch)->sequence;
        step_result result;
        step.run(**batch, rules_.load(), result);
        if (const auto missing = step.take_missing_keys(); missing != 0) {
            correlator_probe_.missing_key.add(missing);
        }
        if (const auto skewed = step.take_future_skewed(); skewed != 0) {
            correlator_probe_.future_skewed.add(skewed);
        }
        // Every shard gets this batch's part, in this worker's order; wait rather than drop.
        for (std::size_t s = 0; s < shards_.size(); ++s) {
            auto& ring = *shards_[s]->inputs[slot.index];
            while (!ring.try_push(result.correlations[s])) {
                shards_[s]->wakeup.notify();
                std::this_thread::sleep_for(full_ring_pause);
            }
            shards_[s]->wakeup.notify();
        }
        // The alerts, and that the batch is done (after its matches went to the shards), to the
        // alert stage. Wait rather than drop: this is where back-pressure starts.
        worker_output out{std::move(result.alerts), sequence, std::move(result.dead_letters)};
        while (!slot.alerts.try_push(out)) {
            alert_stage_wakeup_.notify();
            std::this_thread::sleep_for(full_ring_pause);
        }
        alert_stage_wakeup_.notify();
    }
}

void pipeline::run_shard(shard_slot& slot) {
    correlate::correlator_counters published;
    auto& shard = slot.shard;
    std::int64_t last_checkpoint = clock_.now_ns();
    std::int64_t last_publish = 0;
    std::int64_t last_quiet = 0; // when the quiet keys were last published
    std::int64_t quiet_interval = quiet_interval_ns;
    shard_output out;
    out.shard = slot.index;
    std::uint64_t covered = 0; // the last barrier this shard's checkpoint answered
    std::uint64_t next = 1;    // the sequence of the next batch to apply
    auto checkpoint = [&] {
        const auto started = std::chrono::steady_clock::now();
        auto made = shard.checkpoint();
        correlator_probe_.checkpoint_micros.set(
            std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() -
                                                                  started)
                .count());
        correlator_probe_.checkpoint_bytes.set(static_cast<std::int64_t>(made.bytes()));
        correlator_probe_.publish_state(slot.index, shard);
        out.checkpoint = std::move(made);
        last_checkpoint = clock_.now_ns();
    };
    auto hand_over = [&] {
        for (auto& letter : shard.take_dead_letters()) {
            out.dead_letters.push_back(std::move(letter));
        }
        if (out.alerts.empty() && !out.checkpoint && out.dead_letters.empty()) {
            return;
        }
        while (!slot.output.try_push(out)) {
            alert_stage_wakeup_.notify();
            std::this_thread::sleep_for(full_ring_pause);
        }
        alert_stage_wakeup_.notify();
        out = shard_output{};
        out.shard = slot.index;
    };
    // Applies the batches that are next in sequence, whichever worker made them: every shard
    // sees the input batches in the order the I/O thread numbered them.
    auto apply_in_order = [&] {
        bool worked = false;
        for (bool found = true; found;) {
            found = false;
            for (auto& ring : slot.inputs) {
                auto* head = ring->front();
                if (head != nullptr && (*head)->sequence == next) {
                    shard.process(std::move(*ring->try_pop()), out.alerts);
                    ++next;
                    found = worked = true;
                }
            }
        }
        return worked;
    };
    auto publish = [&] {
        const std::int64_t now = clock_.now_ns();
        if (now - last_publish >= publish_interval_ns) {
            last_publish = now;
            correlator_probe_.publish_time(slot.index, shard);
            input_probe_.publish(slot.index, shard);
        }
        if (now - last_quiet >= quiet_interval) {
            const auto started = std::chrono::steady_clock::now();
            shard.publish_quiet(*quiet_, slot.index);
            const auto cost = std::chrono::duration_cast<std::chrono::nanoseconds>(
                std::chrono::steady_clock::now() - started);
            last_quiet = now;
            quiet_interval = std::max(quiet_interval_ns, cost.count() * quiet_cost_share);
        }
        correlator_probe_.publish(shard.counters(), published);
    };
    for (;;) {
        if (auto current = rules_.load();
            current != shard.rules() &&
            (!shard.rules() || current->version() > shard.rules()->version())) {
            shard.use(std::move(current));
        }
        const bool worked = apply_in_order();
        shard.tick(next > submitted_.load(std::memory_order_acquire), out.alerts);
        if (slot.full_checkpoint_wanted.exchange(false)) {
            // The store lost a checkpoint (shutdown with a failing disk): the next one writes
            // everything and answers again the barrier the lost one did.
            shard.request_full_checkpoint();
            checkpoint();
            out.covers = covered;
        }
        // A durability barrier: the batches up to it were finished by the workers, so they are
        // in the rings; once they are applied, checkpoint.
        if (const std::uint64_t barrier = barrier_.load(std::memory_order_acquire);
            barrier > covered && next > barrier) {
            checkpoint();
            out.covers = barrier;
            covered = barrier;
        }
        if (shards_stopping_.load()) {
            bool drained = true;
            for (auto& ring : slot.inputs) {
                drained = drained && ring->empty_approx();
            }
            if (!drained && !worked) {
                // Every worker has stopped, so every batch is here: a gap in the sequence would
                // be a bug. Go on from the lowest one rather than hang.
                std::uint64_t lowest = std::numeric_limits<std::uint64_t>::max();
                for (auto& ring : slot.inputs) {
                    if (auto* head = ring->front()) {
                        lowest = std::min(lowest, (*head)->sequence);
                    }
                }
                core::log_error("correlator shard " + std::to_string(slot.index) + ": batch " +
                                std::to_string(next) + " never came; going on at " +
                                std::to_string(lowest));
                next = lowest;
                continue;
            }
            if (drained) {
                shard.flush(out.alerts);
                checkpoint();
                publish();
                hand_over();
                break;
            }
            continue;
        }
        if (clock_.now_ns() - last_checkpoint >= config_.correlation.checkpoint_interval_ns) {
            checkpoint();
        }
        publish();
        hand_over();
        if (worked) {
            continue;
        }
        const auto ticket = slot.wakeup.prepare();
        bool work = shards_stopping_.load();
        for (auto& ring : slot.inputs) {
            auto* head = ring->front();
            work = work || (head != nullptr && (*head)->sequence == next);
        }
        if (work) {
            slot.wakeup.cancel();
        } else {
            slot.wakeup.wait(ticket, idle_wait);
        }
    }
}

bool pipeline::write_with_retry(const std::function<std::expected<void, std::string>()>& write,
                                core::counter& errors) {
    // Retry while running: a full disk or a lost volume may come back, and waiting pushes back on
    // the sources instead of losing anything. Once shutdown is requested, give up after a few
    // attempts (at once if the store already failed at shutdown) so that the process can exit.
    constexpr int attempts_at_shutdown = 5;
    auto backoff = std::chrono::milliseconds(10);
    for (int attempt = 1;; ++attempt) {
        auto written = write();
        if (written) {
            return true;
        }
        errors.add();
        // The first failure, then every 30 seconds or so (the disk may stay full for hours).
        if (attempt == 1 || attempt % 15 == 0) {
            core::log_error(written.error() + " (attempt " + std::to_string(attempt) +
                            ", retrying)");
        }
        if (shutdown_requested_.load() &&
            (store_failed_at_shutdown_ || attempt >= attempts_at_shutdown)) {
            store_failed_at_shutdown_ = true;
            return false;
        }
        std::this_thread::sleep_for(backoff);
        backoff = std::min(backoff * 2, std::chrono::milliseconds(2000));
    }
}

bool pipeline::store_checkpoint(unsigned shard, const alert::shard_checkpoint& checkpoint) {
    const bool stored = write_with_retry([&] { return store_.write_checkpoint(shard, checkpoint); },
                                         correlator_probe_.checkpoint_errors);
    if (stored) {
        correlator_probe_.checkpoints.add();
    }
    return stored;
}

bool pipeline::store_with_retry(alert_batch& alerts) {
    const bool stored = write_with_retry(
        [&] {
            const auto started = std::chrono::steady_clock::now();
            auto written = store_.write(alerts);
            const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(
                                    std::chrono::steady_clock::now() - started)
                                    .count();
            probe_.store_writes.add();
            probe_.store_write_microseconds.add(static_cast<std::uint64_t>(micros));
            probe_.store_write_last_microseconds.set(micros);
            return written;
        },
        probe_.store_errors);
    if (stored) {
        probe_.alerts_stored.add(alerts.size());
    } else {
        probe_.alerts_dropped.add(alerts.size());
        core::log_error("shutting down: dropped " + std::to_string(alerts.size()) +
                        " alerts the alert store would not take");
    }
    return stored;
}

void pipeline::handle_alerts(alert_batch& pending) {
    if (pending.empty()) {
        return;
    }
    const std::uint64_t held_before = rate_guard_.held_back();
    rate_guard_.apply(pending, clock_.now_ns());
    probe_.alerts_rate_limited.add(rate_guard_.held_back() - held_before);
    grader_.grade(pending, assets_.load().get());
    for (const auto& a : pending) {
        if (!a.update) {
            probe_.alerts[static_cast<std::size_t>(a.grade) - 1]->add();
        }
    }
    if (store_with_retry(pending)) {
        for (auto* out : outputs_) {
            out->deliver(pending);
        }
        probe_.output_deliveries.add(pending.size() * outputs_.size());
    }
    pending.clear();
}

void pipeline::sample_rings() {
    for (std::size_t w = 0; w < workers_.size(); ++w) {
        ring_gauges_[3 * w]->set(static_cast<std::int64_t>(workers_[w]->input.size_approx()));
        ring_gauges_[3 * w + 1]->set(static_cast<std::int64_t>(workers_[w]->alerts.size_approx()));
    }
    for (std::size_t s = 0; s < shards_.size(); ++s) {
        std::size_t waiting = 0;
        for (const auto& ring : shards_[s]->inputs) {
            waiting += ring->size_approx();
        }
        shard_gauges_[2 * s]->set(static_cast<std::int64_t>(waiting));
        shard_gauges_[2 * s + 1]->set(static_cast<std::int64_t>(shards_[s]->output.size_approx()));
    }
}

void pipeline::request_durable(std::uint64_t sequence) {
    {
        const std::lock_guard lock(requests_mutex_);
        requested_.insert(sequence);
        lowest_requested_.store(*requested_.begin(), std::memory_order_release);
    }
    alert_stage_wakeup_.notify();
}

std::uint64_t pipeline::take_requests_up_to(std::uint64_t processed, std::uint64_t barrier) {
    const std::lock_guard lock(requests_mutex_);
    std::uint64_t wanted = 0;
    while (!requested_.empty() && *requested_.begin() <= processed) {
        wanted = *requested_.begin();
        requested_.erase(requested_.begin());
    }
    lowest_requested_.store(requested_.empty() ? no_request : *requested_.begin(),
                            std::memory_order_release);
    // Already durable (a request for a batch an earlier barrier covered): nothing to do.
    return wanted > durable_.load() ? std::max(wanted, barrier) : barrier;
}

void pipeline::run_alert_stage() {
    alert_batch pending;
    auto last_sample = std::chrono::steady_clock::now();
    struct pending_checkpoint {
        unsigned shard;
        alert::shard_checkpoint checkpoint;
        std::uint64_t covers;
    };
    // Per shard: a checkpoint was lost, so the ones after it (which add to it) are not stored
    // until the full one the shard was asked for.
    std::vector<bool> wants_full(shards_.size(), false);
    std::vector<pending_checkpoint> checkpoints;
    // Durability: batches finished out of order, the contiguous prefix finished (alerts
    // stored), and the barrier each shard's stored checkpoint covers.
    std::set<std::uint64_t> finished;
    std::vector<std::uint64_t> finished_now;
    std::uint64_t processed = 0;
    std::vector<std::uint64_t> covered(shards_.size(), 0);
    std::uint64_t barrier = 0;
    auto rings_empty = [&] {
        bool empty = true;
        for (auto& w : workers_) {
            empty = empty && w->alerts.empty_approx();
        }
        for (auto& s : shards_) {
            empty = empty && s->output.empty_approx();
        }
        return empty;
    };
    for (;;) {
        if (const auto now = std::chrono::steady_clock::now(); now - last_sample >= idle_wait) {
            last_sample = now;
            sample_rings();
        }
        for (auto& w : workers_) {
            while (auto out = w->alerts.try_pop()) {
                for (auto& a : out->alerts) {
                    pending.push_back(std::move(a));
                }
                if (out->finished != 0) {
                    finished_now.push_back(out->finished);
                }
                for (const auto& letter : out->dead_letters) {
                    probe_.dead_unparseable.add();
                    if (auto written = store_.write_dead_letter(letter, config_.dead_letter_cap);
                        !written) {
                        core::log_error(written.error());
                    }
                }
            }
        }
        std::vector<std::pair<unsigned, std::uint64_t>> covers;
        for (auto& s : shards_) {
            while (auto out = s->output.try_pop()) {
                for (auto& a : out->alerts) {
                    pending.push_back(std::move(a));
                }
                for (const auto& letter : out->dead_letters) {
                    correlator_probe_.late_dead_letters.add();
                    if (auto written = store_.write_dead_letter(letter, config_.dead_letter_cap);
                        !written) {
                        core::log_error(written.error());
                    }
                }
                if (out->checkpoint) {
                    checkpoints.push_back({out->shard, std::move(*out->checkpoint), out->covers});
                } else if (out->covers != 0) {
                    covers.emplace_back(out->shard, out->covers);
                }
            }
        }
        const bool had_work = !pending.empty() || !checkpoints.empty() || !finished_now.empty();
        // Alerts first: a checkpoint never claims an alert that is not stored, and a batch is
        // processed only once its alerts are stored.
        handle_alerts(pending);
        for (const auto& c : checkpoints) {
            if (wants_full[c.shard] && !c.checkpoint.full) {
                continue;
            }
            // A barrier is answered only by a stored checkpoint.
            if (store_checkpoint(c.shard, c.checkpoint)) {
                wants_full[c.shard] = false;
                if (c.covers != 0) {
                    covers.emplace_back(c.shard, c.covers);
                }
            } else {
                wants_full[c.shard] = true;
                shards_[c.shard]->full_checkpoint_wanted.store(true);
                shards_[c.shard]->wakeup.notify();
            }
        }
        checkpoints.clear();
        for (const auto& [shard, seq] : covers) {
            covered[shard] = std::max(covered[shard], seq);
        }
        for (std::uint64_t seq : finished_now) {
            finished.insert(seq);
        }
        finished_now.clear();
        while (!finished.empty() && *finished.begin() == processed + 1) {
            processed = *finished.begin();
            finished.erase(finished.begin());
        }
        // Durability asked for: once the batches are processed, a barrier makes every shard
        // checkpoint after applying their matches; when all those checkpoints are stored, the
        // batches are durable. One barrier at a time serves every request processed by then
        // (group commit); a request whose batches are not processed yet waits for them rather
        // than making barriers chase them.
        if ((barrier <= durable_.load() || barrier == 0) &&
            lowest_requested_.load(std::memory_order_acquire) <= processed) {
            barrier = take_requests_up_to(processed, barrier);
        }
        if (barrier > durable_.load() && barrier_.load() != barrier) {
            barrier_.store(barrier, std::memory_order_release);
            for (auto& s : shards_) {
                s->wakeup.notify();
            }
        }
        if (barrier > durable_.load() &&
            std::all_of(covered.begin(), covered.end(),
                        [&](std::uint64_t c) { return c >= barrier; })) {
            durable_.store(barrier, std::memory_order_release);
            continue;
        }
        if (had_work) {
            continue;
        }
        if (alert_stage_stopping_.load()) {
            if (rings_empty()) {
                break;
            }
            continue;
        }
        const auto ticket = alert_stage_wakeup_.prepare();
        bool work =
            !rings_empty() || ((barrier <= durable_.load() || barrier == 0) &&
                               lowest_requested_.load(std::memory_order_acquire) <= processed);
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
    // Workers are done: everything they produced is in the alert and shard rings.
    shards_stopping_.store(true);
    for (auto& s : shards_) {
        s->wakeup.notify();
    }
    for (auto& s : shards_) {
        if (s->thread.joinable()) {
            s->thread.join();
        }
    }
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
