#include "net/socket_setup.hpp"

#include "core/log.hpp"

namespace vigil::net {

namespace asio = boost::asio;

std::expected<asio::ip::address, std::string>
resolve_listen_host(const core::listen_address& address, const std::string& what) {
    boost::system::error_code ec;
    auto ip = asio::ip::make_address(address.host, ec);
    if (ec) {
        return std::unexpected(what + ": '" + address.host + "' is not an IP address");
    }
    return ip;
}

std::expected<void, std::string> open_acceptor(asio::ip::tcp::acceptor& acceptor,
                                               const core::listen_address& address,
                                               const std::string& what) {
    auto ip = resolve_listen_host(address, what);
    if (!ip) {
        return std::unexpected(ip.error());
    }
    const asio::ip::tcp::endpoint endpoint(*ip, address.port);
    boost::system::error_code ec;
    if (acceptor.open(endpoint.protocol(), ec); ec) {
        return std::unexpected(what + ": " + ec.message());
    }
    acceptor.set_option(asio::ip::tcp::acceptor::reuse_address(true), ec);
    if (acceptor.bind(endpoint, ec); ec) {
        return std::unexpected(what + ": cannot bind: " + ec.message());
    }
    if (acceptor.listen(asio::socket_base::max_listen_connections, ec); ec) {
        return std::unexpected(what + ": cannot listen: " + ec.message());
    }
    return {};
}

std::expected<void, std::string> open_udp_socket(asio::ip::udp::socket& socket,
                                                 const core::listen_address& address,
                                                 int receive_buffer_bytes,
                                                 const std::string& what) {
    auto ip = resolve_listen_host(address, what);
    if (!ip) {
        return std::unexpected(ip.error());
    }
    const asio::ip::udp::endpoint endpoint(*ip, address.port);
    boost::system::error_code ec;
    if (socket.open(endpoint.protocol(), ec); ec) {
        return std::unexpected(what + ": " + ec.message());
    }
    if (receive_buffer_bytes > 0) {
        socket.set_option(asio::socket_base::receive_buffer_size(receive_buffer_bytes), ec);
        if (ec) {
            core::log_warning(what + ": cannot set the receive buffer size: " + ec.message());
        }
    }
    if (socket.bind(endpoint, ec); ec) {
        return std::unexpected(what + ": cannot bind: " + ec.message());
    }
    return {};
}

} // namespace vigil::net
