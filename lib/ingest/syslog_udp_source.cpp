#include "ingest/syslog_udp_source.hpp"

#include "core/log.hpp"
#include "ingest/asio_peer.hpp"
#include "ingest/socket_setup.hpp"

namespace vigil::ingest {

namespace asio = boost::asio;
using asio::ip::udp;

namespace {
// Larger than any UDP payload (65,507 bytes), so a datagram is never cut.
constexpr std::size_t datagram_buffer_bytes = 65536;
} // namespace

syslog_udp_source::syslog_udp_source(asio::io_context& io, syslog_udp_config config,
                                     batch_sink& sink, core::metrics_registry& metrics,
                                     const core::clock& clock)
    : config_(std::move(config)), sink_(sink), probe_(metrics, "syslog_udp"), clock_(clock),
      socket_(io), buffer_(datagram_buffer_bytes), batch_(std::make_unique<core::raw_batch>()) {}

std::expected<void, std::string> syslog_udp_source::start() {
    auto opened = open_udp_socket(socket_, config_.address, config_.receive_buffer_bytes,
                                  "syslog UDP listener " + config_.address.to_string());
    if (!opened) {
        return opened;
    }
    boost::system::error_code ec;
    socket_.non_blocking(true, ec); // lets on-receive draining stop at an empty queue
    receive();
    return {};
}

udp::endpoint syslog_udp_source::local_endpoint() const {
    boost::system::error_code ec;
    return socket_.local_endpoint(ec);
}

void syslog_udp_source::stop() {
    boost::system::error_code ignored;
    socket_.close(ignored);
}

void syslog_udp_source::receive() {
    socket_.async_receive_from(
        asio::buffer(buffer_), sender_, [this](boost::system::error_code ec, std::size_t n) {
            if (ec == asio::error::operation_aborted || !socket_.is_open()) {
                return;
            }
            if (ec) {
                core::log_warning("syslog UDP receive failed: " + ec.message());
                receive();
                return;
            }
            const std::int64_t now = clock_.now_ns();
            on_datagram(n, now);
            // Drain what else is queued, without waiting, up to a batch.
            while (batch_->size() < config_.batch_records) {
                const std::size_t more =
                    socket_.receive_from(asio::buffer(buffer_), sender_, 0, ec);
                if (ec) {
                    break; // would_block: the queue is empty
                }
                on_datagram(more, now);
            }
            if (!batch_->empty()) {
                if (!sink_.try_submit(batch_)) {
                    probe_.dropped_pipeline.add(batch_->size());
                }
                batch_ = std::make_unique<core::raw_batch>();
            }
            receive();
        });
}

void syslog_udp_source::on_datagram(std::size_t size, std::int64_t recv_ns) {
    probe_.records.add();
    if (size > config_.max_frame_bytes) {
        probe_.dropped_oversize.add();
        return;
    }
    probe_.bytes.add(size);
    batch_->add({buffer_.data(), size}, core::source_kind::syslog_udp, recv_ns,
                to_peer_address(sender_));
}

} // namespace vigil::ingest
