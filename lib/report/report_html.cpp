#include "report/report_html.hpp"

#include "core/civil_time.hpp"
#include "report/report_text.hpp"

#include <algorithm>
#include <array>
#include <cstdio>

namespace vigil::report {
namespace {

constexpr std::array<std::string_view, 4> grade_labels = {"I", "II", "III", "IV"};
constexpr std::array<std::string_view, 4> grade_colors = {"#b3261e", "#e8710a", "#d4a017",
                                                          "#3c78d8"};
constexpr std::string_view met_color = "#2e7d32";
constexpr std::string_view missed_color = "#c62828";
constexpr std::string_view pending_color = "#9e9e9e";

constexpr std::string_view style = R"(
body{font-family:"DejaVu Sans",Arial,sans-serif;color:#202124;margin:24px auto;max-width:960px;
  padding:0 16px;font-size:14px}
header{border-bottom:3px solid #1a3c6e;margin-bottom:16px}
h1{color:#1a3c6e;font-size:24px;margin:0 0 4px}
header .tenant{font-size:18px;font-weight:bold;margin:0}
header .period{color:#5f6368;margin:4px 0 12px}
h2{font-size:17px;color:#1a3c6e;border-bottom:1px solid #dadce0;padding-bottom:4px;margin-top:28px}
.tiles{display:flex;flex-wrap:wrap;gap:12px}
.tile{border:1px solid #dadce0;border-radius:6px;padding:10px 14px;min-width:130px}
.tile .value{font-size:24px;font-weight:bold}
.tile .label{color:#5f6368;font-size:12px}
.tile .change{font-size:12px;color:#5f6368}
table{border-collapse:collapse;width:100%;margin:8px 0}
th,td{border-bottom:1px solid #e8eaed;padding:4px 6px;text-align:left;vertical-align:top;
  overflow-wrap:anywhere}
th{background:#f1f3f4;font-weight:600}
td.n,th.n{text-align:right}
.legend span{display:inline-block;margin-right:14px;font-size:12px}
.legend i{display:inline-block;width:10px;height:10px;margin-right:4px;vertical-align:middle}
.tops{display:grid;grid-template-columns:1fr 1fr;gap:8px 24px}
.tops h3{font-size:14px;margin:12px 0 4px}
.none{color:#5f6368;font-style:italic}
svg text{font-family:"DejaVu Sans",Arial,sans-serif;font-size:11px;fill:#3c4043}
@media print{body{margin:0;max-width:none}section{break-inside:avoid}.tops{display:block}}
@page{size:A4;margin:14mm}
)";

std::string escape(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (const char c : text) {
        switch (c) {
        case '<':
            out += "&lt;";
            break;
        case '>':
            out += "&gt;";
            break;
        case '&':
            out += "&amp;";
            break;
        case '"':
            out += "&quot;";
            break;
        case '\'':
            out += "&#39;";
            break;
        default:
            out += c;
        }
    }
    return out;
}

std::string number(double value) {
    char text[32];
    std::snprintf(text, sizeof(text), "%.1f", value);
    return text;
}

std::string legend(std::initializer_list<std::pair<std::string_view, std::string_view>> items) {
    std::string out = "<div class=\"legend\">";
    for (const auto& [name, color] : items) {
        out += "<span><i style=\"background:" + std::string(color) + "\"></i>" + std::string(name) +
               "</span>";
    }
    return out + "</div>";
}

// Stacked bars: incidents per day, by grade.
std::string per_day_chart(const report& r) {
    constexpr double width = 720, height = 220, left = 40, bottom = 30, top = 10;
    std::uint64_t highest = 1;
    for (const auto& day : r.per_day) {
        std::uint64_t sum = 0;
        for (const auto n : day) {
            sum += n;
        }
        highest = std::max(highest, sum);
    }
    const double plot_w = width - left - 10;
    const double plot_h = height - bottom - top;
    const double slot = plot_w / static_cast<double>(std::max<std::size_t>(r.per_day.size(), 1));
    std::string out = "<svg id=\"chart-per-day\" class=\"chart\" role=\"img\" "
                      "aria-label=\"Incidents per day and grade\" viewBox=\"0 0 " +
                      number(width) + " " + number(height) + "\" width=\"100%\">";
    out += "<line x1=\"" + number(left) + "\" y1=\"" + number(top + plot_h) + "\" x2=\"" +
           number(width - 10) + "\" y2=\"" + number(top + plot_h) + "\" stroke=\"#9aa0a6\"/>";
    out += "<text x=\"" + number(left - 4) + "\" y=\"" + number(top + 8) +
           "\" text-anchor=\"end\">" + std::to_string(highest) + "</text>";
    out += "<text x=\"" + number(left - 4) + "\" y=\"" + number(top + plot_h) +
           "\" text-anchor=\"end\">0</text>";
    const std::size_t label_every = std::max<std::size_t>(1, r.per_day.size() / 10);
    for (std::size_t d = 0; d < r.per_day.size(); ++d) {
        const double x = left + slot * static_cast<double>(d) + slot * 0.15;
        double y = top + plot_h;
        for (std::size_t g = 0; g < 4; ++g) {
            const auto n = r.per_day[d][g];
            if (n == 0) {
                continue;
            }
            const double h = plot_h * static_cast<double>(n) / static_cast<double>(highest);
            y -= h;
            out += "<rect class=\"bar grade-" + std::string(grade_labels[g]) + "\" x=\"" +
                   number(x) + "\" y=\"" + number(y) + "\" width=\"" + number(slot * 0.7) +
                   "\" height=\"" + number(h) + "\" fill=\"" + std::string(grade_colors[g]) +
                   "\"><title>" + std::to_string(n) + " grade " + std::string(grade_labels[g]) +
                   "</title></rect>";
        }
        if (d % label_every == 0) {
            const std::string day = format_day(r.period.since_ms + static_cast<std::int64_t>(d) *
                                                                       report_period::day_ms);
            out += "<text x=\"" + number(x + slot * 0.35) + "\" y=\"" + number(top + plot_h + 16) +
                   "\" text-anchor=\"middle\">" + day.substr(5) + "</text>";
        }
    }
    return out + "</svg>" +
           legend({{"I", grade_colors[0]},
                   {"II", grade_colors[1]},
                   {"III", grade_colors[2]},
                   {"IV", grade_colors[3]}});
}

// Per grade and deadline: met, missed and pending as one bar of the deadlines counted.
std::string sla_chart(const report& r) {
    constexpr double width = 720, row = 22, left = 150, right = 90;
    const double height = row * 8 + 10;
    std::string out = "<svg id=\"chart-sla\" class=\"chart\" role=\"img\" "
                      "aria-label=\"SLA compliance per grade\" viewBox=\"0 0 " +
                      number(width) + " " + number(height) + "\" width=\"100%\">";
    double y = 5;
    for (std::size_t g = 0; g < 4; ++g) {
        for (auto [name, d] : {std::pair{"acknowledge", &r.sla[g].acknowledge},
                               std::pair{"contain", &r.sla[g].contain}}) {
            const std::uint64_t total = d->met + d->missed + d->pending;
            out += "<text x=\"0\" y=\"" + number(y + 14) + "\">" + std::string(grade_labels[g]) +
                   " " + name + "</text>";
            double x = left;
            const double bar_w = width - left - right;
            for (auto [count, color] :
                 {std::pair{d->met, met_color}, std::pair{d->missed, missed_color},
                  std::pair{d->pending, pending_color}}) {
                if (total == 0 || count == 0) {
                    continue;
                }
                const double w = bar_w * static_cast<double>(count) / static_cast<double>(total);
                out += "<rect class=\"bar\" x=\"" + number(x) + "\" y=\"" + number(y + 3) +
                       "\" width=\"" + number(w) + "\" height=\"" + number(row - 6) + "\" fill=\"" +
                       std::string(color) + "\"/>";
                x += w;
            }
            out += "<text x=\"" + number(width - right + 6) + "\" y=\"" + number(y + 14) + "\">" +
                   (total == 0 ? std::string("none") : format_percent(d->met, total) + " met") +
                   "</text>";
            y += row;
        }
    }
    return out + "</svg>" +
           legend({{"met", met_color}, {"missed", missed_color}, {"pending", pending_color}});
}

// One top-10 list as horizontal bars, or a line saying there is none.
std::string top_chart(std::string_view id, std::string_view heading,
                      const std::vector<ranked_value>& list, bool titled) {
    std::string out = "<div><h3>" + std::string(heading) + "</h3>";
    if (list.empty()) {
        return out + "<p class=\"none\">None in this period.</p></div>";
    }
    constexpr double width = 440, row = 20, label_w = 220;
    const double height = row * static_cast<double>(list.size()) + 4;
    const std::uint64_t highest = std::max<std::uint64_t>(list.front().count, 1);
    out += "<svg id=\"chart-" + std::string(id) + "\" class=\"chart\" role=\"img\" aria-label=\"" +
           std::string(heading) + "\" viewBox=\"0 0 " + number(width) + " " + number(height) +
           "\" width=\"100%\">";
    double y = 2;
    for (const auto& v : list) {
        std::string label = titled && !v.title.empty() ? v.title : v.value;
        if (label.size() > 34) {
            label = label.substr(0, 33) + "…";
        }
        const double w =
            (width - label_w - 40) * static_cast<double>(v.count) / static_cast<double>(highest);
        out += "<text x=\"0\" y=\"" + number(y + 13) + "\"><title>" + escape(v.value) + "</title>" +
               escape(label) + "</text>";
        out += "<rect class=\"bar\" x=\"" + number(label_w) + "\" y=\"" + number(y + 3) +
               "\" width=\"" + number(std::max(w, 1.0)) + "\" height=\"" + number(row - 6) +
               "\" fill=\"#1a73e8\"/>";
        out += "<text x=\"" + number(label_w + w + 4) + "\" y=\"" + number(y + 13) + "\">" +
               std::to_string(v.count) + "</text>";
        y += row;
    }
    return out + "</svg></div>";
}

std::string tile(std::string_view label, const std::string& value, const std::string& change) {
    return "<div class=\"tile\"><div class=\"value\">" + value + "</div><div class=\"label\">" +
           std::string(label) + "</div>" +
           (change.empty() ? std::string() : "<div class=\"change\">" + change + "</div>") +
           "</div>";
}

std::string joined(const std::vector<std::string>& values) {
    std::string out;
    for (const auto& v : values) {
        out += out.empty() ? "" : ", ";
        out += escape(v);
    }
    return out;
}

std::string section_table(std::string_view id, std::string_view heading,
                          const category_section& s) {
    std::string out = "<section id=\"" + std::string(id) + "\"><h2>" + std::string(heading) + " (" +
                      std::to_string(s.count) + ")</h2>";
    if (s.alerts.empty()) {
        return out + "<p class=\"none\">None in this period.</p></section>";
    }
    out += "<table><tr><th>alert</th><th>grade</th><th>status</th><th>rule</th><th>hosts</th>"
           "<th>malware</th></tr>";
    for (const auto& a : s.alerts) {
        out += "<tr><td>" + escape(a.id) + "</td><td>" + std::string(alert::to_string(a.grade)) +
               "</td><td>" + escape(a.status) + "</td><td>" +
               escape(a.title.empty() ? a.rule_id : a.title) + "</td><td>" + joined(a.hosts) +
               "</td><td>" + joined(a.malware) + "</td></tr>";
    }
    out += "</table>";
    if (s.count > s.alerts.size()) {
        out += "<p>" + std::to_string(s.count - s.alerts.size()) + " more not listed.</p>";
    }
    return out + "</section>";
}

std::string sla_table(const report& r) {
    std::string out = "<table><tr><th>grade</th><th>deadline</th><th class=\"n\">met</th>"
                      "<th class=\"n\">missed</th><th class=\"n\">pending</th>"
                      "<th class=\"n\">median</th><th class=\"n\">90th percentile</th></tr>";
    for (std::size_t g = 0; g < 4; ++g) {
        for (auto [name, d] : {std::pair{"acknowledge", &r.sla[g].acknowledge},
                               std::pair{"contain", &r.sla[g].contain}}) {
            out += "<tr><td>" + std::string(grade_name(g)) + "</td><td>" + name +
                   "</td><td class=\"n\">" + std::to_string(d->met) + "</td><td class=\"n\">" +
                   std::to_string(d->missed) + "</td><td class=\"n\">" +
                   std::to_string(d->pending) + "</td><td class=\"n\">" +
                   format_duration(d->median_ms) + "</td><td class=\"n\">" +
                   format_duration(d->p90_ms) + "</td></tr>";
        }
    }
    return out + "</table>";
}

} // namespace

std::string to_html(const report& r) {
    const std::string title =
        std::string(period_title(to_string(r.period.length))) + " security report";
    const std::string tenant = escape(r.tenant ? *r.tenant : "All tenants");
    const period_totals& t = r.totals;
    const period_totals& p = r.previous;
    std::string out;
    out.reserve(64 * 1024);
    out += "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
           "<meta name=\"viewport\" content=\"width=device-width\">";
    out += "<title>" + title + ": " + tenant + ", " + r.period.label() + "</title>";
    out += "<style>" + std::string(style) + "</style></head><body>";
    out += "<header><h1>" + title + "</h1><p class=\"tenant\" id=\"tenant\">" + tenant +
           "</p><p class=\"period\" id=\"period\">" + r.period.label() + " (UTC) · generated " +
           core::format_rfc3339(r.generated_ms * 1'000'000) + " by vigil</p></header>";

    out += "<section id=\"summary\"><h2>Summary</h2><div class=\"tiles\">";
    out += tile("incidents", std::to_string(t.incidents),
                format_change(t.incidents, p.incidents) + " on the previous period");
    for (std::size_t g = 0; g < 4; ++g) {
        out += tile("grade " + std::string(grade_name(g)), std::to_string(t.by_grade[g]),
                    format_change(t.by_grade[g], p.by_grade[g]));
    }
    out += tile("closure rate", format_percent(t.closed, t.incidents),
                "previous " + format_percent(p.closed, p.incidents));
    out += tile("SLA deadlines met", format_percent(t.sla_met, t.sla_met + t.sla_missed),
                std::to_string(t.sla_missed) + " missed");
    out += tile("escalations", std::to_string(t.escalations),
                format_change(t.escalations, p.escalations));
    out += tile("open incidents", std::to_string(r.open),
                "median age " + format_duration(r.open_age_median_ms) + ", oldest " +
                    format_duration(r.open_age_max_ms));
    out += "</div></section>";

    out += "<section id=\"per-day\"><h2>Incidents per day and grade</h2>" + per_day_chart(r) +
           "</section>";
    out +=
        "<section id=\"sla\"><h2>SLA compliance</h2>" + sla_chart(r) + sla_table(r) + "</section>";
    out += "<section id=\"top\"><h2>Top 10</h2><div class=\"tops\">";
    out += top_chart("top-rules", "Rules", r.top_rules, true);
    out += top_chart("top-malware", "Malware", r.top_malware, false);
    out += top_chart("top-infection-sources", "Infection sources", r.top_infection_sources, false);
    out += top_chart("top-infected-hosts", "Infected hosts", r.top_infected_hosts, false);
    out += top_chart("top-source-addresses", "Source addresses", r.top_source_addresses, false);
    out += "</div></section>";
    out += section_table("outbreaks", "Malware outbreaks", r.outbreaks);
    out += section_table("protection-offline", "Protection products offline", r.protection_offline);
    out += section_table("definitions-out-of-date", "Virus definitions or engines out of date",
                         r.definitions_out_of_date);
    if (r.unreadable > 0) {
        out += "<p>" + std::to_string(r.unreadable) +
               " alert(s) could not be read and are not counted.</p>";
    }
    out += "</body></html>\n";
    return out;
}

} // namespace vigil::report
