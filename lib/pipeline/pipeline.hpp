#pragma once

#include "alert/alert.hpp"
#include "alert/alert_writer.hpp"
#include "alert/rate_guard.hpp"
#include "core/clock.hpp"
#include "core/metrics.hpp"
#include "core/spsc_ring.hpp"
#include "core/wakeup.hpp"
#include "correlate/correlation_batch.hpp"
#include "correlate/correlator_shard.hpp"
#include "correlate/shard_checkpoint.hpp"
#include "incident/grader.hpp"
#include "incident/tenant_map.hpp"
#include "ingest/batch_sink.hpp"
#include "output/alert_output.hpp"
#include "parse/record_parser.hpp"
#include "pipeline/correlator_probe.hpp"
#include "pipeline/input_probe.hpp"
#include "pipeline/pipeline_probe.hpp"
#include "rules/rule_set.hpp"

#include <array>
#include <atomic>
#include <cstddef>
#include <expected>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <thread>
#include <vector>

namespace vigil::pipeline {

struct pipeline_config {
    unsigned workers = 1;
    std::size_t ring_slots = 64;
    // How the records of each kind of source are read (each listener's `format`/`payload`),
    // indexed by core::source_kind.
    std::array<parse::record_parser_config, core::source_kind_count> parsing{};
    // Event times more than this ahead of their receipt are not believed (worker_step).
    std::int64_t max_future_skew_ns = 300'000'000'000;

    // Kafka records that failed to parse are also kept as dead letters (the newest this many).
    std::size_t dead_letter_cap = 10000;
    // New alerts of one rule per minute of event time stored one by one; the rest become a
    // summary alert (alert::rate_guard). 0 = no limit.
    std::uint64_t alert_rate_limit = 0;
    // Grades and SLA deadlines of new alerts (incident::grader).
    incident::incident_policy incidents;
    // Which customer each record belongs to (null: none configured).
    std::shared_ptr<const incident::tenant_map> tenants;

    struct correlation_section {
        unsigned shards = 1;
        correlate::correlator_limits limits;
        std::int64_t checkpoint_interval_ns = 5'000'000'000;
    } correlation;
};

// The data plane of DESIGN.md §2:
//
//   I/O thread --raw_batch--> [worker: parse, match] x N --alerts------------------> alert stage
//                 (SPSC ring per worker)      |                                      --> RocksDB
//                                             +--correlation_batch--> [shard] x M --> outputs
//                                               (SPSC ring per worker and shard)  alerts,
//                                                                               checkpoints
//
// The I/O thread is the single producer of every worker ring (through try_submit), and numbers
// the batches it takes 1, 2, 3, ... Each worker runs the worker step (parse, event time, match,
// detection alerts, routing) on its batches and is the single producer of its alert ring and of
// one ring per correlator shard: for every batch, every shard gets a correlation batch (the
// matches whose key it owns, and the batch's input progress). Each shard applies the batches of
// all workers in sequence order, so it sees the inputs' event times exactly as if one worker
// had done everything (ARCHITECTURE.md, "Time"). Each shard is the single producer of its
// output ring; the alert stage thread consumes the alert and output rings, stores alerts, then
// the shards' checkpoints (column family `state`). Workers read the current rule set once per
// batch, so publish() takes effect between batches; shards follow it, keeping the state of
// correlations that did not change. A full ring pushes back: workers wait for the shards and
// the alert stage, try_submit refuses, and sources apply their policy (TCP stops reading, UDP
// drops and counts).
class pipeline final : public ingest::batch_sink, public ingest::durability_tracker {
public:
    pipeline(pipeline_config config, std::shared_ptr<const rules::rule_set> rules,
             alert::alert_writer& store, std::vector<output::alert_output*> outputs,
             core::metrics_registry& metrics, const core::clock& clock);
    ~pipeline() override;
    pipeline(const pipeline&) = delete;
    pipeline& operator=(const pipeline&) = delete;

    // Restores correlator state from checkpoints (alert_store::read_checkpoints) onto the
    // shards; call before start(). Returns an error if a checkpoint is damaged.
    [[nodiscard]] std::expected<correlate::restore_result, std::string>
    restore(std::span<const alert::stored_checkpoint> checkpoints);

    // Starts the worker, shard and alert stage threads.
    void start();

    // I/O thread only.
    [[nodiscard]] bool try_submit(std::unique_ptr<core::raw_batch>& batch) override;

    // I/O thread: the sequence number the next batch try_submit takes will get.
    [[nodiscard]] std::uint64_t next_sequence() const override { return next_sequence_; }

    // Any thread: asks for batches up to `sequence` to be made durable (their alerts stored and
    // a checkpoint of every correlator shard written after their matches were applied).
    void request_durable(std::uint64_t sequence) override;
    // Any thread: every batch up to this sequence is durable (0: none yet).
    [[nodiscard]] std::uint64_t durable_sequence() const override {
        return durable_.load(std::memory_order_acquire);
    }

