#pragma once

#include "alert/alert_facts.hpp"
#include "report/report_period.hpp"

#include <array>
#include <cstdint>
#include <expected>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace vigil::alert {
class alert_store;
}

namespace vigil::report {

// Counts per grade, I to IV.
using grade_counts = std::array<std::uint64_t, 4>;

// One entry of a top-10 list: the value, how many incidents name it, and for rules the title.
struct ranked_value {
    std::string value;
    std::uint64_t count = 0;
    std::string title;
    bool operator==(const ranked_value&) const = default;
};

// The incidents of one period in a few numbers (the report compares two periods by these).
struct period_totals {
    std::uint64_t incidents = 0; // alerts, escalation alerts not counted
    grade_counts by_grade{};
    std::uint64_t closed = 0;      // closed or false positive by now
    std::uint64_t escalations = 0; // escalation alerts of the period
    std::uint64_t sla_met = 0;     // deadlines met (notify and contain)
    std::uint64_t sla_missed = 0;  // deadlines missed, decided or overdue
    [[nodiscard]] double closure_rate() const {
        return incidents == 0 ? 0.0 : static_cast<double>(closed) / static_cast<double>(incidents);
    }
};

// How one grade's incidents kept one SLA deadline (notify: acknowledged or later; contain).
struct deadline_figures {
    std::uint64_t met = 0;
    std::uint64_t missed = 0;  // decided missed, or still undecided past the deadline
    std::uint64_t pending = 0; // undecided, the deadline still ahead
    // From creation to the step that decided it, over the decided ones (milliseconds).
    std::optional<std::int64_t> median_ms;
    std::optional<std::int64_t> p90_ms;
};

struct grade_sla {
    deadline_figures acknowledge; // the notify_by deadline
    deadline_figures contain;     // the contain_by deadline
};

// An alert listed in a report section (offline products, outdated definitions, outbreaks).
struct listed_alert {
    std::string id;
    std::string tenant;
    std::string rule_id;
    std::string title;
    alert::grade grade = alert::grade::IV;
    std::string status;
    std::vector<std::string> hosts;
    std::vector<std::string> malware;
};

struct category_section {
    std::uint64_t count = 0;
    std::vector<listed_alert> alerts; // the newest, at most max_listed
};

// What `vigil report` and GET /api/v1/reports show (README "Reports"): the incidents of one
// tenant (or all) over one period, from the report facts of the tenant index.
struct report {
    std::optional<std::string> tenant; // none: every tenant
    report_period period;
    std::int64_t generated_ms = 0;

    period_totals totals;
    period_totals previous; // the period of the same length before
    // Incidents per day of the period, by grade (index: day of the period).
    std::vector<grade_counts> per_day;
    std::vector<ranked_value> top_rules;
    std::vector<ranked_value> top_malware;           // malware.name of the evidence
    std::vector<ranked_value> top_infection_sources; // source.ip of alerts naming malware
    std::vector<ranked_value> top_infected_hosts;    // host of alerts naming malware
    std::vector<ranked_value> top_source_addresses;  // source.ip of every alert
    // Sections by the rules' report category (tag report.<category>).
    category_section protection_offline;
    category_section definitions_out_of_date;
    category_section outbreaks;
    std::array<grade_sla, 4> sla;
    // Incidents of the period still open at generated_ms: how many and how old.
    std::uint64_t open = 0;
    std::optional<std::int64_t> open_age_median_ms;
    std::optional<std::int64_t> open_age_max_ms;
    std::uint64_t unreadable = 0; // entries of the tenant index that could not be read

    static constexpr std::size_t top_n = 10;
    static constexpr std::size_t max_listed = 50;
};

// The report of `tenant` (none: every tenant) for `period`, as of `now_ms` (open incidents'
// ages and overdue deadlines count to it). Reads the tenant index of the period and the one
// before, and the documents of the rules it names (for their titles) and of listed alerts.
[[nodiscard]] std::expected<report, std::string>
build_report(const alert::alert_store& store, const std::optional<std::string>& tenant,
             const report_period& period, std::int64_t now_ms);

} // namespace vigil::report
