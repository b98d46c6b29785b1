#pragma once

#include "alert/incident_part.hpp"

#include <expected>
#include <optional>
#include <string>
#include <string_view>

namespace vigil::incident {

// A lifecycle step asked for (POST /api/v1/alerts/{id}/status, `vigil alerts ack ID ...`).
struct status_change {
    std::string to; // the status to move to (alert::alert_statuses, not "new")
    std::string actor;
    std::string note;
    std::int64_t at_ns = 0;
};

// Moves an alert's incident part one lifecycle step (ARCHITECTURE.md §6): an open alert moves
// forward through new -> acknowledged -> contained -> eradicated -> recovered -> closed,
// skipping steps if need be, or to false_positive; a closed or false-positive alert can only
// be reopened ("reopened" counts as acknowledged). The first step that reaches acknowledged
// (or later, or false_positive) decides the notify SLA, the first that reaches contained (or
// later, or false_positive) the contain SLA: met when it happened by the deadline. Every step
// is appended to the history. An invalid step changes nothing and says why.
[[nodiscard]] std::expected<void, std::string> change_status(alert::incident_part& part,
                                                             const status_change& change);

// The status a CLI verb moves to: ack, contain, eradicate, recover, close, reopen,
// false-positive; nothing for another word.
[[nodiscard]] std::optional<std::string_view> status_for_verb(std::string_view verb);

} // namespace vigil::incident