    // Any thread: workers switch to `rules` at their next batch.
    void publish(std::shared_ptr<const rules::rule_set> rules);
    // The asset inventory new alerts are graded with from now on (any thread; null: none).
    void publish_assets(std::shared_ptr<const incident::asset_inventory> assets);
    [[nodiscard]] std::shared_ptr<const rules::rule_set> current_rules() const;
    // Any thread: events per log source class (GET /api/v1/coverage).
    [[nodiscard]] const class_traffic& traffic() const { return probe_.traffic; }

    // Any thread: shutdown has begun. From now on a failing alert store is retried a bounded
    // number of times, then its alerts are dropped and counted, so that a broken disk cannot
    // keep the process from exiting. Called on SIGINT/SIGTERM, before the sources finish.
    void request_shutdown() { shutdown_requested_.store(true); }

    // Processes everything submitted so far, stores its alerts, flushes the store and stops the
    // threads. Call after the sources have stopped submitting.
    void drain_and_stop();

private:
    using alert_batch = std::vector<alert::alert>;
    struct worker_slot;
    struct shard_slot;
    // What a worker hands the alert stage per input batch: its alerts, and that the batch is
    // processed (its matches are in the shards' rings).
    struct worker_output {
        alert_batch alerts;
        std::uint64_t finished = 0;            // the batch's sequence
        std::vector<std::string> dead_letters; // JSON, for the alert store
    };
    struct shard_output {
        alert_batch alerts;
        std::vector<std::string> dead_letters; // late matches (correlation.late_events)
        unsigned shard = 0;
        std::optional<alert::shard_checkpoint> checkpoint;
        std::uint64_t covers = 0; // the checkpoint covers every batch up to this sequence
    };

    void run_worker(worker_slot& slot);
    void run_shard(shard_slot& slot);
    void run_alert_stage();
    // Writes until the store takes it (while running), or gives up soon once shutdown began;
    // counts each failure in `errors`. Alert stage thread.
    bool write_with_retry(const std::function<std::expected<void, std::string>()>& write,
                          core::counter& errors);
    bool store_with_retry(alert_batch& alerts);
    bool store_checkpoint(unsigned shard, const alert::shard_checkpoint& checkpoint);
    // Alert stage: removes the requests up to `processed` and returns the barrier that serves
    // them (`barrier` when none is new).
    std::uint64_t take_requests_up_to(std::uint64_t processed, std::uint64_t barrier);
    void handle_alerts(alert_batch& pending);
    // Sets the ring occupancy gauges (alert stage thread, about every 100 ms).
    void sample_rings();

    pipeline_config config_;
    std::atomic<std::shared_ptr<const rules::rule_set>> rules_;
    alert::alert_writer& store_;
    std::vector<output::alert_output*> outputs_;
    pipeline_probe probe_;
    correlator_probe correlator_probe_;
    input_probe input_probe_;
    alert::rate_guard rate_guard_; // alert stage thread
    incident::grader grader_;      // alert stage thread
    std::atomic<std::shared_ptr<const incident::asset_inventory>> assets_;
    const core::clock& clock_;

    std::vector<std::unique_ptr<worker_slot>> workers_;
    std::vector<std::unique_ptr<shard_slot>> shards_;
    std::unique_ptr<correlate::quiet_board> quiet_; // the shards' quiet keys, for the workers
    std::uint64_t next_sequence_ = 1;               // I/O thread
    // The last sequence handed to a worker: a shard that applied it has caught up.
    std::atomic<std::uint64_t> submitted_{0};
    // Sequences durability was asked for and no barrier has served yet; the lowest of them
    // (no_request when none) is read without the lock.
    static constexpr std::uint64_t no_request = ~std::uint64_t{0};
    std::mutex requests_mutex_;
    std::set<std::uint64_t> requested_;
    std::atomic<std::uint64_t> lowest_requested_{no_request};
    std::atomic<std::uint64_t> durable_{0};
    // The alert stage asks the shards for a checkpoint that covers every batch up to this.
    std::atomic<std::uint64_t> barrier_{0};
    std::vector<core::gauge*> ring_gauges_;  // per worker: input, alerts, (unused)
    std::vector<core::gauge*> shard_gauges_; // per shard: input (all workers), output
    std::size_t next_worker_ = 0;
    core::wakeup alert_stage_wakeup_;
    std::thread alert_stage_;
    std::atomic<bool> shutdown_requested_{false};
    std::atomic<bool> workers_stopping_{false};
    std::atomic<bool> shards_stopping_{false};
    std::atomic<bool> alert_stage_stopping_{false};
    bool started_ = false;
    bool store_failed_at_shutdown_ = false; // alert stage thread only
};

} // namespace vigil::pipeline
