#include "net/connection_limiter.hpp"

#include <algorithm>

namespace vigil::net {

connection_limiter::connection_limiter(connection_limits limits, core::metrics_registry& metrics,
                                       const std::string& source)
    : metrics_(metrics), source_(source), limits_(limits),
      refused_total_(metrics.make_counter(
          "vigil_connections_refused_total",
          "Connections closed at once because a connection limit was reached, by source and "
          "limit.",
          {{"reason", "listener_limit"}, {"source", source}})),
      refused_client_(metrics.make_counter(
          "vigil_connections_refused_total",
          "Connections closed at once because a connection limit was reached, by source and "
          "limit.",
          {{"reason", "client_limit"}, {"source", source}})) {}

core::counter& connection_limiter::closed_counter(const std::string& reason) {
    return metrics_.make_counter(
        "vigil_connections_closed_total",
        "Connections the server closed, by reason (idle: nothing received within the listener's "
        "timeout; slow_request: not a whole HTTP request within it) and source.",
        {{"reason", reason}, {"source", source_}});
}

connection_limiter::client connection_limiter::key(const core::peer_address& peer) {
    client k{};
    std::copy(peer.bytes.begin(), peer.bytes.end(), k.begin());
    k[16] = peer.is_v6 ? 1 : 0;
    return k;
}

bool connection_limiter::admit(const core::peer_address& peer) {
    if (open_ >= limits_.max_total) {
        refused_total_.add();
        return false;
    }
    std::size_t& from_client = per_client_[key(peer)];
    if (from_client >= limits_.max_per_client) {
        refused_client_.add();
        return false;
    }
    ++from_client;
    ++open_;
    return true;
}

void connection_limiter::release(const core::peer_address& peer) {
    auto it = per_client_.find(key(peer));
    if (it != per_client_.end() && --it->second == 0) {
        per_client_.erase(it);
    }
    if (open_ > 0) {
        --open_;
    }
}

} // namespace vigil::net
