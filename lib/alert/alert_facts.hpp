#pragma once

#include "alert/alert_terms.hpp"
#include "alert/grade.hpp"
#include "alert/incident_part.hpp"

#include <cstdint>
#include <expected>
#include <string>
#include <string_view>
#include <vector>

namespace vigil::alert {

struct alert;

// What a report counts of one alert (lib/report), small enough that a report walks one entry
// per alert of its period instead of the documents: the value of the alert's entry in the
// tenant index (ARCHITECTURE.md §6), rewritten whenever the alert's incident part changes.
// Times in milliseconds since the epoch (the precision of the document's timestamps).
struct alert_facts {
    std::string rule_id;
    std::string level;
    vigil::alert::grade grade = vigil::alert::grade::IV;
    std::string status = "new";
    // The rule's report category: its tag "report.<category>" (outbreak, protection-offline,
    // definitions-out-of-date, ...), or empty.
    std::string category;
    bool escalation = false; // an escalation alert (reports count incidents, not these)
    std::int64_t created_ms = 0;
    std::int64_t notify_by_ms = 0;
    std::int64_t contain_by_ms = 0;
    sla_outcome notify = sla_outcome::pending;
    sla_outcome contain = sla_outcome::pending;
    std::int64_t notified_ms = 0;  // the step that decided `notify`
    std::int64_t contained_ms = 0; // the step that decided `contain`
    std::int64_t closed_ms = 0;    // the step to closed or false_positive; 0 while open
    std::uint32_t escalations = 0; // missed deadlines escalated
    // At most max_values of each, in the alert's order.
    std::vector<std::string> hosts;
    std::vector<std::string> source_ips;
    std::vector<std::string> malware;

    static constexpr std::size_t max_values = 32;
    static constexpr std::string_view category_tag = "report.";
    bool operator==(const alert_facts&) const = default;
};

// Whether an incident in this status is over (closed or a false positive).
[[nodiscard]] bool is_closed_status(std::string_view status);

// The facts of an alert with these terms and incident part, made at `created_ms`.
[[nodiscard]] alert_facts make_facts(const alert_terms& terms, const incident_part& part,
                                     std::int64_t created_ms, bool escalation);
// The facts of a new alert as the alert stage stores it: its incident part is the one
// incident::grader gave it (grade and deadlines, status new, no history).
[[nodiscard]] alert_facts new_alert_facts(const alert& a);
// The facts of a stored alert document, with the terms they were made of; an error says what
// is missing or malformed.
struct document_facts {
    alert_terms terms;
    alert_facts facts;
};
[[nodiscard]] std::expected<document_facts, std::string>
read_alert_facts(std::string_view document);

// The facts as bytes (a version byte, then length-prefixed fields) and back; decode_facts
// refuses what encode_facts did not write.
[[nodiscard]] std::string encode_facts(const alert_facts& facts);
// encode_facts(new_alert_facts(a)) into `out` (replacing what it held), without copying the
// alert's values: the alert stage's path.
void encode_new_alert_facts(std::string& out, const alert& a);
[[nodiscard]] std::expected<alert_facts, std::string> decode_facts(std::string_view bytes);

} // namespace vigil::alert
