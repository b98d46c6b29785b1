#include "incident/tenant_map.hpp"

#include "core/credentials.hpp"

namespace vigil::incident {

tenant_map::tenant_map(std::vector<tenant_definition> tenants) : tenants_(std::move(tenants)) {
    for (std::size_t i = 0; i < tenants_.size(); ++i) {
        const std::size_t number = i + 1;
        for (core::source_kind kind : tenants_[i].listeners) {
            auto& slot = by_listener_[static_cast<std::size_t>(kind)];
            slot = slot == 0 ? number : slot; // the first tenant that names it (config checks)
        }
        for (const auto& topic : tenants_[i].kafka_topics) {
            by_topic_.try_emplace(topic, number);
        }
        for (const auto& network : tenants_[i].networks) {
            by_network_.add(network, number);
        }
    }
}

std::string_view tenant_map::of(const core::raw_record& record,
                                const core::kafka_origin* origin) const {
    if (tenants_.empty()) {
        return {};
    }
    if (record.tenant != 0) {
        return name(record.tenant);
    }
    if (origin != nullptr && !by_topic_.empty()) {
        if (auto it = by_topic_.find(std::string(origin->topic)); it != by_topic_.end()) {
            return name(it->second);
        }
    }
    if (const std::size_t n = by_listener_[static_cast<std::size_t>(record.source)]; n != 0) {
        return name(n);
    }
    if (record.peer.known && !by_network_.empty()) {
        std::array<std::uint8_t, 16> address{};
        if (record.peer.is_v6) {
            address = record.peer.bytes;
        } else {
            // IPv4 as its IPv4-mapped IPv6 form, as ip_network keeps it.
            address[10] = 0xff;
            address[11] = 0xff;
            std::copy_n(record.peer.bytes.begin(), 4, address.begin() + 12);
        }
        if (auto n = by_network_.find(address)) {
            return name(*n);
        }
    }
    return {};
}

std::vector<std::pair<std::string, std::uint16_t>> tenant_map::ingest_tokens() const {
    std::vector<std::pair<std::string, std::uint16_t>> out;
    for (std::size_t i = 0; i < tenants_.size(); ++i) {
        for (const auto& token : tenants_[i].ingest_tokens) {
            out.emplace_back(token, static_cast<std::uint16_t>(i + 1));
        }
    }
    return out;
}

std::optional<std::string_view> tenant_map::of_read_token(std::string_view token) const {
    for (const auto& t : tenants_) {
        if (!t.read_token.empty() && core::constant_time_equal(token, t.read_token)) {
            return std::string_view(t.name);
        }
    }
    return std::nullopt;
}

std::vector<std::string> tenant_map::read_tokens() const {
    std::vector<std::string> out;
    for (const auto& t : tenants_) {
        if (!t.read_token.empty()) {
            out.push_back(t.read_token);
        }
    }
    return out;
}

} // namespace vigil::incident
