#include "report/report_markdown.hpp"

#include "core/civil_time.hpp"
#include "report/report_text.hpp"

namespace vigil::report {
namespace {

// A table cell's text: Markdown and HTML syntax characters escaped, line breaks as spaces.
std::string cell(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (const char c : text) {
        switch (c) {
        case '|':
        case '\\':
        case '`':
        case '*':
        case '_':
        case '[':
        case ']':
        case '#':
            out += '\\';
            out += c;
            break;
        case '<':
            out += "&lt;";
            break;
        case '>':
            out += "&gt;";
            break;
        case '&':
            out += "&amp;";
            break;
        case '\n':
        case '\r':
        case '\t':
            out += ' ';
            break;
        default:
            out += c;
        }
    }
    return out;
}

std::string joined(const std::vector<std::string>& values) {
    std::string out;
    for (const auto& v : values) {
        out += out.empty() ? "" : ", ";
        out += cell(v);
    }
    return out;
}

void ranked_table(std::string& out, std::string_view heading, std::string_view column,
                  const std::vector<ranked_value>& list, bool titled) {
    out += "\n## ";
    out += heading;
    out += "\n\n";
    if (list.empty()) {
        out += "None in this period.\n";
        return;
    }
    out += "| # | " + std::string(column) + (titled ? " | title" : "") + " | incidents |\n";
    out += titled ? "| ---: | --- | --- | ---: |\n" : "| ---: | --- | ---: |\n";
    for (std::size_t i = 0; i < list.size(); ++i) {
        out += "| " + std::to_string(i + 1) + " | " + cell(list[i].value) + " | ";
        if (titled) {
            out += cell(list[i].title) + " | ";
        }
        out += std::to_string(list[i].count) + " |\n";
    }
}

void section_table(std::string& out, std::string_view heading, const category_section& s) {
    out += "\n## ";
    out += heading;
    out += " (" + std::to_string(s.count) + ")\n\n";
    if (s.alerts.empty()) {
        out += "None in this period.\n";
        return;
    }
    out += "| alert | grade | status | rule | hosts | malware |\n";
    out += "| --- | --- | --- | --- | --- | --- |\n";
    for (const auto& a : s.alerts) {
        out += "| " + a.id + " | " + std::string(alert::to_string(a.grade)) + " | " +
               cell(a.status) + " | " + cell(a.title.empty() ? a.rule_id : a.title) + " | " +
               joined(a.hosts) + " | " + joined(a.malware) + " |\n";
    }
    if (s.count > s.alerts.size()) {
        out += "\n" + std::to_string(s.count - s.alerts.size()) + " more not listed.\n";
    }
}

} // namespace

std::string to_markdown(const report& r) {
    std::string out;
    out += "# " + std::string(period_title(to_string(r.period.length)));
    out += " security report: " + cell(r.tenant ? *r.tenant : "all tenants") + ", " +
           r.period.label() + " (UTC)\n\n";
    out += "Generated " + core::format_rfc3339(r.generated_ms * 1'000'000) + " by vigil.\n";

    const period_totals& t = r.totals;
    const period_totals& p = r.previous;
    out += "\n## Summary\n\n| | this period | previous period | change |\n| --- | ---: | ---: | "
           "---: |\n";
    auto row = [&](std::string_view name, std::uint64_t now, std::uint64_t before) {
        out += "| " + std::string(name) + " | " + std::to_string(now) + " | " +
               std::to_string(before) + " | " + format_change(now, before) + " |\n";
    };
    row("incidents", t.incidents, p.incidents);
    for (std::size_t g = 0; g < 4; ++g) {
        row("grade " + std::string(grade_name(g)), t.by_grade[g], p.by_grade[g]);
    }
    row("closed", t.closed, p.closed);
    out += "| closure rate | " + format_percent(t.closed, t.incidents) + " | " +
           format_percent(p.closed, p.incidents) + " | |\n";
    row("SLA deadlines met", t.sla_met, p.sla_met);
    row("SLA deadlines missed", t.sla_missed, p.sla_missed);
    row("escalations", t.escalations, p.escalations);
    out += "\nOpen incidents of the period: " + std::to_string(r.open) + " (median age " +
           format_duration(r.open_age_median_ms) + ", oldest " +
           format_duration(r.open_age_max_ms) + ").\n";

    out += "\n## Incidents per day and grade\n\n| day | I | II | III | IV |\n| --- | ---: | ---: | "
           "---: | ---: |\n";
    for (std::size_t d = 0; d < r.per_day.size(); ++d) {
        out += "| " +
               format_day(r.period.since_ms + static_cast<std::int64_t>(d) * report_period::day_ms);
        for (const auto n : r.per_day[d]) {
            out += " | " + std::to_string(n);
        }
        out += " |\n";
    }

    out += "\n## SLA compliance\n\n| grade | deadline | met | missed | pending | median | 90th "
           "percentile |\n"
           "| --- | --- | ---: | ---: | ---: | ---: | ---: |\n";
    for (std::size_t g = 0; g < 4; ++g) {
        for (auto [name, d] : {std::pair{"acknowledge", &r.sla[g].acknowledge},
                               std::pair{"contain", &r.sla[g].contain}}) {
            out += "| " + std::string(grade_name(g)) + " | " + name + " | " +
                   std::to_string(d->met) + " | " + std::to_string(d->missed) + " | " +
                   std::to_string(d->pending) + " | " + format_duration(d->median_ms) + " | " +
                   format_duration(d->p90_ms) + " |\n";
        }
    }

    ranked_table(out, "Top 10 rules", "rule", r.top_rules, true);
    ranked_table(out, "Top 10 malware", "malware", r.top_malware, false);
    ranked_table(out, "Top 10 infection sources", "source address", r.top_infection_sources, false);
    ranked_table(out, "Top 10 infected hosts", "host", r.top_infected_hosts, false);
    ranked_table(out, "Top 10 source addresses", "address", r.top_source_addresses, false);
    section_table(out, "Malware outbreaks", r.outbreaks);
    section_table(out, "Protection products offline", r.protection_offline);
    section_table(out, "Virus definitions or engines out of date", r.definitions_out_of_date);
    if (r.unreadable > 0) {
        out += "\n" + std::to_string(r.unreadable) +
               " alert(s) could not be read and are not counted.\n";
    }
    return out;
}

} // namespace vigil::report
