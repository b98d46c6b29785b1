#include "report/report_request.hpp"

#include "report/report_html.hpp"
#include "report/report_json.hpp"
#include "report/report_markdown.hpp"

namespace vigil::report {

const std::vector<std::string_view>& report_parameters() {
    static const std::vector<std::string_view> names = {"period", "until", "tenant", "format"};
    return names;
}

std::expected<report_request, std::string>
read_report_request(const std::vector<std::pair<std::string, std::string>>& parameters,
                    std::int64_t now_ms, report_format default_format) {
    std::optional<report_period::kind> length;
    std::optional<std::string> until;
    report_request request;
    request.format = default_format;
    for (const auto& [name, value] : parameters) {
        if (name == "period") {
            length = parse_period_kind(value);
            if (!length) {
                return std::unexpected("period '" + value + "' is not day, week or month");
            }
        } else if (name == "until") {
            until = value;
        } else if (name == "tenant") {
            if (value.empty()) {
                return std::unexpected("tenant is empty");
            }
            request.tenant = value;
        } else if (name == "format") {
            if (value == "json") {
                request.format = report_format::json;
            } else if (value == "md" || value == "markdown") {
                request.format = report_format::md;
            } else if (value == "html") {
                request.format = report_format::html;
            } else {
                return std::unexpected("format '" + value + "' is not md, html or json");
            }
        } else {
            return std::unexpected(name + " is not a report parameter (period, until, tenant, "
                                          "format)");
        }
    }
    if (!length) {
        return std::unexpected("period is missing (day, week or month)");
    }
    auto period = make_period(*length, until, now_ms);
    if (!period) {
        return std::unexpected(period.error());
    }
    request.period = *period;
    return request;
}

std::string render(const report& r, report_format format) {
    switch (format) {
    case report_format::md:
        return to_markdown(r);
    case report_format::html:
        return to_html(r);
    case report_format::json:
        break;
    }
    return to_json(r);
}

std::string_view media_type(report_format format) {
    switch (format) {
    case report_format::md:
        return "text/markdown; charset=utf-8";
    case report_format::html:
        return "text/html; charset=utf-8";
    case report_format::json:
        break;
    }
    return "application/json";
}

} // namespace vigil::report
