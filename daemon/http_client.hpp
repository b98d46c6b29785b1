#pragma once

#include <chrono>
#include <expected>
#include <string>

namespace vigil::daemon {

struct http_response {
    unsigned status = 0;
    std::string body;
};

// One HTTP/1.1 request to vigild's API ("http://host:port/path"), for the CLI. The error says
// what failed (connecting, timing out).
[[nodiscard]] std::expected<http_response, std::string> http_call(const std::string& method,
                                                                  const std::string& url,
                                                                  const std::string& body,
                                                                  std::chrono::seconds timeout);

} // namespace vigil::daemon
