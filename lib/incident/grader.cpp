#include "incident/grader.hpp"

#include "alert/incident_part.hpp"

namespace vigil::incident {

void grader::grade(alert::alert& a, const asset_inventory* assets) const {
    alert::incident_part part;
    unsigned criticality = policy_.default_criticality;
    if (const asset* found = assets != nullptr ? assets->involved(a.terms) : nullptr) {
        part.asset = alert::incident_part::asset_fields{found->name, found->owner, found->zone,
                                                        found->criticality};
        criticality = found->criticality;
    }
    part.grade = policy_.grade_for(a.terms.level, criticality);
    const sla_target& target = policy_.target(part.grade);
    part.response_level = target.response_level;
    // Deadlines at millisecond precision, as the document keeps them.
    const std::int64_t created_ns = a.created_ns / 1'000'000 * 1'000'000;
    part.notify_by_ns = created_ns + target.notify_ns;
    part.contain_by_ns = created_ns + target.contain_ns;
    alert::append_incident_part(a.json, part);
    a.grade = part.grade;
    a.notify_by_ns = part.notify_by_ns;
    a.contain_by_ns = part.contain_by_ns;
    a.terms.status = part.status;
    a.terms.grade = std::string(alert::to_string(part.grade));
}

} // namespace vigil::incident
