#include "net/tcp_listener.hpp"

#include "core/clock.hpp"
#include "net/socket_setup.hpp"

#include <chrono>

namespace vigil::net {

namespace asio = boost::asio;

tcp_listener::tcp_listener(asio::io_context& io, std::string what, accept_handler on_accept)
    : what_(std::move(what)), on_accept_(std::move(on_accept)), acceptor_(io), retry_(io) {}

std::expected<void, std::string> tcp_listener::start(const core::listen_address& address) {
    auto opened = open_acceptor(acceptor_, address, what_ + " " + address.to_string());
    if (opened) {
        accept();
    }
    return opened;
}

asio::ip::tcp::endpoint tcp_listener::local_endpoint() const {
    boost::system::error_code ec;
    return acceptor_.local_endpoint(ec);
}

void tcp_listener::stop() {
    stopping_ = true;
    boost::system::error_code ignored;
    acceptor_.close(ignored);
    retry_.cancel();
}

void tcp_listener::accept() {
    acceptor_.async_accept([this](boost::system::error_code ec, asio::ip::tcp::socket socket) {
        if (stopping_ || ec == asio::error::operation_aborted) {
            return;
        }
        if (!ec) {
            // A peer that vanished without a FIN (a rebooted firewall) is found by the kernel's
            // keepalive probes instead of holding its connection for ever.
            boost::system::error_code ignored;
            socket.set_option(asio::socket_base::keep_alive(true), ignored);
            on_accept_(std::move(socket));
            accept();
            return;
        }
        errors_.warning(core::system_clock::instance().now_ns(),
                        what_ + ": accept failed: " + ec.message());
        retry_.expires_after(std::chrono::milliseconds(100));
        retry_.async_wait([this](boost::system::error_code wait_error) {
            if (!wait_error && !stopping_) {
                accept();
            }
        });
    });
}

} // namespace vigil::net
