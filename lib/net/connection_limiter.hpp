#pragma once

#include "core/defaults.hpp"
#include "core/metrics.hpp"
#include "core/raw_record.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>

namespace vigil::net {

struct connection_limits {
    std::size_t max_total = defaults::syslog_max_connections; // open connections of a listener
    std::size_t max_per_client = defaults::syslog_max_connections_per_client; // ... one client
};

// Connection limits of one listener: a connection beyond them is closed at once and counted
// (vigil_connections_refused_total{source,reason}), so one noisy or hostile client cannot use
// up the descriptors that the others need. I/O thread only.
class connection_limiter {
public:
    connection_limiter(connection_limits limits, core::metrics_registry& metrics,
                       const std::string& source);

    // Whether a new connection from `peer` may stay open; if so it counts until release().
    [[nodiscard]] bool admit(const core::peer_address& peer);
    void release(const core::peer_address& peer);
    [[nodiscard]] std::size_t open() const { return open_; }
    // vigil_connections_closed_total{reason,source}: a connection the listener closed because
    // it sent nothing (reason idle), or not a whole request (slow_request), in time.
    [[nodiscard]] core::counter& closed_counter(const std::string& reason);

private:
    using client = std::array<std::uint8_t, 17>; // address bytes and the v6 flag
    static client key(const core::peer_address& peer);

    core::metrics_registry& metrics_;
    std::string source_;
    connection_limits limits_;
    std::size_t open_ = 0;
    std::map<client, std::size_t> per_client_;
    core::counter& refused_total_;
    core::counter& refused_client_;
};

} // namespace vigil::net
