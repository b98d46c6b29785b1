#include "report/report.hpp"

#include "alert/alert_store.hpp"
#include "core/ulid.hpp"

#include <algorithm>
#include <cmath>
#include <simdjson.h>
#include <unordered_map>

namespace vigil::report {
namespace {

std::size_t grade_index(alert::grade g) {
    return static_cast<std::size_t>(g) - 1;
}

// The nearest-rank percentile `p` (0 < p <= 1) of `values`, sorted in place.
std::optional<std::int64_t> percentile(std::vector<std::int64_t>& values, double p) {
    if (values.empty()) {
        return std::nullopt;
    }
    std::sort(values.begin(), values.end());
    const auto rank = static_cast<std::size_t>(std::ceil(p * static_cast<double>(values.size())));
    return values[std::max<std::size_t>(rank, 1) - 1];
}

// How often each value was named, and an alert that named it.
struct tally {
    std::unordered_map<std::string, std::pair<std::uint64_t, std::string>> counts;

    void add(const std::string& value, std::string_view id) {
        auto [at, fresh] = counts.try_emplace(value, 0, std::string());
        if (fresh) {
            at->second.second = id;
        }
        ++at->second.first;
    }
    void add_all(const std::vector<std::string>& values, std::string_view id) {
        for (const auto& v : values) {
            add(v, id);
        }
    }
    // The `n` most named, the most first, equal counts by value.
    [[nodiscard]] std::vector<ranked_value> top(std::size_t n) const {
        std::vector<ranked_value> out;
        out.reserve(counts.size());
        for (const auto& [value, counted] : counts) {
            out.push_back({value, counted.first, {}});
        }
        std::sort(out.begin(), out.end(), [](const ranked_value& a, const ranked_value& b) {
            return a.count != b.count ? a.count > b.count : a.value < b.value;
        });
        out.resize(std::min(out.size(), n));
        return out;
    }
};

// One SLA deadline of one alert, counted into `figures`; `durations` gets the time to the step
// that decided it. Returns +1 met, -1 missed, 0 pending or no deadline.
int count_deadline(std::int64_t by_ms, alert::sla_outcome outcome, std::int64_t decided_ms,
                   std::int64_t created_ms, std::int64_t now_ms, deadline_figures* figures,
                   std::vector<std::int64_t>* durations) {
    if (by_ms == 0) {
        return 0;
    }
    int verdict = 0;
    if (outcome == alert::sla_outcome::pending) {
        verdict = by_ms <= now_ms ? -1 : 0; // overdue counts as missed
    } else {
        verdict = outcome == alert::sla_outcome::met ? 1 : -1;
        if (durations != nullptr && decided_ms >= created_ms) {
            durations->push_back(decided_ms - created_ms);
        }
    }
    if (figures != nullptr) {
        (verdict > 0 ? figures->met : verdict < 0 ? figures->missed : figures->pending) += 1;
    }
    return verdict;
}

void count_totals(period_totals& totals, const alert::alert_facts& f, std::int64_t now_ms,
                  grade_sla* sla, std::array<std::vector<std::int64_t>, 2>* durations) {
    if (f.escalation) {
        ++totals.escalations;
        return;
    }
    ++totals.incidents;
    ++totals.by_grade[grade_index(f.grade)];
    if (alert::is_closed_status(f.status)) {
        ++totals.closed;
    }
    for (int verdict :
         {count_deadline(f.notify_by_ms, f.notify, f.notified_ms, f.created_ms, now_ms,
                         sla ? &sla->acknowledge : nullptr, durations ? &(*durations)[0] : nullptr),
          count_deadline(f.contain_by_ms, f.contain, f.contained_ms, f.created_ms, now_ms,
                         sla ? &sla->contain : nullptr, durations ? &(*durations)[1] : nullptr)}) {
        if (verdict > 0) {
            ++totals.sla_met;
        } else if (verdict < 0) {
            ++totals.sla_missed;
        }
    }
}

// The rule title in an alert document, or empty.
std::string title_in(std::string_view document) {
    thread_local simdjson::dom::parser parser;
    std::string_view title;
    if (parser.parse(document.data(), document.size())["rule"]["title"].get(title) !=
        simdjson::SUCCESS) {
        return {};
    }
    return std::string(title);
}

// The report being built from the facts of the period.
class report_builder {
public:
    report_builder(report& r, std::int64_t now_ms) : r_(r), now_ms_(now_ms) {
        r_.per_day.assign(static_cast<std::size_t>(std::max<std::int64_t>(r_.period.days(), 0)),
                          grade_counts{});
    }

