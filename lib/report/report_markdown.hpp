#pragma once

#include "report/report.hpp"

#include <string>

namespace vigil::report {

// The report as Markdown (`--format md`): headings and tables, every value that came from a log
// line escaped so that it stays text.
[[nodiscard]] std::string to_markdown(const report& r);

} // namespace vigil::report
