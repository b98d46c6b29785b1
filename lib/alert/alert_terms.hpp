#pragma once

#include <expected>
#include <string>
#include <string_view>
#include <vector>

namespace vigil::alert {

// What the store indexes an alert by (ARCHITECTURE.md §6) and reports count, read from its JSON
// document.
struct alert_terms {
    std::string rule_id;
    std::string level;             // the rule's Sigma level
    std::string status;            // alert_statuses()
    std::string grade;             // I to IV; empty before incident::grader gave it one
    std::string tenant;            // the customer; empty = none
    std::vector<std::string> tags; // the rule's tags (not indexed; delivery filters use them)
    // Distinct host names: the alert's "host" and every evidence event's `host.name`.
    std::vector<std::string> hosts;
    // Distinct addresses: every evidence event's `source.ip` (who did it) and the address that
    // sent it (`log.source.address` without the port: which device logged it).
    std::vector<std::string> sources;
    // Distinct `destination.ip` of the evidence (not indexed; the asset inventory reads them).
    std::vector<std::string> destinations;
    // Not indexed; reports count them (alert/alert_facts.hpp): the evidence's distinct
    // `source.ip` (the `sources` that are not senders) and `malware.name`.
    std::vector<std::string> source_ips;
    std::vector<std::string> malware;

    bool operator==(const alert_terms&) const = default;
};

// Reads the terms of an alert document (schemas/alert.schema.json); an error names what is
// missing or malformed. The one place that knows where the indexed values sit in an alert.
[[nodiscard]] std::expected<alert_terms, std::string> read_alert_terms(std::string_view json);

// "192.0.2.1:514" -> "192.0.2.1", "[2001:db8::1]:514" -> "2001:db8::1"; anything else as it is.
[[nodiscard]] std::string_view address_without_port(std::string_view address);

} // namespace vigil::alert
