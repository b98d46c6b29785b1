#pragma once

#include "alert/grade.hpp"
#include "core/event.hpp"
#include "core/json_writer.hpp"
#include "core/ulid.hpp"
#include "rules/rule_set.hpp"

#include <cstdint>
#include <string>

namespace vigil::alert {

// An alert ready to be stored: its id, what the indexes need, and its JSON document
// (schemas/alert.schema.json). Made by a worker from a rule hit, owned by whoever holds it.
struct alert {
    core::ulid id;
    std::string rule_id;
    vigil::alert::grade grade = vigil::alert::grade::IV;
    std::string json;
    bool update = false; // a new state of an alert stored before (same id)
};

// The alert's "rule" member: id, title, level, tags, author (Sigma's DRL licence asks alerts to
// keep it) and the version of the rule set that produced the alert.
void write_rule(core::json_writer& w, const rules::rule_info& rule, std::uint64_t rule_set_version);

// The event as alert evidence: parser, receipt, sender, timestamp, fields (names from
// `catalog`), structured data. Appended to `out` as one JSON object.
void write_evidence(std::string& out, const core::event& e, const core::field_catalog& catalog);

// Builds the alert for `rule` matching `e`: a new ULID id, the rule's id, title, level, tags
// and author (Sigma's DRL licence asks alerts to keep the author), the grade, the receipt and
// event times, the sender, and the event itself as evidence (field names from `catalog`, the
// one the event was parsed with). Runs on the worker that matched.
[[nodiscard]] alert make_alert(const rules::rule_info& rule, std::uint64_t rule_set_version,
                               const core::event& e, const core::field_catalog& catalog,
                               core::ulid id);

} // namespace vigil::alert
