#pragma once

#include "report/report.hpp"
#include "report/report_period.hpp"

#include <expected>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace vigil::report {

enum class report_format { json, md, html };

// What `vigil report` and GET /api/v1/reports are asked: period (day, week or month), until
// (the last day, YYYY-MM-DD), tenant, format (json, md or html).
struct report_request {
    report_period period;
    std::optional<std::string> tenant;
    report_format format = report_format::json;
};

// The parameters' names, for the CLI's options and the query string alike.
[[nodiscard]] const std::vector<std::string_view>& report_parameters();

// Reads the parameters (name, value); `default_format` when none is given. An error names the
// parameter and what is wrong with it.
[[nodiscard]] std::expected<report_request, std::string>
read_report_request(const std::vector<std::pair<std::string, std::string>>& parameters,
                    std::int64_t now_ms, report_format default_format);

// The report in the request's format, and that format's media type.
[[nodiscard]] std::string render(const report& r, report_format format);
[[nodiscard]] std::string_view media_type(report_format format);

} // namespace vigil::report
