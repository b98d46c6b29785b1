#pragma once

#include "core/raw_record.hpp"

#include <boost/asio/ip/address.hpp>
#include <cstring>

namespace vigil::net {

// The binary peer_address of an Asio endpoint (TCP or UDP).
template <typename Endpoint>
[[nodiscard]] core::peer_address to_peer_address(const Endpoint& endpoint) {
    core::peer_address peer;
    const auto address = endpoint.address();
    if (address.is_v4()) {
        const auto bytes = address.to_v4().to_bytes();
        std::memcpy(peer.bytes.data(), bytes.data(), bytes.size());
    } else {
        const auto bytes = address.to_v6().to_bytes();
        std::memcpy(peer.bytes.data(), bytes.data(), bytes.size());
        peer.is_v6 = true;
    }
    peer.port = endpoint.port();
    peer.known = true;
    return peer;
}

} // namespace vigil::net
