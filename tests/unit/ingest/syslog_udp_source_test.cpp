#include "core/clock.hpp"
#include "core/metrics.hpp"
#include "ingest/syslog_udp_source.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/udp.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <string>

using namespace vigil;

namespace {

class record_counter final : public ingest::batch_sink {
public:
    bool try_submit(std::unique_ptr<core::raw_batch>& batch) override {
        records += batch->size();
        for (const auto& r : batch->records()) {
            peers_known =
                peers_known && r.peer.known && r.peer.to_string().starts_with("127.0.0.1:");
        }
        batch.reset();
        return true;
    }
    std::size_t records = 0;
    bool peers_known = true;
};

} // namespace

TEST_CASE("datagrams the kernel drops for a full receive buffer are counted", "[ingest][udp]") {
    boost::asio::io_context io;
    core::metrics_registry metrics;
    record_counter sink;
    ingest::syslog_udp_config config{*core::listen_address::parse("127.0.0.1:0"), 64 * 1024, 256,
                                     4096};
    ingest::syslog_udp_source source(io, config, sink, metrics, core::system_clock::instance());
    REQUIRE(source.start().has_value());

    // A burst while nobody reads: the small buffer overflows.
    boost::asio::ip::udp::socket sender(io, boost::asio::ip::udp::v4());
    const std::string line(200, 'x');
    constexpr std::size_t sent = 2000;
    for (std::size_t i = 0; i < sent; ++i) {
        sender.send_to(boost::asio::buffer("<13>Nov 21 10:00:00 host app: " + line),
                       source.local_endpoint());
    }
    while (io.poll() > 0) {
    }
    // The kernel reports its drop count with the next datagram it queues.
    sender.send_to(boost::asio::buffer("<13>Nov 21 10:00:01 host app: after the burst"),
                   source.local_endpoint());
    auto dropped_now = [&] {
        return static_cast<std::size_t>(
            metrics.value("vigil_dropped_total",
                          {{"reason", "kernel_buffer_overflow"}, {"source", "syslog_udp"}}));
    };
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (sink.records + dropped_now() < sent + 1 && std::chrono::steady_clock::now() < deadline) {
        io.run_one_for(std::chrono::milliseconds(10));
    }
    const std::size_t dropped = dropped_now();
    INFO("received " << sink.records << ", dropped by the kernel " << dropped);
    CHECK(dropped > 0);
    CHECK(sink.records > 0);
    CHECK(sink.records + dropped == sent + 1);
    CHECK(sink.peers_known);
    CHECK(static_cast<std::size_t>(
              metrics.value("vigil_received_total", {{"source", "syslog_udp"}})) == sink.records);
}
