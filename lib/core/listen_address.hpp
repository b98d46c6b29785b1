#pragma once

#include <cstdint>
#include <expected>
#include <string>
#include <string_view>

namespace vigil::core {

// "host:port" or "[v6-host]:port" as written in the configuration. Port 0 asks the kernel
// for a free port (tests); the bound port is logged.
struct listen_address {
    std::string host;
    std::uint16_t port = 0;

    [[nodiscard]] static std::expected<listen_address, std::string> parse(std::string_view text);
    [[nodiscard]] std::string to_string() const;
};

} // namespace vigil::core
