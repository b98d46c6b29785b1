#pragma once

#include "core/clock.hpp"
#include "core/defaults.hpp"
#include "core/log.hpp"
#include "core/metrics.hpp"
#include "ingest/batch_sink.hpp"
#include "ingest/ingest_probe.hpp"
#include "ingest/source.hpp"

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <expected>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

struct rd_kafka_s;
struct rd_kafka_topic_partition_list_s;

namespace vigil::ingest {

// A message that cannot become a record (too large, no value), kept for an operator to look at.
struct dead_letter {
    std::string topic;
    std::int32_t partition = -1;
    std::int64_t offset = -1;
    std::string reason; // "oversize", "empty"
    std::string value;  // at most the first 64 KiB
    std::int64_t received_ns = 0;
};

struct kafka_config {
    std::string brokers; // bootstrap servers, host:port[,host:port]
    std::string group_id = std::string(defaults::kafka_group_id);
    std::vector<std::string> topics;
    std::chrono::milliseconds commit_interval{defaults::kafka_commit_interval_ns / 1'000'000};
    std::size_t max_message_bytes = defaults::kafka_max_message_bytes;
    std::size_t batch_records = defaults::batch_records;
    // Further librdkafka settings (security.protocol, sasl.*, ...).
    std::vector<std::pair<std::string, std::string>> properties;
    // Where dead letters go (the alert store's family `dead_letters`); may be empty.
    std::function<void(const dead_letter&)> dead_letters;
};

// The Kafka source (DESIGN.md §2, §8): a consumer in a consumer group, one record per message
// (value = the record; topic, key, headers, partition and offset travel with it). Offsets are
// committed only when the pipeline says the batches holding them are durable (their alerts stored
// and the correlator checkpointed after them): per partition the highest offset of the durable
// prefix, so a committed offset never passes an unprocessed record (at-least-once).
//
// Runs its own thread for librdkafka's poll loop; batches are handed to the pipeline on the I/O
// thread (its single producer). When the pipeline refuses a batch every assigned partition is
// paused while polling continues (rebalances are served), and resumed once the batch is taken.
// On a rebalance that revokes partitions the source waits (bounded) for what it submitted to
// become durable, commits, and gives the partitions up. Messages too large or without a value
// are counted and kept as dead letters; they never block a partition. Offsets a partition
// skips (past the group's committed offset or the last record read: records deleted by the
// broker's retention before they were read, compacted away, or transaction markers) are
// counted and logged: the source cannot read them, but nobody should have to guess.
class kafka_source final : public source {
public:
    kafka_source(boost::asio::io_context& io, kafka_config config, batch_sink& sink,
                 durability_tracker& durability, core::metrics_registry& metrics,
                 const core::clock& clock);
    ~kafka_source() override;
    kafka_source(const kafka_source&) = delete;
    kafka_source& operator=(const kafka_source&) = delete;

    // Creates the consumer and subscribes; the error names the setting or broker problem.
    [[nodiscard]] std::expected<void, std::string> start() override;
    // "consuming: kafka BROKERS group GROUP".
    [[nodiscard]] std::string description() const override;
    // Stops consuming: waits (bounded) for what was submitted to become durable, commits, and
    // leaves the group. Call while the I/O thread still runs.
    void stop() override;

private:
    struct in_flight {
        std::uint64_t sequence = 0;
        // (topic, partition) -> highest offset in the batch
        std::map<std::pair<std::string, std::int32_t>, std::int64_t> offsets;
    };

    void run();
    void add(const void* message);
    // Hands the open batch to the pipeline (through the I/O thread); false under back-pressure.
    bool submit();
    void pause(bool paused);
    // Commits, per partition, the offset after the highest one of the durable batches.
    void commit_durable();
    // Remembers and publishes the next offset the group reads from a partition.
    void record_committed(const std::string& topic, std::int32_t partition, std::int64_t offset);
    // Asks the group coordinator what is committed for newly assigned partitions.
    void learn_committed(const rd_kafka_topic_partition_list_s* partitions);
    void update_lag();
    // Counts and logs the offsets before `offset` that the partition skipped since the last
    // record read (or its committed offset), and expects `offset + 1` next.
    void note_next_offset(std::string_view topic, std::int32_t partition, std::int64_t offset);
    // Whose partitions were (re)assigned or revoked: where they resume is not known yet.
    void forget_expected(const rd_kafka_topic_partition_list_s* partitions);
    friend struct kafka_callbacks;
    void on_rebalance(int error, rd_kafka_topic_partition_list_s* partitions);
    // Tells the pipeline, in the open batch, that these partitions' inputs opened or closed.
    void announce(const rd_kafka_topic_partition_list_s* partitions, bool opened);
    // Waits until everything submitted is durable, or `timeout` passes.
    void wait_durable(std::chrono::milliseconds timeout);

    boost::asio::io_context& io_;
    kafka_config config_;
    batch_sink& sink_;
    durability_tracker& durability_;
    core::metrics_registry& metrics_;
    const core::clock& clock_;
    ingest_probe probe_;
    core::counter& dead_oversize_;
    core::counter& dead_empty_;
    core::counter& pauses_;
    core::counter& assigned_;
    core::counter& revoked_;
    core::counter& commit_errors_;

    rd_kafka_s* consumer_ = nullptr;
    std::thread thread_;
    std::atomic<bool> stopping_{false};

    // Consumer thread only.
    std::unique_ptr<core::raw_batch> batch_;
    in_flight open_; // offsets of the open batch
    std::deque<in_flight> submitted_;
    std::uint64_t last_submitted_ = 0;
    bool paused_ = false;
    std::map<std::pair<std::string, std::int32_t>, std::int64_t> committed_;
    // (topic, partition) -> the offset the next record should have; -1: not known yet (no
    // offset committed and nothing read since the assignment).
    std::map<std::pair<std::string, std::int32_t>, std::int64_t> expected_;
    core::rate_limited_log skip_log_{5, 60'000'000'000};
    std::string headers_; // scratch
    // The open batch's highest offset and the expected next offset of the partition of the
    // last message (a cache; `expected_here_` stays valid until the partition is revoked).
    std::int64_t* highest_ = nullptr;
    std::int64_t* expected_here_ = nullptr;
    const void* highest_topic_ = nullptr;
    std::int32_t highest_partition_ = -1;
};

} // namespace vigil::ingest
