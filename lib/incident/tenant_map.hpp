#pragma once

#include "core/raw_record.hpp"
#include "rules/ip_network.hpp"

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace vigil::incident {

// One customer as the config describes it (`tenants:`): how its records are recognised.
struct tenant_definition {
    std::string name;
    std::vector<core::source_kind> listeners; // every record of these listeners
    std::vector<rules::ip_network> networks;  // records sent from these networks
    std::vector<std::string> ingest_tokens;   // HTTP ingest requests with these bearer tokens
    std::vector<std::string> kafka_topics;    // Kafka records of these topics
    std::string read_token;                   // an API read token that sees only this tenant
};

// Which tenant a record belongs to (ARCHITECTURE.md §2, "Tenants"): the one whose ingest token
// the HTTP request carried (the source stamps raw_record::tenant), else whose Kafka topic, else
// whose listener, else whose network holds the sender (the most specific); else none (""). A
// single-customer deployment configures none. Immutable; shared by workers, HTTP ingest and
// the API.
class tenant_map {
public:
    tenant_map() = default;
    explicit tenant_map(std::vector<tenant_definition> tenants);

    // The tenant of a record (`origin`: its Kafka origin, if any); "" for none.
    [[nodiscard]] std::string_view of(const core::raw_record& record,
                                      const core::kafka_origin* origin) const;
    // raw_record::tenant for requests with an ingest token, and the tokens (HTTP ingest).
    [[nodiscard]] std::vector<std::pair<std::string, std::uint16_t>> ingest_tokens() const;
    // The tenant a read token is bound to, if it is one of the tenants' read tokens.
    [[nodiscard]] std::optional<std::string_view> of_read_token(std::string_view token) const;
    // Every tenant's read token (the API accepts them for reads).
    [[nodiscard]] std::vector<std::string> read_tokens() const;
    [[nodiscard]] bool empty() const { return tenants_.empty(); }
    [[nodiscard]] const std::vector<tenant_definition>& tenants() const { return tenants_; }

private:
    // Tenant numbers are positions + 1 (0: none), as raw_record::tenant holds them.
    [[nodiscard]] std::string_view name(std::size_t number) const {
        return number == 0 || number > tenants_.size()
                   ? std::string_view()
                   : std::string_view(tenants_[number - 1].name);
    }
    std::vector<tenant_definition> tenants_;
    std::array<std::size_t, core::source_kind_count> by_listener_{};
    std::unordered_map<std::string, std::size_t> by_topic_;
    rules::network_lookup by_network_;
};

} // namespace vigil::incident
