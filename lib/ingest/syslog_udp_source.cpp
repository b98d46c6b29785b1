#include "ingest/syslog_udp_source.hpp"

#include "core/log.hpp"
#include "net/endpoint_text.hpp"
#include "net/socket_setup.hpp"

#include <arpa/inet.h>
#include <cerrno>
#include <cstring>
#include <netinet/in.h>
#include <sys/socket.h>

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
      socket_(io), buffer_(datagram_buffer_bytes),
      kernel_drops_(
          metrics.make_counter("vigil_dropped_total", "Records dropped, by reason and source.",
                               {{"reason", "kernel_buffer_overflow"}, {"source", "syslog_udp"}})),
      batch_(std::make_unique<core::raw_batch>()) {}

std::expected<void, std::string> syslog_udp_source::start() {
    auto opened = net::open_udp_socket(socket_, config_.address, config_.receive_buffer_bytes,
                                       "syslog UDP listener " + config_.address.to_string());
    if (!opened) {
        return opened;
    }
    boost::system::error_code ec;
    socket_.non_blocking(true, ec); // lets on-receive draining stop at an empty queue
    // Each datagram then carries the count of datagrams the kernel dropped before it was queued
    // (so drops show when the next datagram gets through).
    const int on = 1;
    if (setsockopt(socket_.native_handle(), SOL_SOCKET, SO_RXQ_OVFL, &on, sizeof on) != 0) {
        core::log_warning("syslog UDP: kernel drops will not be counted (SO_RXQ_OVFL refused)");
    }
    receive();
    return {};
}

udp::endpoint syslog_udp_source::local_endpoint() const {
    boost::system::error_code ec;
    return socket_.local_endpoint(ec);
}

std::string syslog_udp_source::description() const {
    return "listening: syslog/udp " + net::endpoint_text(local_endpoint());
}

void syslog_udp_source::stop() {
    boost::system::error_code ignored;
    socket_.close(ignored);
}

void syslog_udp_source::receive() {
    socket_.async_wait(udp::socket::wait_read, [this](boost::system::error_code ec) {
        if (ec == asio::error::operation_aborted || !socket_.is_open()) {
            return;
        }
        if (ec) {
            core::log_warning("syslog UDP wait failed: " + ec.message());
            receive();
            return;
        }
        // Drain what is queued, without waiting, up to a batch.
        const std::int64_t now = clock_.now_ns();
        while (batch_->size() < config_.batch_records && read_one(now)) {
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

bool syslog_udp_source::read_one(std::int64_t recv_ns) {
    sockaddr_storage from{};
    iovec data{buffer_.data(), buffer_.size()};
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(std::uint32_t))];
    msghdr message{};
    message.msg_name = &from;
    message.msg_namelen = sizeof from;
    message.msg_iov = &data;
    message.msg_iovlen = 1;
    message.msg_control = control;
    message.msg_controllen = sizeof control;
    const ssize_t n = recvmsg(socket_.native_handle(), &message, MSG_DONTWAIT);
    if (n < 0) {
        if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
            core::log_warning(std::string("syslog UDP receive failed: ") + std::strerror(errno));
        }
        return false;
    }
    for (cmsghdr* c = CMSG_FIRSTHDR(&message); c != nullptr; c = CMSG_NXTHDR(&message, c)) {
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SO_RXQ_OVFL) {
            std::uint32_t dropped = 0;
            std::memcpy(&dropped, CMSG_DATA(c), sizeof dropped);
            kernel_drops_.add(dropped - kernel_drops_seen_); // wraps like the kernel's count
            kernel_drops_seen_ = dropped;
        }
    }
    core::peer_address peer;
    if (from.ss_family == AF_INET) {
        const auto& in = reinterpret_cast<const sockaddr_in&>(from);
        std::memcpy(peer.bytes.data(), &in.sin_addr, 4);
        peer.port = ntohs(in.sin_port);
        peer.known = true;
    } else if (from.ss_family == AF_INET6) {
        const auto& in6 = reinterpret_cast<const sockaddr_in6&>(from);
        std::memcpy(peer.bytes.data(), &in6.sin6_addr, 16);
        peer.port = ntohs(in6.sin6_port);
        peer.is_v6 = true;
        peer.known = true;
    }
    on_datagram(static_cast<std::size_t>(n), recv_ns, peer);
    return true;
}

void syslog_udp_source::on_datagram(std::size_t size, std::int64_t recv_ns,
                                    const core::peer_address& peer) {
    probe_.records.add();
    if (size > config_.max_frame_bytes) {
        probe_.dropped_oversize.add();
        return;
    }
    probe_.bytes.add(size);
    batch_->add({buffer_.data(), size}, core::source_kind::syslog_udp, recv_ns, peer,
                core::input_for_peer(core::source_kind::syslog_udp, peer, true));
}

} // namespace vigil::ingest
