#pragma once

#include "alert/grade.hpp"

#include <cstdint>
#include <expected>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vigil::alert {

// The statuses of an alert's lifecycle (incident::lifecycle says which step may follow which).
[[nodiscard]] const std::vector<std::string_view>& alert_statuses();

// Whether an SLA deadline was kept, decided by the first lifecycle step that meets it.
enum class sla_outcome : std::uint8_t { pending, met, missed };
[[nodiscard]] std::string_view to_string(sla_outcome o);

// One lifecycle change of an alert: who moved it from which status to which, when and why.
struct lifecycle_step {
    std::string from;
    std::string to;
    std::int64_t at_ns = 0;
    std::string actor;
    std::string note;
    bool operator==(const lifecycle_step&) const = default;
};

// The members of an alert document that belong to the incident rather than to the detection
// (ARCHITECTURE.md §6): grade, response level, asset, SLA deadlines and outcomes, status and
// history.
// They are always the document's last members, written by the alert stage when the alert is
// new (incident::grader) and afterwards changed only by lifecycle steps; a later state of the
// detection (an updated count) keeps the stored incident part.
struct incident_part {
    vigil::alert::grade grade = vigil::alert::grade::IV;
    std::uint8_t response_level = 4;
    // The asset the alert involves (incident::asset_inventory), if the inventory knows it.
    struct asset_fields {
        std::string name;
        std::string owner;
        std::string zone;
        unsigned criticality = 0;
        bool operator==(const asset_fields&) const = default;
    };
    std::optional<asset_fields> asset;
    std::int64_t notify_by_ns = 0;
    std::int64_t contain_by_ns = 0;
    sla_outcome notify = sla_outcome::pending;
    sla_outcome contain = sla_outcome::pending;
    std::int64_t notified_ns = 0;  // when the step that decided `notify` happened
    std::int64_t contained_ns = 0; // when the step that decided `contain` happened
    std::string status = "new";
    std::vector<lifecycle_step> history;
    // The escalations of its missed deadlines: which deadline, when, and the escalation alert.
    struct escalation_ref {
        std::string deadline; // notify or contain
        std::int64_t at_ns = 0;
        std::string alert_id;
        bool operator==(const escalation_ref&) const = default;
    };
    std::vector<escalation_ref> escalations;
    bool operator==(const incident_part&) const = default;
};

// Appends the incident part's members to `document`, an alert document without them (a
// complete JSON object): `{...}` becomes `{...,"grade":...,"history":[...]}`.
void append_incident_part(std::string& document, const incident_part& part);

// Where the incident part of a complete alert document begins (the comma before its "grade"),
// or nothing when it has none.
[[nodiscard]] std::optional<std::size_t> incident_part_offset(std::string_view document);

// The incident part of an alert document; an error says what is missing or malformed.
[[nodiscard]] std::expected<incident_part, std::string>
read_incident_part(std::string_view document);

// `document` with its incident part replaced by `part` (appended when it had none).
[[nodiscard]] std::string with_incident_part(std::string_view document, const incident_part& part);

} // namespace vigil::alert
