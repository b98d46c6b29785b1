#pragma once

#include "core/listen_address.hpp"
#include "core/log.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <expected>
#include <functional>
#include <string>

namespace vigil::net {

// A listening TCP socket and its accept loop, shared by the syslog TCP source and the HTTP
// server. Accepted sockets go to `on_accept`. When accept fails (out of descriptors: the
// pending connection stays queued, so retrying at once would spin the I/O thread) the loop
// waits a moment before it tries again and logs at a limited rate. Lives on the I/O thread.
class tcp_listener {
public:
    using accept_handler = std::function<void(boost::asio::ip::tcp::socket)>;

    tcp_listener(boost::asio::io_context& io, std::string what, accept_handler on_accept);

    // Binds, listens and starts accepting; `what` names the listener in errors.
    [[nodiscard]] std::expected<void, std::string> start(const core::listen_address& address);
    [[nodiscard]] boost::asio::ip::tcp::endpoint local_endpoint() const;
    // Stops accepting (connections already accepted are their owner's business).
    void stop();

private:
    void accept();

    std::string what_;
    accept_handler on_accept_;
    boost::asio::ip::tcp::acceptor acceptor_;
    boost::asio::steady_timer retry_;
    core::rate_limited_log errors_{5, 10'000'000'000};
    bool stopping_ = false;
};

} // namespace vigil::net
