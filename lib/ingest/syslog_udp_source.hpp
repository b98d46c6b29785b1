#pragma once

#include "core/clock.hpp"
#include "core/defaults.hpp"
#include "core/listen_address.hpp"
#include "core/metrics.hpp"
#include "ingest/batch_sink.hpp"
#include "ingest/ingest_probe.hpp"
#include "ingest/source.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/udp.hpp>
#include <cstddef>
#include <expected>
#include <memory>
#include <string>
#include <vector>

namespace vigil::ingest {

struct syslog_udp_config {
    core::listen_address address;
    std::size_t max_frame_bytes = defaults::max_frame_bytes;
    std::size_t batch_records = defaults::batch_records;
    int receive_buffer_bytes = defaults::udp_receive_buffer_bytes;
};

// Syslog over UDP (RFC 5426): one datagram is one record. After each wake-up it drains the
// socket without blocking (up to a batch) so that a burst crosses to a worker as one batch.
// UDP cannot push back: when the pipeline is full the batch is dropped and counted. Datagrams
// the kernel dropped because the socket's receive buffer was full are counted too
// (vigil_dropped_total{reason="kernel_buffer_overflow"}, from SO_RXQ_OVFL). Lives on the I/O
// thread.
class syslog_udp_source final : public source {
public:
    syslog_udp_source(boost::asio::io_context& io, syslog_udp_config config, batch_sink& sink,
                      core::metrics_registry& metrics, const core::clock& clock);

    [[nodiscard]] std::expected<void, std::string> start() override;
    [[nodiscard]] boost::asio::ip::udp::endpoint local_endpoint() const;
    // "listening: syslog/udp ADDRESS".
    [[nodiscard]] std::string description() const override;
    void stop() override;

private:
    void receive();
    // Reads one queued datagram without blocking; false when the queue is empty.
    bool read_one(std::int64_t recv_ns);
    void on_datagram(std::size_t size, std::int64_t recv_ns, const core::peer_address& peer);

    syslog_udp_config config_;
    batch_sink& sink_;
    ingest_probe probe_;
    const core::clock& clock_;
    boost::asio::ip::udp::socket socket_;
    std::vector<char> buffer_;
    core::counter& kernel_drops_;
    std::uint32_t kernel_drops_seen_ = 0; // the socket's cumulative SO_RXQ_OVFL count
    std::unique_ptr<core::raw_batch> batch_;
};

} // namespace vigil::ingest
