#pragma once

#include "core/listen_address.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/udp.hpp>
#include <expected>
#include <string>

namespace vigil::net {

// Socket set-up shared by every listener (syslog TCP and UDP, HTTP). Errors start with `what`
// ("syslog TCP listener 127.0.0.1:5514") and say what failed and why.

// The endpoint of a configured address; the host must be an IP literal.
[[nodiscard]] std::expected<boost::asio::ip::address, std::string>
resolve_listen_host(const core::listen_address& address, const std::string& what);

// Opens, binds (with SO_REUSEADDR) and starts listening.
[[nodiscard]] std::expected<void, std::string>
open_acceptor(boost::asio::ip::tcp::acceptor& acceptor, const core::listen_address& address,
              const std::string& what);

// Opens and binds; `receive_buffer_bytes` > 0 sets SO_RCVBUF first (a failure to set it is
// logged, not fatal: the kernel caps it at net.core.rmem_max).
[[nodiscard]] std::expected<void, std::string> open_udp_socket(boost::asio::ip::udp::socket& socket,
                                                               const core::listen_address& address,
                                                               int receive_buffer_bytes,
                                                               const std::string& what);

} // namespace vigil::net
