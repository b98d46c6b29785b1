#pragma once

#include "alert/alert_terms.hpp"
#include "alert/grade.hpp"
#include "core/event.hpp"
#include "core/json_writer.hpp"
#include "core/ulid.hpp"
#include "rules/rule_set.hpp"

#include <cstdint>
#include <string>
#include <string_view>

namespace vigil::alert {

// An alert ready to be stored: its id, what the indexes need, and its JSON document
// (schemas/alert.schema.json). Made by a worker from a rule hit, owned by whoever holds it.
struct alert {
    core::ulid id;
    alert_terms terms; // what `json` says of rule id, level, status, hosts, ... (read_alert_terms)
    vigil::alert::grade grade = vigil::alert::grade::IV; // set by incident::grader
    // Processing time of the alert's first state (its deadlines count from it).
    std::int64_t created_ns = 0;
    // Its SLA deadlines (incident::grader; 0: none to watch) and whether it is itself an
    // escalation of another alert's missed deadline (incident::escalation_watch).
    std::int64_t notify_by_ns = 0;
    std::int64_t contain_by_ns = 0;
    bool escalation = false;
    // The document; its incident part (grade, SLA, status, history: alert/incident_part.hpp)
    // is appended by incident::grader.
    std::string json;
    bool update = false; // a new state of an alert stored before (same id)
};

// The alert's "rule" member: id, title, level, tags, author (Sigma's DRL licence asks alerts to
// keep it) and the version of the rule set that produced the alert.
void write_rule(core::json_writer& w, const rules::rule_info& rule, std::uint64_t rule_set_version);

// The event as alert evidence: parser, receipt, sender, timestamp, fields (names from
// `catalog`), structured data. Appended to `out` as one JSON object.
void write_evidence(std::string& out, const core::event& e, const core::field_catalog& catalog);

// Alert ids derive from what the alert is about (core::ulid::derived), so the same events
// always give the same ids: an event alert from its rule, event time and raw record; a
// correlation alert from its rule, key, first event time and the event time it fired at.
[[nodiscard]] core::ulid event_alert_id(std::string_view rule_id, std::int64_t time_ns,
                                        std::string_view record);
[[nodiscard]] core::ulid correlation_alert_id(std::string_view rule_id, std::string_view key,
                                              std::int64_t first_seen_ns, std::int64_t fired_ns);

// Fills `a.terms` from `a.json` (the correlation and summary alert makers call it last;
// make_alert takes them from the event).
void index_alert(alert& a);

// Builds the alert for `rule` matching `e`: its id (event_alert_id), the rule's id, title,
// level, tags and author (Sigma's DRL licence asks alerts to keep the author), the grade, the
// receipt and event times, the time it was made (`created_ns`, processing time), the sender,
// and the event itself as evidence (field names from `catalog`, the one the event was parsed
// with). Runs on the worker that matched.
[[nodiscard]] alert make_alert(const rules::rule_info& rule, std::uint64_t rule_set_version,
                               const core::event& e, const core::field_catalog& catalog,
                               std::int64_t created_ns);

} // namespace vigil::alert
