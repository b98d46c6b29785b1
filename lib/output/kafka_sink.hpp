#pragma once

#include "output/alert_sink.hpp"

#include <atomic>
#include <chrono>
#include <expected>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

struct rd_kafka_s;
struct rd_kafka_topic_s;

namespace vigil::output {

struct kafka_sink_settings {
    std::string name = "kafka";
    std::string brokers;
    std::string topic;
    std::vector<std::pair<std::string, std::string>> properties; // further librdkafka settings
    std::chrono::milliseconds delivery_timeout{30'000};          // message.timeout.ms
};

// Produces each alert to a topic with librdkafka's idempotent producer (enable.idempotence:
// no duplicates or reordering from the producer's own retries): key = alert id, value = the
// alert JSON. `send` returns once the delivery report came (acks=all), so the outbox entry is
// removed only for an alert the brokers have. A thread of its own serves the reports.
class kafka_sink final : public alert_sink {
public:
    [[nodiscard]] static std::expected<std::unique_ptr<kafka_sink>, std::string>
    create(kafka_sink_settings settings);
    ~kafka_sink() override;
    kafka_sink(const kafka_sink&) = delete;
    kafka_sink& operator=(const kafka_sink&) = delete;

    [[nodiscard]] std::string_view name() const override { return settings_.name; }
    [[nodiscard]] send_result send(std::string_view alert_id, std::string_view alert_json) override;
    // Purges what is queued and in flight: their delivery reports come at once.
    void cancel() override;

private:
    explicit kafka_sink(kafka_sink_settings settings) : settings_(std::move(settings)) {}

    kafka_sink_settings settings_;
    rd_kafka_s* producer_ = nullptr;
    rd_kafka_topic_s* topic_ = nullptr;
    std::atomic<bool> stopping_{false};
    std::atomic<bool> cancelled_{false};
    std::thread poller_;
};

} // namespace vigil::output
