#include "incident/grader.hpp"

#include "alert/incident_part.hpp"

namespace vigil::incident {

void grader::grade(alert::alert& a) const {
    alert::incident_part part;
    // Until the asset inventory, every alert's asset has the default criticality.
    part.grade = policy_.grade_for(a.terms.level, policy_.default_criticality);
    const sla_target& target = policy_.target(part.grade);
    part.response_level = target.response_level;
    // Deadlines at millisecond precision, as the document keeps them.
    const std::int64_t created_ns = a.created_ns / 1'000'000 * 1'000'000;
    part.notify_by_ns = created_ns + target.notify_ns;
    part.contain_by_ns = created_ns + target.contain_ns;
    alert::append_incident_part(a.json, part);
    a.grade = part.grade;
    a.terms.status = part.status;
}

} // namespace vigil::incident
