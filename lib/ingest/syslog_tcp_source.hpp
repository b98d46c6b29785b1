#pragma once

#include "core/clock.hpp"
#include "core/defaults.hpp"
#include "core/listen_address.hpp"
#include "core/metrics.hpp"
#include "ingest/batch_sink.hpp"
#include "ingest/ingest_probe.hpp"
#include "ingest/source.hpp"
#include "ingest/unconfirmed_window.hpp"
#include "net/connection_limiter.hpp"
#include "net/server_tls.hpp"
#include "net/tcp_listener.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <cstddef>
#include <expected>
#include <memory>
#include <string>
#include <unordered_set>

namespace vigil::ingest {

struct syslog_tcp_config {
    core::listen_address address;
    std::size_t max_frame_bytes = defaults::max_frame_bytes;
    // Syslog over TLS (RFC 5425) when set: every connection starts with a TLS handshake
    // (with the context current when it was accepted), and frames must be octet-counted.
    std::shared_ptr<net::server_tls> tls;
    std::chrono::seconds handshake_timeout{10};
    // A connection that sends nothing for this long is closed (and counted), so that idle
    // connections cannot hold the per-client and per-listener places for ever.
    std::chrono::milliseconds idle_timeout{defaults::syslog_idle_timeout_ns / 1'000'000};
    net::connection_limits limits;
    // After stop(), how long a connection may wait for the pipeline to take what it has read
    // before that batch is dropped (and counted) so that shutdown cannot hang.
    std::chrono::milliseconds stop_grace{10'000};
    // Records read but not yet durable, at most: reading pauses at this many (the loss window
    // of a crash; unconfirmed_window).
    std::size_t max_unconfirmed_records = defaults::syslog_max_unconfirmed_records;
};

// Syslog over TCP (RFC 6587) or TLS (RFC 5425): accepts connections, frames each connection's
// stream with its own syslog_framer and hands the records to the pipeline in one batch per
// read. When the pipeline is full the connection stops reading until its batch is taken
// (back-pressure reaches the sender through TCP flow control); so do all connections while
// max_unconfirmed_records records read are not yet durable. A TLS connection that fails its
// handshake (a plaintext client, an old protocol, a missing or untrusted client certificate) is
// closed and counted in vigil_tls_handshake_failures_total. Lives on the I/O thread.
class syslog_tcp_source final : public source {
public:
    syslog_tcp_source(boost::asio::io_context& io, syslog_tcp_config config, batch_sink& sink,
                      durable_acks& acks, core::metrics_registry& metrics,
                      const core::clock& clock);
    ~syslog_tcp_source() override;
    syslog_tcp_source(const syslog_tcp_source&) = delete;
    syslog_tcp_source& operator=(const syslog_tcp_source&) = delete;

    // Binds and starts accepting; the error names the address and the reason.
    [[nodiscard]] std::expected<void, std::string> start() override;
    [[nodiscard]] boost::asio::ip::tcp::endpoint local_endpoint() const;
    // "listening: syslog/tcp ADDRESS" (syslog/tls with TLS).
    [[nodiscard]] std::string description() const override;

    // Stops accepting and closes every connection once what it has read is handed over (or
    // stop_grace has passed).
    void stop() override;

private:
    template <typename Stream>
    class connection;
    class connection_base;

    syslog_tcp_config config_;
    batch_sink& sink_;
    durable_acks& acks_;
    unconfirmed_window window_;
    core::gauge* unconfirmed_gauge_ = nullptr;
    core::counter* window_waits_ = nullptr;
    core::source_kind kind_;
    ingest_probe probe_;
    const core::clock& clock_;
    net::connection_limiter limiter_;
    core::counter* handshake_failures_ = nullptr; // TLS only
    core::counter* idle_closed_ = nullptr;
    net::tcp_listener listener_;
    std::unordered_set<connection_base*> connections_;
    std::uint64_t connections_seen_ = 0; // numbers each connection's input
};

} // namespace vigil::ingest
