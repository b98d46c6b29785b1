#include "rules/ip_network.hpp"

#include <arpa/inet.h>
#include <charconv>

namespace vigil::rules {

std::optional<std::array<std::uint8_t, 16>> parse_ip_address(std::string_view text) {
    if (text.empty() || text.size() > 45) {
        return std::nullopt;
    }
    char buffer[64];
    text.copy(buffer, text.size());
    buffer[text.size()] = '\0';
    std::array<std::uint8_t, 16> out{};
    if (text.find(':') == std::string_view::npos) {
        in_addr v4{};
        if (inet_pton(AF_INET, buffer, &v4) != 1) {
            return std::nullopt;
        }
        out[10] = 0xff;
        out[11] = 0xff;
        const auto* b = reinterpret_cast<const std::uint8_t*>(&v4.s_addr);
        for (int i = 0; i < 4; ++i) {
            out[static_cast<std::size_t>(12 + i)] = b[i];
        }
        return out;
    }
    in6_addr v6{};
    if (inet_pton(AF_INET6, buffer, &v6) != 1) {
        return std::nullopt;
    }
    for (std::size_t i = 0; i < 16; ++i) {
        out[i] = v6.s6_addr[i];
    }
    return out;
}

std::array<std::uint8_t, 16> mask_address(const std::array<std::uint8_t, 16>& address,
                                          std::uint8_t prefix) {
    std::array<std::uint8_t, 16> out = address;
    for (std::size_t i = 0; i < 16; ++i) {
        const int bits = static_cast<int>(prefix) - static_cast<int>(i) * 8;
        if (bits >= 8) {
            continue;
        }
        out[i] = static_cast<std::uint8_t>(bits <= 0 ? 0 : out[i] & (0xff << (8 - bits)));
    }
    return out;
}

std::optional<ip_network> ip_network::parse(std::string_view text) {
    const std::size_t slash = text.find('/');
    auto address = parse_ip_address(text.substr(0, slash));
    if (!address) {
        return std::nullopt;
    }
    ip_network net;
    net.v4 = text.substr(0, slash).find(':') == std::string_view::npos;
    unsigned prefix = net.v4 ? 32 : 128;
    if (slash != std::string_view::npos) {
        const std::string_view digits = text.substr(slash + 1);
        auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), prefix);
        if (ec != std::errc{} || end != digits.data() + digits.size() ||
            prefix > (net.v4 ? 32u : 128u)) {
            return std::nullopt;
        }
    }
    net.prefix = static_cast<std::uint8_t>(net.v4 ? prefix + 96 : prefix);
    net.bytes = mask_address(*address, net.prefix);
    return net;
}

std::string ip_network::to_string() const {
    char buffer[INET6_ADDRSTRLEN] = {};
    if (v4) {
        inet_ntop(AF_INET, bytes.data() + 12, buffer, sizeof buffer);
        return std::string(buffer) + "/" + std::to_string(prefix - 96);
    }
    inet_ntop(AF_INET6, bytes.data(), buffer, sizeof buffer);
    return std::string(buffer) + "/" + std::to_string(prefix);
}

} // namespace vigil::rules

namespace vigil::rules {

void network_lookup::add(const ip_network& network, std::size_t value) {
    by_prefix_[network.prefix].try_emplace(network.bytes, value);
}

std::optional<std::size_t> network_lookup::find(const std::array<std::uint8_t, 16>& address) const {
    for (const auto& [prefix, networks] : by_prefix_) {
        const auto it = networks.find(mask_address(address, prefix));
        if (it != networks.end()) {
            return it->second;
        }
    }
    return std::nullopt;
}

std::optional<std::size_t> network_lookup::find(std::string_view address) const {
    if (by_prefix_.empty()) {
        return std::nullopt;
    }
    const auto parsed = parse_ip_address(address);
    return parsed ? find(*parsed) : std::nullopt;
}

} // namespace vigil::rules
