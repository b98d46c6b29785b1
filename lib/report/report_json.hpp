#pragma once

#include "report/report.hpp"

#include <string>

namespace vigil::report {

// The report as one JSON document (schemas/report.schema.json): what `--format json` prints
// and GET /api/v1/reports answers by default.
[[nodiscard]] std::string to_json(const report& r);

} // namespace vigil::report
