#include "report/report_json.hpp"

#include "core/civil_time.hpp"
#include "core/json_writer.hpp"

namespace vigil::report {
namespace {

constexpr std::array<std::string_view, 4> grades = {"I", "II", "III", "IV"};

void write_grades(core::json_writer& w, const grade_counts& counts) {
    w.begin_object();
    for (std::size_t g = 0; g < grades.size(); ++g) {
        w.field(grades[g], counts[g]);
    }
    w.end_object();
}

void write_totals(core::json_writer& w, const period_totals& t) {
    w.begin_object();
    w.field("incidents", t.incidents);
    w.key("by_grade");
    write_grades(w, t.by_grade);
    w.field("closed", t.closed);
    w.field("closure_rate", t.closure_rate());
    w.field("escalations", t.escalations);
    w.field("sla_met", t.sla_met);
    w.field("sla_missed", t.sla_missed);
    w.end_object();
}

void write_ranked(core::json_writer& w, const std::vector<ranked_value>& list, bool titled) {
    w.begin_array();
    for (const auto& v : list) {
        w.begin_object().field("value", v.value).field("count", v.count);
        if (titled) {
            w.field("title", v.title);
        }
        w.end_object();
    }
    w.end_array();
}

void write_strings(core::json_writer& w, const std::vector<std::string>& values) {
    w.begin_array();
    for (const auto& v : values) {
        w.value(v);
    }
    w.end_array();
}

void write_section(core::json_writer& w, const category_section& s) {
    w.begin_object().field("count", s.count).key("alerts").begin_array();
    for (const auto& a : s.alerts) {
        w.begin_object();
        w.field("id", a.id);
        if (!a.tenant.empty()) {
            w.field("tenant", a.tenant);
        }
        w.field("rule", a.rule_id).field("title", a.title);
        w.field("grade", alert::to_string(a.grade)).field("status", a.status);
        w.key("hosts");
        write_strings(w, a.hosts);
        w.key("malware");
        write_strings(w, a.malware);
        w.end_object();
    }
    w.end_array().end_object();
}

void write_optional_ms(core::json_writer& w, std::string_view name,
                       std::optional<std::int64_t> ms) {
    w.key(name);
    if (ms) {
        w.value(*ms);
    } else {
        w.null();
    }
}

void write_deadline(core::json_writer& w, const deadline_figures& d) {
    w.begin_object().field("met", d.met).field("missed", d.missed).field("pending", d.pending);
    write_optional_ms(w, "median_ms", d.median_ms);
    write_optional_ms(w, "p90_ms", d.p90_ms);
    w.end_object();
}

} // namespace

std::string to_json(const report& r) {
    std::string out;
    core::json_writer w(out);
    w.begin_object();
    w.key("tenant");
    if (r.tenant) {
        w.value(*r.tenant);
    } else {
        w.null();
    }
    w.key("period").begin_object();
    w.field("length", to_string(r.period.length));
    w.field("first_day", format_day(r.period.since_ms));
    w.field("last_day", format_day(r.period.until_ms - 1));
    w.field("since", core::rfc3339(r.period.since_ms * 1'000'000).view());
    w.field("until", core::rfc3339(r.period.until_ms * 1'000'000).view());
    w.end_object();
    w.field("generated_at", core::rfc3339(r.generated_ms * 1'000'000).view());
    w.key("totals");
    write_totals(w, r.totals);
    w.key("previous");
    write_totals(w, r.previous);
    w.key("per_day").begin_array();
    for (std::size_t d = 0; d < r.per_day.size(); ++d) {
        w.begin_object();
        w.field("day", format_day(r.period.since_ms +
                                  static_cast<std::int64_t>(d) * report_period::day_ms));
        for (std::size_t g = 0; g < grades.size(); ++g) {
            w.field(grades[g], r.per_day[d][g]);
        }
        w.end_object();
    }
    w.end_array();
    w.key("top").begin_object();
    w.key("rules");
    write_ranked(w, r.top_rules, true);
    w.key("malware");
    write_ranked(w, r.top_malware, false);
    w.key("infection_sources");
    write_ranked(w, r.top_infection_sources, false);
    w.key("infected_hosts");
    write_ranked(w, r.top_infected_hosts, false);
    w.key("source_addresses");
    write_ranked(w, r.top_source_addresses, false);
    w.end_object();
    w.key("protection_offline");
    write_section(w, r.protection_offline);
    w.key("definitions_out_of_date");
    write_section(w, r.definitions_out_of_date);
    w.key("outbreaks");
    write_section(w, r.outbreaks);
    w.key("sla").begin_object();
    for (std::size_t g = 0; g < grades.size(); ++g) {
        w.key(grades[g]).begin_object();
        w.key("acknowledge");
        write_deadline(w, r.sla[g].acknowledge);
        w.key("contain");
        write_deadline(w, r.sla[g].contain);
        w.end_object();
    }
    w.end_object();
    w.key("open").begin_object().field("count", r.open);
    write_optional_ms(w, "age_median_ms", r.open_age_median_ms);
    write_optional_ms(w, "age_max_ms", r.open_age_max_ms);
    w.end_object();
    w.field("unreadable", r.unreadable);
    w.end_object();
    return out;
}

} // namespace vigil::report
