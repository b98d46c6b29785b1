#include "core/listen_address.hpp"

#include <charconv>

namespace vigil::core {

std::expected<listen_address, std::string> listen_address::parse(std::string_view text) {
    auto fail = [&](std::string_view why) {
        return std::unexpected("invalid listen address '" + std::string(text) + "': " +
                               std::string(why) + " (expected host:port, e.g. 127.0.0.1:5514)");
    };
    listen_address out;
    std::string_view port_text;
    if (text.starts_with('[')) {
        const std::size_t close = text.find(']');
        if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':') {
            return fail("unbalanced [ ]");
        }
        out.host = std::string(text.substr(1, close - 1));
        port_text = text.substr(close + 2);
    } else {
        const std::size_t colon = text.rfind(':');
        if (colon == std::string_view::npos) {
            return fail("no port");
        }
        out.host = std::string(text.substr(0, colon));
        port_text = text.substr(colon + 1);
    }
    if (out.host.empty()) {
        return fail("no host");
    }
    unsigned port = 0;
    auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (ec != std::errc{} || end != port_text.data() + port_text.size() || port > 65535) {
        return fail("port must be a number from 0 to 65535");
    }
    out.port = static_cast<std::uint16_t>(port);
    return out;
}

std::string listen_address::to_string() const {
    const bool v6 = host.find(':') != std::string::npos;
    return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

} // namespace vigil::core
