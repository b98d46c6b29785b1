#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace vigil::daemon {

// Prints alert documents (schemas/alert.schema.json) as the table of `vigil alerts` and
// `vigil replay`: created, grade, level, host, rule title, id; then the count.
void print_alert_table(std::ostream& out, const std::vector<std::string>& alerts);

} // namespace vigil::daemon
