#include "ingest/kafka_source.hpp"

#include "core/json_writer.hpp"
#include "core/log.hpp"

#include <boost/asio/post.hpp>
#include <future>
#include <librdkafka/rdkafka.h>

namespace vigil::ingest {

namespace asio = boost::asio;

namespace {

constexpr std::size_t dead_letter_value_bytes = 64 * 1024;
constexpr auto durable_wait = std::chrono::seconds(10);
constexpr int committed_query_timeout_ms = 5000;

struct partition_list {
    explicit partition_list(int size = 8) : list(rd_kafka_topic_partition_list_new(size)) {}
    ~partition_list() { rd_kafka_topic_partition_list_destroy(list); }
    partition_list(const partition_list&) = delete;
    partition_list& operator=(const partition_list&) = delete;
    rd_kafka_topic_partition_list_t* list;
};

} // namespace

// librdkafka calls back through a plain function; this one forwards to the source.
struct kafka_callbacks {
    static void rebalance(rd_kafka_t*, rd_kafka_resp_err_t error,
                          rd_kafka_topic_partition_list_t* partitions, void* opaque) {
        static_cast<kafka_source*>(opaque)->on_rebalance(static_cast<int>(error), partitions);
    }
};

kafka_source::kafka_source(asio::io_context& io, kafka_config config, batch_sink& sink,
                           durability_tracker& durability, core::metrics_registry& metrics,
                           const core::clock& clock)
    : io_(io), config_(std::move(config)), sink_(sink), durability_(durability), metrics_(metrics),
      clock_(clock), probe_(metrics, "kafka"),
      dead_oversize_(metrics.make_counter("vigil_dead_letters_total",
                                          "Records kept as dead letters, by reason.",
                                          {{"reason", "oversize"}})),
      dead_empty_(metrics.make_counter("vigil_dead_letters_total",
                                       "Records kept as dead letters, by reason.",
                                       {{"reason", "empty"}})),
      pauses_(metrics.make_counter("vigil_kafka_pauses_total",
                                   "Times the Kafka source paused its partitions because the "
                                   "pipeline was full.")),
      assigned_(metrics.make_counter("vigil_kafka_rebalances_total",
                                     "Consumer group rebalances, by what they did.",
                                     {{"kind", "assign"}})),
      revoked_(metrics.make_counter("vigil_kafka_rebalances_total",
                                    "Consumer group rebalances, by what they did.",
                                    {{"kind", "revoke"}})),
      commit_errors_(metrics.make_counter("vigil_kafka_commit_errors_total",
                                          "Offset commits the broker refused.")),
      batch_(std::make_unique<core::raw_batch>()) {}

kafka_source::~kafka_source() {
    stop();
}

std::expected<void, std::string> kafka_source::start() {
    if (config_.brokers.empty() || config_.topics.empty()) {
        return std::unexpected("kafka: 'brokers' and 'topics' are required");
    }
    char error[512];
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    std::vector<std::pair<std::string, std::string>> settings{
        {"bootstrap.servers", config_.brokers},
        {"group.id", config_.group_id},
        {"enable.auto.commit", "false"},
        {"enable.auto.offset.store", "false"},
        {"auto.offset.reset", "earliest"},
        {"enable.partition.eof", "false"},
        {"message.max.bytes",
         std::to_string(std::max<std::size_t>(config_.max_message_bytes * 2, 1024 * 1024))},
    };
    settings.insert(settings.end(), config_.properties.begin(), config_.properties.end());
    for (const auto& [key, value] : settings) {
        if (rd_kafka_conf_set(conf, key.c_str(), value.c_str(), error, sizeof error) !=
            RD_KAFKA_CONF_OK) {
            rd_kafka_conf_destroy(conf);
            return std::unexpected("kafka: setting '" + key + "': " + error);
        }
    }
    rd_kafka_conf_set_opaque(conf, this);
    rd_kafka_conf_set_rebalance_cb(conf, &kafka_callbacks::rebalance);
    consumer_ = rd_kafka_new(RD_KAFKA_CONSUMER, conf, error, sizeof error);
    if (consumer_ == nullptr) {
        return std::unexpected(std::string("kafka: cannot create the consumer: ") + error);
    }
    rd_kafka_poll_set_consumer(consumer_);
    partition_list topics(static_cast<int>(config_.topics.size()));
    for (const auto& topic : config_.topics) {
        rd_kafka_topic_partition_list_add(topics.list, topic.c_str(), RD_KAFKA_PARTITION_UA);
    }
    if (auto err = rd_kafka_subscribe(consumer_, topics.list); err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        rd_kafka_destroy(consumer_);
        consumer_ = nullptr;
        return std::unexpected(std::string("kafka: cannot subscribe: ") + rd_kafka_err2str(err));
    }
    thread_ = std::thread([this] { run(); });
    return {};
}

std::string kafka_source::description() const {
    return "consuming: kafka " + config_.brokers + " group " + config_.group_id;
}

void kafka_source::stop() {
    stopping_.store(true);
    if (thread_.joinable()) {
        thread_.join();
    }
}

void kafka_source::run() {
    auto next_commit = std::chrono::steady_clock::now() + config_.commit_interval;
    core::rate_limited_log errors{5, 60'000'000'000};
    while (!stopping_.load()) {
        rd_kafka_message_t* message = rd_kafka_consumer_poll(consumer_, paused_ ? 10 : 100);
        if (message != nullptr) {
            if (message->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
                add(message);
            } else {
                errors.warning(clock_.now_ns(),
                               std::string("kafka: ") + rd_kafka_message_errstr(message));
            }
            rd_kafka_message_destroy(message);
        }
        const bool open = !batch_->empty() || !open_.offsets.empty();
        if (open && (message == nullptr || paused_ || batch_->size() >= config_.batch_records)) {
            if (submit()) {
                if (paused_) {
                    pause(false);
                }
            } else if (!paused_) {
                pause(true);
            }
        }
        if (std::chrono::steady_clock::now() >= next_commit) {
            next_commit = std::chrono::steady_clock::now() + config_.commit_interval;
            durability_.request_durable(last_submitted_);
            commit_durable();
            update_lag();
        }
    }
    // Leaving: what was submitted becomes durable and is committed; the open batch is left
    // uncommitted (the group reads it again).
    durability_.request_durable(last_submitted_);
    wait_durable(durable_wait);
    commit_durable();
    rd_kafka_consumer_close(consumer_); // revokes: on_rebalance commits once more
    rd_kafka_destroy(consumer_);
    consumer_ = nullptr;
}

void kafka_source::add(const void* raw) {
    const auto* message = static_cast<const rd_kafka_message_t*>(raw);
    const std::string_view topic = rd_kafka_topic_name(message->rkt);
    // Consecutive messages mostly come from one partition: no lookup (and no string) for them.
    if (highest_ == nullptr || message->rkt != highest_topic_ ||
        message->partition != highest_partition_) {
        std::pair<std::string, std::int32_t> key{std::string(topic), message->partition};
        highest_ = &open_.offsets[key];
        expected_here_ = &expected_.try_emplace(std::move(key), -1).first->second;
        highest_topic_ = message->rkt;
        highest_partition_ = message->partition;
    }
    *highest_ = std::max(*highest_, message->offset);
    if (message->offset != *expected_here_) {
        note_next_offset(topic, message->partition, message->offset);
    }
    *expected_here_ = std::max(*expected_here_, message->offset + 1);
    const std::string_view value(static_cast<const char*>(message->payload), message->len);
    const std::int64_t now = clock_.now_ns();
    if (value.empty() || value.size() > config_.max_message_bytes) {
        (value.empty() ? dead_empty_ : dead_oversize_).add();
        if (config_.dead_letters) {
            config_.dead_letters({std::string(topic), message->partition, message->offset,
                                  value.empty() ? "empty" : "oversize",
                                  std::string(value.substr(0, dead_letter_value_bytes)), now});
        }
        return;
    }
    const std::string_view key =
        message->key != nullptr
            ? std::string_view(static_cast<const char*>(message->key), message->key_len)
            : std::string_view();
    // Headers as one JSON object (names may repeat; the first value wins in readers).
    headers_.clear();
    rd_kafka_headers_t* headers = nullptr;
    if (rd_kafka_message_headers(message, &headers) == RD_KAFKA_RESP_ERR_NO_ERROR &&
        headers != nullptr && rd_kafka_header_cnt(headers) > 0) {
        core::json_writer w(headers_);
        w.begin_object();
        const char* name = nullptr;
        const void* header_value = nullptr;
        std::size_t size = 0;
        for (std::size_t i = 0; rd_kafka_header_get_all(headers, i, &name, &header_value, &size) ==
                                RD_KAFKA_RESP_ERR_NO_ERROR;
             ++i) {
            w.field(name, header_value != nullptr
                              ? std::string_view(static_cast<const char*>(header_value), size)
                              : std::string_view());
        }
        w.end_object();
    }
    batch_->add_kafka(value, topic, key, headers_, message->partition, message->offset, now);
    probe_.bytes.add(value.size());
}

bool kafka_source::submit() {
    // The pipeline's entrance belongs to the I/O thread: hand the batch over there. The state is
    // shared so that an answer arriving after this thread gave up (shutdown) harms nothing.
    struct handover {
        std::unique_ptr<core::raw_batch> batch;
        std::promise<std::uint64_t> sequence; // 0: refused
    };
    auto h = std::make_shared<handover>();
    h->batch = std::move(batch_);
    const std::size_t records = h->batch->size();
    auto answer = h->sequence.get_future();
    asio::post(io_, [this, h] {
        const std::uint64_t sequence = durability_.next_sequence();
        h->sequence.set_value(sink_.try_submit(h->batch) ? sequence : 0);
    });
    while (answer.wait_for(std::chrono::milliseconds(50)) != std::future_status::ready) {
        if (stopping_.load() || io_.stopped()) {
            batch_ = std::make_unique<core::raw_batch>(); // left uncommitted: read again
            open_ = {};
            highest_ = nullptr;
            return false;
        }
    }
    const std::uint64_t sequence = answer.get();
    if (sequence == 0) {
        batch_ = std::move(h->batch); // refused: keep it, try again
        probe_.backpressure_waits.add();
        return false;
    }
    probe_.records.add(records);
    open_.sequence = sequence;
    last_submitted_ = sequence;
    submitted_.push_back(std::move(open_));
    open_ = {};
    highest_ = nullptr;
    batch_ = std::make_unique<core::raw_batch>();
    return true;
}

void kafka_source::pause(bool paused) {
    rd_kafka_topic_partition_list_t* assignment = nullptr;
    if (rd_kafka_assignment(consumer_, &assignment) != RD_KAFKA_RESP_ERR_NO_ERROR) {
        return;
    }
    if (paused) {
        rd_kafka_pause_partitions(consumer_, assignment);
        pauses_.add();
    } else {
        rd_kafka_resume_partitions(consumer_, assignment);
    }
    rd_kafka_topic_partition_list_destroy(assignment);
    paused_ = paused;
}

void kafka_source::commit_durable() {
    const std::uint64_t durable = durability_.durable_sequence();
    std::map<std::pair<std::string, std::int32_t>, std::int64_t> highest;
    while (!submitted_.empty() && submitted_.front().sequence <= durable) {
        for (const auto& [tp, offset] : submitted_.front().offsets) {
            auto& h = highest[tp];
            h = std::max(h, offset);
        }
        submitted_.pop_front();
    }
    partition_list commit;
    for (const auto& [tp, offset] : highest) {
        if (offset + 1 > committed_[tp]) {
            rd_kafka_topic_partition_list_add(commit.list, tp.first.c_str(), tp.second)->offset =
                offset + 1;
        }
    }
    if (commit.list->cnt == 0) {
        return;
    }
    if (auto err = rd_kafka_commit(consumer_, commit.list, 0 /* synchronous */);
        err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        commit_errors_.add();
        core::log_warning(std::string("kafka: offset commit failed: ") + rd_kafka_err2str(err));
        return;
    }
    for (int i = 0; i < commit.list->cnt; ++i) {
        const auto& p = commit.list->elems[i];
        record_committed(p.topic, p.partition, p.offset);
    }
}

void kafka_source::record_committed(const std::string& topic, std::int32_t partition,
                                    std::int64_t offset) {
    committed_[{topic, partition}] = offset;
    metrics_
        .make_gauge("vigil_kafka_committed_offset",
                    "The next offset the consumer group will read, per partition (committed "
                    "once the records before it are durable).",
                    {{"partition", std::to_string(partition)}, {"topic", topic}})
        .set(offset);
}

void kafka_source::learn_committed(const rd_kafka_topic_partition_list_s* partitions) {
    partition_list asked(partitions->cnt);
    for (int i = 0; i < partitions->cnt; ++i) {
        rd_kafka_topic_partition_list_add(asked.list, partitions->elems[i].topic,
                                          partitions->elems[i].partition);
    }
    if (auto err = rd_kafka_committed(consumer_, asked.list, committed_query_timeout_ms);
        err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        core::log_warning(std::string("kafka: reading the group's committed offsets failed: ") +
                          rd_kafka_err2str(err));
        return;
    }
    for (int i = 0; i < asked.list->cnt; ++i) {
        const auto& p = asked.list->elems[i];
        if (p.err == RD_KAFKA_RESP_ERR_NO_ERROR && p.offset >= 0) {
            record_committed(p.topic, p.partition, p.offset);
            // Reading resumes here: a first record after it means the ones between are gone.
            expected_[{p.topic, p.partition}] = p.offset;
        }
    }
}

void kafka_source::note_next_offset(std::string_view topic, std::int32_t partition,
                                    std::int64_t offset) {
    const std::int64_t expected = *expected_here_;
    if (expected < 0 || offset <= expected) {
        return; // nothing known to compare with, or a record read again
    }
    const std::string partition_name = std::to_string(partition);
    metrics_
        .make_counter("vigil_kafka_offsets_skipped_total",
                      "Offsets a partition skipped: records the broker deleted (retention) "
                      "before they were read, compacted away, or transaction markers.",
                      {{"partition", partition_name}, {"topic", std::string(topic)}})
        .add(static_cast<std::uint64_t>(offset - expected));
    skip_log_.warning(clock_.now_ns(),
                      "kafka: " + std::string(topic) + "/" + partition_name + ": offsets " +
                          std::to_string(expected) + " to " + std::to_string(offset - 1) +
                          " skipped (" + std::to_string(offset - expected) +
                          "): deleted by the broker's retention before they were read, "
                          "compacted, or transaction markers");
}

void kafka_source::update_lag() {
    rd_kafka_topic_partition_list_t* assignment = nullptr;
    if (rd_kafka_assignment(consumer_, &assignment) != RD_KAFKA_RESP_ERR_NO_ERROR) {
        return;
    }
    rd_kafka_position(consumer_, assignment);
    for (int i = 0; i < assignment->cnt; ++i) {
        const auto& p = assignment->elems[i];
        std::int64_t low = 0;
        std::int64_t high = 0;
        if (rd_kafka_get_watermark_offsets(consumer_, p.topic, p.partition, &low, &high) !=
                RD_KAFKA_RESP_ERR_NO_ERROR ||
            high < 0) {
            continue;
        }
        // Lag from the committed offset: what is not yet durable counts as not consumed.
        auto it = committed_.find({p.topic, p.partition});
        const std::int64_t done =
            it != committed_.end() ? it->second : std::max<std::int64_t>(low, 0);
        metrics_
            .make_gauge("vigil_kafka_consumer_lag",
                        "Messages of a partition not yet durable in vigil (high watermark minus "
                        "committed offset).",
                        {{"partition", std::to_string(p.partition)}, {"topic", p.topic}})
            .set(std::max<std::int64_t>(0, high - done));
    }
    rd_kafka_topic_partition_list_destroy(assignment);
}

void kafka_source::wait_durable(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (durability_.durable_sequence() < last_submitted_ &&
           std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
}

void kafka_source::announce(const rd_kafka_topic_partition_list_s* partitions, bool opened) {
    for (int i = 0; i < partitions->cnt; ++i) {
        const auto& p = partitions->elems[i];
        batch_->input_changes.push_back(
            {core::input_for_partition(p.topic, p.partition), opened,
             opened ? core::partition_input_name(p.topic, p.partition) : std::string(),
             clock_.now_ns()});
    }
}

void kafka_source::forget_expected(const rd_kafka_topic_partition_list_s* partitions) {
    for (int i = 0; i < partitions->cnt; ++i) {
        expected_[{partitions->elems[i].topic, partitions->elems[i].partition}] = -1;
    }
}

void kafka_source::on_rebalance(int error, rd_kafka_topic_partition_list_s* partitions) {
    if (error == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
        assigned_.add();
        // Each partition is an input: event time waits for it from now on (ARCHITECTURE.md,
        // "Time").
        announce(partitions, true);
        forget_expected(partitions);
        // Offsets committed before (by an earlier run or another member) count as committed
        // here too: the gauge and the lag start from them, not from zero.
        learn_committed(partitions);
        rd_kafka_assign(consumer_, partitions);
        paused_ = false;
        return;
    }
    if (error == RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS) {
        revoked_.add();
        // The open batch is not ours to submit any more: its records are read again by whoever
        // gets the partitions. What was submitted is committed once durable.
        batch_ = std::make_unique<core::raw_batch>();
        open_ = {};
        highest_ = nullptr;
        durability_.request_durable(last_submitted_);
        wait_durable(durable_wait);
        commit_durable();
        submitted_.clear(); // not durable in time: left uncommitted, read again
        announce(partitions, false);
        forget_expected(partitions);
    }
    rd_kafka_assign(consumer_, nullptr);
    paused_ = false;
}

} // namespace vigil::ingest
