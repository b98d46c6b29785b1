#include "config/vigil_config.hpp"
#include "core/clock.hpp"
#include "core/metrics.hpp"
#include "ingest/source_factory.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/udp.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <string>

using namespace vigil;

namespace {

class counting_sink final : public ingest::batch_sink, public ingest::durability_tracker {
public:
    bool try_submit(std::unique_ptr<core::raw_batch>& batch) override {
        records += batch->size();
        batch.reset();
        ++sequence;
        return true;
    }
    std::uint64_t next_sequence() const override { return sequence + 1; }
    void request_durable(std::uint64_t) override {}
    std::uint64_t durable_sequence() const override { return sequence; }
    std::size_t records = 0;
    std::uint64_t sequence = 0;
};

class unused_store final : public alert::alert_writer {
public:
    std::expected<void, std::string> write(std::span<const alert::alert>) override { return {}; }
    std::expected<void, std::string> write_checkpoint(unsigned,
                                                      const alert::shard_checkpoint&) override {
        return {};
    }
    std::expected<void, std::string> write_dead_letter(std::string_view, std::size_t) override {
        return {};
    }
    std::expected<void, std::string> flush() override { return {}; }
};

struct parts {
    boost::asio::io_context io;
    counting_sink sink;
    ingest::durable_acks acks{io, sink};
    unused_store store;
    core::metrics_registry metrics;
    ingest::source_context context() {
        return {io, sink, sink, acks, store, metrics, core::system_clock::instance()};
    }
};

config::vigil_config listeners_on_any_port() {
    auto cfg = config::default_config();
    cfg.syslog.udp = *core::listen_address::parse("127.0.0.1:0");
    cfg.syslog.tcp = *core::listen_address::parse("127.0.0.1:0");
    return cfg;
}

} // namespace

TEST_CASE("the configuration's sections make the sources, in start order", "[ingest][factory]") {
    parts p;
    auto made = ingest::make_sources(listeners_on_any_port(), p.context());
    REQUIRE(made.has_value());
    REQUIRE(made->sources.size() == 2);
    CHECK(made->tls_contexts.empty());
    for (auto& source : made->sources) {
        REQUIRE(source->start().has_value());
    }
    const std::string udp = made->sources[0]->description();
    CHECK(udp.starts_with("listening: syslog/udp 127.0.0.1:"));
    CHECK(made->sources[1]->description().starts_with("listening: syslog/tcp 127.0.0.1:"));

    // The UDP source is a live one: a datagram to its port reaches the sink.
    const auto port = static_cast<unsigned short>(std::stoi(udp.substr(udp.rfind(':') + 1)));
    boost::asio::ip::udp::socket sender(p.io, boost::asio::ip::udp::v4());
    sender.send_to(boost::asio::buffer(std::string("<13>Dec  6 10:00:00 host app: hello")),
                   {boost::asio::ip::make_address("127.0.0.1"), port});
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (p.sink.records == 0 && std::chrono::steady_clock::now() < deadline) {
        p.io.run_one_for(std::chrono::milliseconds(10));
    }
    CHECK(p.sink.records == 1);
    for (auto& source : made->sources) {
        source->stop();
    }
}

TEST_CASE("sections that are off make no source", "[ingest][factory]") {
    parts p;
    auto cfg = config::default_config();
    cfg.syslog.udp.reset();
    cfg.syslog.tcp.reset();
    auto made = ingest::make_sources(cfg, p.context());
    REQUIRE(made.has_value());
    CHECK(made->sources.empty());
}

TEST_CASE("a source that cannot be built names its section", "[ingest][factory]") {
    parts p;
    auto cfg = listeners_on_any_port();
    cfg.syslog.tls.listen = *core::listen_address::parse("127.0.0.1:0");
    cfg.syslog.tls.certificate = "/nonexistent/server.pem";
    cfg.syslog.tls.private_key = "/nonexistent/server.key";
    auto made = ingest::make_sources(cfg, p.context());
    REQUIRE_FALSE(made.has_value());
    CHECK(made.error().starts_with("syslog.tls: "));
}

TEST_CASE("Kafka and HTTP ingest settings come from their sections", "[ingest][factory]") {
    parts p;
    auto cfg = config::default_config();
    cfg.syslog.udp.reset();
    cfg.syslog.tcp.reset();
    cfg.kafka.brokers = "127.0.0.1:9";
    cfg.kafka.group_id = "soc";
    cfg.kafka.topics = {"logs"};
    auto made = ingest::make_sources(cfg, p.context());
    REQUIRE(made.has_value());
    REQUIRE(made->sources.size() == 1);
    CHECK(made->sources[0]->description() == "consuming: kafka 127.0.0.1:9 group soc");

    cfg.http.ack_timeout_ns = 2'500'000'000;
    cfg.http.ingest_token = "t1";
    cfg.http.max_compression_ratio = 7;
    const auto http = ingest::http_ingest_settings(cfg.http);
    CHECK(http.ack_timeout == std::chrono::milliseconds(2500));
    CHECK(http.ingest_token == "t1");
    CHECK(http.max_compression_ratio == 7);
    CHECK(http.max_decompressed_bytes == cfg.http.max_decompressed_bytes);
}
