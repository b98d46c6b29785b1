#pragma once

#include "api/http_router.hpp"
#include "config/vigil_config.hpp"
#include "core/defaults.hpp"
#include "core/listen_address.hpp"
#include "core/metrics.hpp"
#include "net/connection_limiter.hpp"
#include "net/server_tls.hpp"
#include "net/tcp_listener.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <cstddef>
#include <expected>
#include <string>
#include <unordered_set>

namespace vigil::api {

struct http_server_config {
    core::listen_address address;
    std::size_t max_header_bytes = defaults::http_max_header_bytes;
    std::size_t max_body_bytes = defaults::http_max_body_bytes;
    // A connection sends a whole request within this, from its start or its last answer;
    // otherwise it is closed and counted (idle: nothing of a request; slow_request: a part).
    std::chrono::milliseconds request_timeout{defaults::http_request_timeout_ns / 1'000'000};
    net::connection_limits limits{defaults::http_max_connections,
                                  defaults::http_max_connections_per_client};
    // HTTPS when set: every connection starts with a TLS handshake.
    std::shared_ptr<net::server_tls> tls;
};

// The server's settings from the configuration's `http` section; loads the TLS context when a
// certificate is set (the error names http.tls and the reason).
[[nodiscard]] std::expected<http_server_config, std::string>
http_server_settings(const config::vigil_config::http_section& http);

// The daemon's HTTP/1.1 server (Boost.Beast): keep-alive connections, request head and body
// limits (431/413), a deadline per request, and dispatch through an http_router; HTTPS when
// configured (net::server_tls, reloadable). Lives on the I/O thread.
class http_server {
public:
    http_server(boost::asio::io_context& io, http_server_config config, const http_router& router,
                core::metrics_registry& metrics);
    ~http_server();
    http_server(const http_server&) = delete;
    http_server& operator=(const http_server&) = delete;

    [[nodiscard]] std::expected<void, std::string> start();
    [[nodiscard]] boost::asio::ip::tcp::endpoint local_endpoint() const;
    // Stops accepting and closes open connections; a request being handled is answered first.
    void stop();

private:
    class session_base;
    template <typename Stream>
    class session;

    http_server_config config_;
    const http_router& router_;
    net::connection_limiter limiter_;
    core::counter& idle_closed_;
    core::counter& slow_closed_;
    net::tcp_listener listener_;
    std::unordered_set<session_base*> sessions_;
    core::counter* handshake_failures_ = nullptr; // HTTPS only
};

} // namespace vigil::api
