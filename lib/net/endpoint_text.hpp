#pragma once

#include <string>

namespace vigil::net {

// "127.0.0.1:5514" or "[::1]:5514": a TCP or UDP endpoint as the log and the tests read it.
template <typename Endpoint>
[[nodiscard]] std::string endpoint_text(const Endpoint& endpoint) {
    const auto address = endpoint.address();
    return (address.is_v6() ? "[" + address.to_string() + "]" : address.to_string()) + ":" +
           std::to_string(endpoint.port());
}

} // namespace vigil::net
