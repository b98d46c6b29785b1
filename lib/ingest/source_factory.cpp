#include "ingest/source_factory.hpp"

#include "core/civil_time.hpp"
#include "core/defaults.hpp"
#include "core/json_writer.hpp"
#include "core/log.hpp"
#include "ingest/kafka_source.hpp"
#include "ingest/syslog_tcp_source.hpp"
#include "ingest/syslog_udp_source.hpp"

#include <array>
#include <chrono>

namespace vigil::ingest {
namespace {

using built = std::expected<std::unique_ptr<source>, std::string>;

std::chrono::milliseconds milliseconds(std::int64_t ns) {
    return std::chrono::milliseconds(ns / 1'000'000);
}

built make_syslog_udp(const config::vigil_config& cfg, const source_context& c,
                      configured_sources&) {
    if (!cfg.syslog.udp) {
        return nullptr;
    }
    return std::make_unique<syslog_udp_source>(
        c.io,
        syslog_udp_config{*cfg.syslog.udp, cfg.syslog.max_frame_bytes, defaults::batch_records,
                          cfg.syslog.udp_receive_buffer_bytes},
        c.sink, c.metrics, c.clock);
}

// Syslog over TCP, or over TLS with `tls` set: the settings they share.
syslog_tcp_config syslog_stream_config(const config::vigil_config::syslog_section& syslog,
                                       const core::listen_address& address) {
    syslog_tcp_config out;
    out.address = address;
    out.max_frame_bytes = syslog.max_frame_bytes;
    out.limits = {syslog.max_connections, syslog.max_connections_per_client};
    out.idle_timeout = milliseconds(syslog.idle_timeout_ns);
    out.max_unconfirmed_records = syslog.max_unconfirmed_records;
    return out;
}

built make_syslog_tcp(const config::vigil_config& cfg, const source_context& c,
                      configured_sources&) {
    if (!cfg.syslog.tcp) {
        return nullptr;
    }
    return std::make_unique<syslog_tcp_source>(c.io,
                                               syslog_stream_config(cfg.syslog, *cfg.syslog.tcp),
                                               c.sink, c.acks, c.metrics, c.clock);
}

built make_syslog_tls(const config::vigil_config& cfg, const source_context& c,
                      configured_sources& out) {
    const auto& tls = cfg.syslog.tls;
    if (!tls.listen) {
        return nullptr;
    }
    auto context = net::server_tls::load({tls.certificate, tls.private_key, tls.client_ca});
    if (!context) {
        return std::unexpected("syslog.tls: " + context.error());
    }
    out.tls_contexts.emplace_back("syslog.tls", *context);
    syslog_tcp_config tls_cfg = syslog_stream_config(cfg.syslog, *tls.listen);
    tls_cfg.tls = std::move(*context);
    return std::make_unique<syslog_tcp_source>(c.io, std::move(tls_cfg), c.sink, c.acks, c.metrics,
                                               c.clock);
}

built make_kafka(const config::vigil_config& cfg, const source_context& c, configured_sources&) {
    if (cfg.kafka.brokers.empty()) {
        return nullptr;
    }
    kafka_config kafka_cfg;
    kafka_cfg.brokers = cfg.kafka.brokers;
    kafka_cfg.group_id = cfg.kafka.group_id;
    kafka_cfg.topics = cfg.kafka.topics;
    kafka_cfg.commit_interval = milliseconds(cfg.kafka.commit_interval_ns);
    kafka_cfg.max_message_bytes = cfg.kafka.max_message_bytes;
    kafka_cfg.batch_records = defaults::batch_records;
    kafka_cfg.properties = cfg.kafka.properties;
    kafka_cfg.dead_letters = [&store = c.store,
                              cap = cfg.kafka.dead_letter_cap](const dead_letter& d) {
        std::string json;
        core::json_writer w(json);
        w.begin_object()
            .field("topic", d.topic)
            .field("partition", static_cast<std::int64_t>(d.partition))
            .field("offset", d.offset)
            .field("reason", d.reason)
            .field("received_at", core::rfc3339(d.received_ns).view())
            .field("value", d.value)
            .end_object();
        if (auto written = store.write_dead_letter(json, cap); !written) {
            core::log_error(written.error());
        }
    };
    return std::make_unique<kafka_source>(c.io, std::move(kafka_cfg), c.sink, c.durability,
                                          c.metrics, c.clock);
}

using factory = built (*)(const config::vigil_config&, const source_context&, configured_sources&);
// Every kind of source, in start order.
constexpr std::array<factory, 4> factories = {make_syslog_udp, make_syslog_tcp, make_syslog_tls,
                                              make_kafka};

} // namespace

http_ingest_config http_ingest_settings(const config::vigil_config::http_section& http) {
    http_ingest_config out;
    out.ingest_token = http.ingest_token;
    out.hec_token = http.hec_token;
    out.max_decompressed_bytes = http.max_decompressed_bytes;
    out.max_compression_ratio = http.max_compression_ratio;
    out.ack_timeout = milliseconds(http.ack_timeout_ns);
    return out;
}

std::expected<configured_sources, std::string> make_sources(const config::vigil_config& cfg,
                                                            const source_context& context) {
    configured_sources out;
    for (factory make : factories) {
        auto made = make(cfg, context, out);
        if (!made) {
            return std::unexpected(made.error());
        }
        if (*made) {
            out.sources.push_back(std::move(*made));
        }
    }
    return out;
}

} // namespace vigil::ingest