    void add(std::string_view tenant, std::string_view id, const alert::alert_facts& f) {
        const std::size_t g = grade_index(f.grade);
        count_totals(r_.totals, f, now_ms_, &r_.sla[g], &durations_[g]);
        if (f.escalation) {
            return;
        }
        if (const auto ulid = core::ulid::parse(id)) {
            const auto day = (static_cast<std::int64_t>(ulid->time_ms()) - r_.period.since_ms) /
                             report_period::day_ms;
            if (day >= 0 && static_cast<std::size_t>(day) < r_.per_day.size()) {
                ++r_.per_day[static_cast<std::size_t>(day)][g];
            }
        }
        rules_.add(f.rule_id, id);
        source_addresses_.add_all(f.source_ips, id);
        if (!f.malware.empty()) {
            malware_.add_all(f.malware, id);
            infection_sources_.add_all(f.source_ips, id);
            infected_hosts_.add_all(f.hosts, id);
        }
        if (!alert::is_closed_status(f.status)) {
            ++r_.open;
            open_ages_.push_back(std::max<std::int64_t>(now_ms_ - f.created_ms, 0));
        }
        if (auto* section = section_of(f.category)) {
            ++section->count;
            listed_.push_back({section, listed_alert{std::string(id),
                                                     std::string(tenant),
                                                     f.rule_id,
                                                     {},
                                                     f.grade,
                                                     f.status,
                                                     f.hosts,
                                                     f.malware}});
        }
    }

    // The ranked lists, the percentiles, titles and listed alerts (read from the store).
    void finish(const alert::alert_store& store) {
        r_.top_rules = rules_.top(report::top_n);
        r_.top_malware = malware_.top(report::top_n);
        r_.top_infection_sources = infection_sources_.top(report::top_n);
        r_.top_infected_hosts = infected_hosts_.top(report::top_n);
        r_.top_source_addresses = source_addresses_.top(report::top_n);
        for (std::size_t g = 0; g < 4; ++g) {
            for (auto [figures, durations] : {std::pair{&r_.sla[g].acknowledge, &durations_[g][0]},
                                              std::pair{&r_.sla[g].contain, &durations_[g][1]}}) {
                figures->median_ms = percentile(*durations, 0.5);
                figures->p90_ms = percentile(*durations, 0.9);
            }
        }
        r_.open_age_median_ms = percentile(open_ages_, 0.5);
        r_.open_age_max_ms =
            open_ages_.empty()
                ? std::nullopt
                : std::optional(*std::max_element(open_ages_.begin(), open_ages_.end()));
        // Newest first (ids are time-ordered), at most max_listed per section.
        std::sort(listed_.begin(), listed_.end(),
                  [](const auto& a, const auto& b) { return a.second.id > b.second.id; });
        for (auto& [section, a] : listed_) {
            if (section->alerts.size() < report::max_listed) {
                section->alerts.push_back(std::move(a));
            }
        }
        for (auto& rule : r_.top_rules) {
            rule.title = title_of(store, rule.value, rules_.counts.at(rule.value).second);
        }
        for (auto* section : {&r_.protection_offline, &r_.definitions_out_of_date, &r_.outbreaks}) {
            for (auto& a : section->alerts) {
                a.title = title_of(store, a.rule_id, a.id);
            }
        }
    }

private:
    category_section* section_of(std::string_view category) {
        return category == "protection-offline"        ? &r_.protection_offline
               : category == "definitions-out-of-date" ? &r_.definitions_out_of_date
               : category == "outbreak"                ? &r_.outbreaks
                                                       : nullptr;
    }
    // A rule's title, read once from the document of alert `id` (one of the rule's).
    const std::string& title_of(const alert::alert_store& store, const std::string& rule_id,
                                const std::string& id) {
        auto [at, fresh] = titles_.try_emplace(rule_id);
        if (fresh) {
            if (auto document = store.find(id); document && *document) {
                at->second = title_in(**document);
            }
        }
        return at->second;
    }

    report& r_;
    std::int64_t now_ms_;
    std::array<std::array<std::vector<std::int64_t>, 2>, 4> durations_;
    std::vector<std::int64_t> open_ages_;
    tally rules_, malware_, infection_sources_, infected_hosts_, source_addresses_;
    std::vector<std::pair<category_section*, listed_alert>> listed_;
    std::unordered_map<std::string, std::string> titles_;
};

} // namespace

std::expected<report, std::string> build_report(const alert::alert_store& store,
                                                const std::optional<std::string>& tenant,
                                                const report_period& period, std::int64_t now_ms) {
    report r;
    r.tenant = tenant;
    r.period = period;
    r.generated_ms = now_ms;
    report_builder builder(r, now_ms);
    auto read = store.for_each_facts(tenant, period.since_ms, period.until_ms,
                                     [&](std::string_view t, std::string_view id,
                                         const alert::alert_facts& f) { builder.add(t, id, f); });
    if (!read) {
        return std::unexpected(read.error());
    }
    r.unreadable = *read;
    const report_period before = period.previous();
    read =
        store.for_each_facts(tenant, before.since_ms, before.until_ms,
                             [&](std::string_view, std::string_view, const alert::alert_facts& f) {
                                 count_totals(r.previous, f, now_ms, nullptr, nullptr);
                             });
    if (!read) {
        return std::unexpected(read.error());
    }
    r.unreadable += *read;
    builder.finish(store);
    return r;
}

} // namespace vigil::report
