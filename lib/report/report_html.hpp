#pragma once

#include "report/report.hpp"

#include <string>

namespace vigil::report {

// The report as one self-contained HTML page (`--format html`): inline CSS and SVG charts
// (incidents per day and grade, SLA compliance per grade, the top-10 lists), no scripts and
// no external requests, laid out for the screen and for printing to PDF. Every value that came
// from a log line is escaped.
[[nodiscard]] std::string to_html(const report& r);

} // namespace vigil::report
