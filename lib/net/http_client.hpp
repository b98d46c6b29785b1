#pragma once

#include <atomic>
#include <boost/asio/ip/address.hpp>
#include <chrono>
#include <expected>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace vigil::net {

struct http_response {
    unsigned status = 0;
    std::string body;
    // Header fields with lower-case names, as received.
    std::vector<std::pair<std::string, std::string>> headers;

    // The first value of a header field (lower-case name), or empty.
    [[nodiscard]] std::string_view header(std::string_view name) const;
};

struct http_call_options {
    std::chrono::seconds timeout{30};
    std::string token;   // sent as "Authorization: Bearer <token>" when set
    std::string ca_file; // https: trust this PEM file too (a CA, or the server's own certificate)
    std::string content_type = "application/json";
    std::vector<std::pair<std::string, std::string>> headers; // further header fields
    // When false, a name that resolves only to loopback, private, link-local, shared or cloud
    // metadata addresses is refused before connecting (webhooks: server-side request forgery).
    bool allow_private = true;
    // When set and it becomes true, the call gives up within 100 ms ("cancelled").
    const std::atomic<bool>* cancelled = nullptr;
};

// Whether connecting to `address` would reach this host, its network or a cloud metadata
// service: loopback, RFC 1918, link-local (169.254/16, fe80::/10, the metadata address among
// them), carrier-grade NAT (100.64/10), unique local (fc00::/7), unspecified, and IPv4-mapped
// forms of those.
[[nodiscard]] bool is_private_address(const boost::asio::ip::address& address);

// One HTTP/1.1 request ("http://host:port/path?query" or "https://..."), for the CLI and the
// webhook sinks. Redirects are answers like any other (never followed). HTTPS verifies the
// server's certificate and name (the system's CAs and `ca_file`). The error says what failed
// (resolving, a refused private address, connecting, the handshake, timing out).
[[nodiscard]] std::expected<http_response, std::string> http_call(const std::string& method,
                                                                  const std::string& url,
                                                                  const std::string& body,
                                                                  const http_call_options& options);

} // namespace vigil::net
