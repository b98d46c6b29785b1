#pragma once

#include <chrono>
#include <expected>
#include <string>

namespace vigil::daemon {

struct http_response {
    unsigned status = 0;
    std::string body;
};

struct http_call_options {
    std::chrono::seconds timeout{30};
    std::string token;   // sent as "Authorization: Bearer <token>" when set
    std::string ca_file; // https: trust this PEM file too (a CA, or the server's own certificate)
};

// One HTTP/1.1 request to vigild's API ("http://host:port/path" or "https://..."), for the
// CLI. HTTPS verifies the server's certificate and name (the system's CAs and `ca_file`). The
// error says what failed (connecting, the handshake, timing out).
[[nodiscard]] std::expected<http_response, std::string> http_call(const std::string& method,
                                                                  const std::string& url,
                                                                  const std::string& body,
                                                                  const http_call_options& options);

} // namespace vigil::daemon
