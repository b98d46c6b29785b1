#include "output/kafka_sink.hpp"

#include <condition_variable>
#include <librdkafka/rdkafka.h>
#include <mutex>

namespace vigil::output {
namespace {

// One message waiting for its delivery report (the message's opaque pointer).
struct pending_report {
    std::mutex mutex;
    std::condition_variable done;
    bool reported = false;
    rd_kafka_resp_err_t error = RD_KAFKA_RESP_ERR_NO_ERROR;
};

extern "C" void on_delivery(rd_kafka_t*, const rd_kafka_message_t* message, void*) {
    auto* report = static_cast<pending_report*>(message->_private);
    std::lock_guard lock(report->mutex);
    report->error = message->err;
    report->reported = true;
    report->done.notify_all();
}

} // namespace

std::expected<std::unique_ptr<kafka_sink>, std::string>
kafka_sink::create(kafka_sink_settings settings) {
    if (settings.brokers.empty() || settings.topic.empty()) {
        return std::unexpected("kafka sink '" + settings.name +
                               "': 'brokers' and 'topic' are required");
    }
    std::unique_ptr<kafka_sink> sink(new kafka_sink(std::move(settings)));
    const auto& s = sink->settings_;
    char error[512];
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    std::vector<std::pair<std::string, std::string>> values{
        {"bootstrap.servers", s.brokers},
        {"enable.idempotence", "true"},
        {"acks", "all"},
        {"message.timeout.ms", std::to_string(s.delivery_timeout.count())},
    };
    values.insert(values.end(), s.properties.begin(), s.properties.end());
    for (const auto& [key, value] : values) {
        if (rd_kafka_conf_set(conf, key.c_str(), value.c_str(), error, sizeof error) !=
            RD_KAFKA_CONF_OK) {
            rd_kafka_conf_destroy(conf);
            return std::unexpected("kafka sink '" + s.name + "': setting '" + key + "': " + error);
        }
    }
    rd_kafka_conf_set_dr_msg_cb(conf, &on_delivery);
    sink->producer_ = rd_kafka_new(RD_KAFKA_PRODUCER, conf, error, sizeof error);
    if (sink->producer_ == nullptr) {
        return std::unexpected("kafka sink '" + s.name + "': cannot create the producer: " + error);
    }
    sink->topic_ = rd_kafka_topic_new(sink->producer_, s.topic.c_str(), nullptr);
    if (sink->topic_ == nullptr) {
        return std::unexpected("kafka sink '" + s.name + "': topic " + s.topic + ": " +
                               rd_kafka_err2str(rd_kafka_last_error()));
    }
    sink->poller_ = std::thread([raw = sink.get()] {
        while (!raw->stopping_.load()) {
            rd_kafka_poll(raw->producer_, 100);
        }
    });
    return sink;
}

kafka_sink::~kafka_sink() {
    if (producer_ != nullptr) {
        rd_kafka_flush(producer_, 5000);
    }
    stopping_.store(true);
    if (poller_.joinable()) {
        poller_.join();
    }
    if (topic_ != nullptr) {
        rd_kafka_topic_destroy(topic_);
    }
    if (producer_ != nullptr) {
        rd_kafka_destroy(producer_);
    }
}

void kafka_sink::cancel() {
    cancelled_.store(true);
    rd_kafka_purge(producer_, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
}

send_result kafka_sink::send(std::string_view alert_id, std::string_view alert_json) {
    send_result out;
    if (cancelled_.load()) {
        out.reason = "cancelled";
        out.error = "cancelled (shutting down)";
        return out;
    }
    pending_report report;
    if (rd_kafka_produce(topic_, RD_KAFKA_PARTITION_UA, RD_KAFKA_MSG_F_COPY,
                         const_cast<char*>(alert_json.data()), alert_json.size(), alert_id.data(),
                         alert_id.size(), &report) != 0) {
        const rd_kafka_resp_err_t err = rd_kafka_last_error();
        out.reason = "kafka";
        out.error =
            std::string("producing to ") + settings_.topic + " failed: " + rd_kafka_err2str(err);
        return out;
    }
    std::unique_lock lock(report.mutex);
    // The report always comes: at the latest when message.timeout.ms has passed.
    report.done.wait(lock, [&] { return report.reported; });
    if (report.error != RD_KAFKA_RESP_ERR_NO_ERROR) {
        out.reason = cancelled_.load() ? "cancelled" : "kafka";
        out.error = std::string("delivery to ") + settings_.topic +
                    " failed: " + rd_kafka_err2str(report.error);
        return out;
    }
    out.delivered = true;
    return out;
}

} // namespace vigil::output
