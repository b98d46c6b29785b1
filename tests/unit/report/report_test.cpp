#include "alert/alert_facts.hpp"
#include "alert/alert_store.hpp"
#include "alert/incident_part.hpp"
#include "core/civil_time.hpp"
#include "core/ulid.hpp"
#include "report/report.hpp"
#include "report/report_html.hpp"
#include "report/report_json.hpp"
#include "report/report_markdown.hpp"
#include "report/report_period.hpp"
#include "report/report_request.hpp"
#include "unit/temp_dir.hpp"

#include <catch2/catch.hpp>
#include <filesystem>
#include <rocksdb/db.h>
#include <simdjson.h>
#include <unistd.h>

using namespace vigil;
namespace fs = std::filesystem;

namespace {

constexpr std::int64_t day = report::report_period::day_ms;
constexpr std::int64_t minute = 60'000;
// 2026-11-30 00:00:00 UTC, a Monday: the first day of the week the tests report on.
const std::int64_t monday = core::days_from_civil(2026, 11, 30) * day;

using vigil::testing::temp_dir;

// An alert as the stage stores it: what it is about, then its incident part (grade, deadlines).
struct planted {
    std::int64_t at_ms = 0; // its id's (event) time
    std::string tenant = "acme";
    std::string rule = "rule-brute";
    std::string title = "SSH brute force";
    std::string level = "high";
    alert::grade grade = alert::grade::II;
    std::string host = "web-1";
    std::string source_ip = "203.0.113.9";
    std::string malware = {};
    std::string tag = {}; // e.g. report.outbreak
    bool escalation = false;
};

alert::alert make(const planted& p) {
    alert::alert a;
    // Its own time whatever the order of planting (a generator's ids only grow).
    static std::uint64_t serial = 0;
    ++serial;
    a.id = core::ulid::derived(p.at_ms, serial, serial * 0x9e3779b97f4a7c15ULL);
    a.created_ns = p.at_ms * 1'000'000;
    a.grade = p.grade;
    a.notify_by_ns = a.created_ns + 30 * minute * 1'000'000;
    a.contain_by_ns = a.created_ns + 60 * minute * 1'000'000;
    a.escalation = p.escalation;
    std::string fields = R"("host.name":")" + p.host + R"(","source.ip":")" + p.source_ip + "\"";
    if (!p.malware.empty()) {
        fields += R"(,"malware.name":")" + p.malware + "\"";
    }
    a.json = R"({"id":")" + a.id.to_string() + R"(",)" +
             (p.tenant.empty() ? std::string() : R"("tenant":")" + p.tenant + R"(",)") +
             R"("rule":{"id":")" + p.rule + R"(","title":")" + p.title + R"(","level":")" +
             p.level + R"(","tags":[)" + (p.tag.empty() ? "" : "\"" + p.tag + "\"") +
             R"(]},"created_at":")" + core::format_rfc3339(a.created_ns) + R"(","host":")" +
             p.host + R"(",)" + (p.escalation ? R"("escalation":{"alert":"x"},)" : "") +
             R"("evidence":[{"log.source.address":"192.0.2.7:514","fields":{)" + fields + "}}]}";
    alert::incident_part part;
    part.grade = p.grade;
    part.notify_by_ns = a.notify_by_ns;
    part.contain_by_ns = a.contain_by_ns;
    alert::append_incident_part(a.json, part);
    alert::index_alert(a);
    a.grade = p.grade;
    return a;
}

// A lifecycle step at `at_ms`, deciding the SLA outcomes as incident::lifecycle does.
void step(alert::alert_store& store, const alert::alert& a, std::string status,
          std::int64_t at_ms) {
    auto changed = store.change_incident(
        a.id.to_string(), [&](alert::incident_part& p) -> std::expected<void, std::string> {
            const std::int64_t at_ns = at_ms * 1'000'000;
            if (p.notify == alert::sla_outcome::pending) {
                p.notify =
                    at_ns <= p.notify_by_ns ? alert::sla_outcome::met : alert::sla_outcome::missed;
                p.notified_ns = at_ns;
            }
            if (status != "acknowledged" && p.contain == alert::sla_outcome::pending) {
                p.contain =
                    at_ns <= p.contain_by_ns ? alert::sla_outcome::met : alert::sla_outcome::missed;
                p.contained_ns = at_ns;
            }
            p.history.push_back({p.status, status, at_ns, "alice", ""});
            p.status = status;
            return {};
        });
    REQUIRE(changed.has_value());
    REQUIRE(changed->has_value());
}

report::report_period week_of_monday() {
    auto p = report::make_period(report::report_period::kind::week, "2026-12-06", 0);
    REQUIRE(p.has_value());
    return *p;
}

} // namespace

TEST_CASE("report periods: whole UTC days ending with --until, and the one before", "[report]") {
    using kind = report::report_period::kind;
    const std::int64_t now = monday + 7 * day + 5 * 3'600'000; // Monday 2026-12-07 05:00
    auto d = report::make_period(kind::day, std::nullopt, now);
    REQUIRE(d.has_value());
    CHECK(d->since_ms == monday + 6 * day); // yesterday, Sunday
    CHECK(d->until_ms == monday + 7 * day);
    CHECK(d->label() == "2026-12-06");
    CHECK(d->previous().since_ms == monday + 5 * day);
    CHECK(d->previous().until_ms == d->since_ms);

    auto w = report::make_period(kind::week, "2026-12-06", now);
    REQUIRE(w.has_value());
    CHECK(w->since_ms == monday);
    CHECK(w->days() == 7);
    CHECK(w->label() == "2026-11-30 to 2026-12-06");
    CHECK(w->previous().label() == "2026-11-23 to 2026-11-29");

    auto m = report::make_period(kind::month, "2026-11-30", now);
    REQUIRE(m.has_value());
    CHECK(m->label() == "2026-11-01 to 2026-11-30");
    CHECK(m->previous().label() == "2026-10-01 to 2026-10-31");
    auto mid = report::make_period(kind::month, "2026-12-06", now);
    REQUIRE(mid.has_value());
    CHECK(mid->label() == "2026-11-07 to 2026-12-06");
    // One month back from 31 March is the end of February (clamped), in a leap year too.
    auto march = report::make_period(kind::month, "2028-03-30", now);
    REQUIRE(march.has_value());
    CHECK(march->label() == "2028-02-29 to 2028-03-30");
    auto january = report::make_period(kind::month, "2027-01-31", now);
    REQUIRE(january.has_value());
    CHECK(january->label() == "2027-01-01 to 2027-01-31");
    CHECK(january->previous().label() == "2026-12-01 to 2026-12-31");

    for (const char* bad : {"2026-13-01", "2026-02-30", "yesterday", "2026-1-01", ""}) {
        auto wrong = report::make_period(kind::day, std::string(bad), now);
        REQUIRE_FALSE(wrong.has_value());
        CHECK(wrong.error() == "until '" + std::string(bad) + "' is not a date (YYYY-MM-DD)");
    }
}

TEST_CASE("report requests: the parameters of vigil report and GET /api/v1/reports", "[report]") {
    using params = std::vector<std::pair<std::string, std::string>>;
    auto ok = report::read_report_request(
        params{{"period", "week"}, {"until", "2026-12-06"}, {"tenant", "acme"}, {"format", "html"}},
        0, report::report_format::json);
    REQUIRE(ok.has_value());
    CHECK(ok->period.since_ms == monday);
    CHECK(ok->tenant == std::optional<std::string>("acme"));
    CHECK(ok->format == report::report_format::html);
    CHECK(report::media_type(ok->format) == "text/html; charset=utf-8");
    auto defaulted =
        report::read_report_request(params{{"period", "day"}}, monday, report::report_format::md);
    REQUIRE(defaulted.has_value());
    CHECK(defaulted->format == report::report_format::md);
    CHECK_FALSE(defaulted->tenant);

    const std::vector<std::pair<params, std::string>> wrong = {
        {{}, "period is missing (day, week or month)"},
        {{{"period", "year"}}, "period 'year' is not day, week or month"},
        {{{"period", "day"}, {"format", "pdf"}}, "format 'pdf' is not md, html or json"},
        {{{"period", "day"}, {"tenant", ""}}, "tenant is empty"},
        {{{"period", "day"}, {"until", "12/06/2026"}},
         "until '12/06/2026' is not a date (YYYY-MM-DD)"},
        {{{"period", "day"}, {"limit", "3"}},
         "limit is not a report parameter (period, until, tenant, format)"},
    };
    for (const auto& [given, reason] : wrong) {
        auto refused = report::read_report_request(given, 0, report::report_format::json);
        REQUIRE_FALSE(refused.has_value());
        CHECK(refused.error() == reason);
    }
}

TEST_CASE("alert facts: encoded and decoded unchanged, the stage's and the document's agree",
          "[report][alert]") {
    planted p;
    p.malware = "WannaCry";
    p.tag = "report.outbreak";
    const alert::alert a = make(p);
    const alert::alert_facts fast = alert::new_alert_facts(a);
    CHECK(fast.rule_id == "rule-brute");
    CHECK(fast.grade == alert::grade::II);
    CHECK(fast.category == "outbreak");
    CHECK(fast.malware == std::vector<std::string>{"WannaCry"});
    CHECK(fast.source_ips == std::vector<std::string>{"203.0.113.9"});
    CHECK(fast.hosts == std::vector<std::string>{"web-1"});
    CHECK(fast.created_ms == p.at_ms);
    CHECK(fast.notify_by_ms == p.at_ms + 30 * minute);
    std::string encoded;
    alert::encode_new_alert_facts(encoded, a);
    CHECK(encoded == alert::encode_facts(fast)); // the stage's path writes the same bytes
    auto read = alert::read_alert_facts(a.json);
    REQUIRE(read.has_value());
    CHECK(read->facts == fast);
    CHECK(read->terms.tenant == "acme");

    alert::alert_facts f = fast;
    f.status = "closed";
    f.closed_ms = 1'800'000'000'123;
    f.notify = alert::sla_outcome::missed;
    f.escalations = 2;
    for (int i = 0; i < 40; ++i) {
        f.hosts.push_back("host-" + std::to_string(i));
    }
    const std::string bytes = alert::encode_facts(f);
    auto back = alert::decode_facts(bytes);
    REQUIRE(back.has_value());
    CHECK(back->hosts.size() == alert::alert_facts::max_values); // capped when written
    f.hosts.resize(alert::alert_facts::max_values);
    CHECK(*back == f);
    // Anything else is refused, never read past its end.
    for (std::size_t n = 0; n < bytes.size(); ++n) {
        CHECK_FALSE(alert::decode_facts(std::string_view(bytes).substr(0, n)).has_value());
    }
    CHECK_FALSE(alert::decode_facts(bytes + "x").has_value());
    CHECK(alert::decode_facts(std::string("\x07", 1)).error() ==
          "alert facts of an unknown version");
}

TEST_CASE("a report counts the incidents of its period from the tenant index: grades per "
          "day, top 10s, sections, SLA, closure, open ages, the previous period, one tenant",
          "[report]") {
    temp_dir dir;
    auto opened = alert::alert_store::open(dir.path, alert::alert_store::mode::read_write);
    REQUIRE(opened.has_value());
    alert::alert_store& store = **opened;
    const report::report_period week = week_of_monday();
    std::vector<alert::alert> alerts;
    auto plant = [&](planted p) {
        alerts.push_back(make(p));
        return alerts.size() - 1;
    };
    // Boundaries: the first millisecond is in, the last one too, the next week's first is not,
    // and the previous week's last counts for the comparison.
    const auto first = plant({.at_ms = monday, .level = "critical", .grade = alert::grade::I});
    const auto last = plant({.at_ms = week.until_ms - 1, .grade = alert::grade::IV});
    plant({.at_ms = week.until_ms, .grade = alert::grade::I});      // next week
    plant({.at_ms = monday - 1, .grade = alert::grade::III});       // previous week
    plant({.at_ms = monday - 2 * day, .grade = alert::grade::III}); // previous week
    // Tuesday: an outbreak of WannaCry from one source over three hosts, and three single
    // detections on those hosts.
    const std::int64_t tuesday = monday + day + 10 * 3'600'000;
    plant({.at_ms = tuesday,
           .rule = "rule-outbreak",
           .title = "Malware outbreak",
           .grade = alert::grade::I,
           .host = "pc-1",
           .source_ip = "10.0.0.5",
           .malware = "WannaCry",
           .tag = "report.outbreak"});
    for (int i = 1; i <= 3; ++i) {
        plant({.at_ms = tuesday + i * minute,
               .rule = "rule-av",
               .title = "Virus found",
               .grade = alert::grade::III,
               .host = "pc-" + std::to_string(i),
               .source_ip = "10.0.0.5",
               .malware = i == 3 ? "Emotet" : "WannaCry"});
    }
    // Wednesday: an agent offline and definitions out of date (no malware).
    const std::int64_t wednesday = monday + 2 * day;
    plant({.at_ms = wednesday,
           .rule = "rule-offline",
           .title = "Agent silent",
           .grade = alert::grade::III,
           .host = "pc-9",
           .source_ip = "10.0.0.9",
           .tag = "report.protection-offline"});
    plant({.at_ms = wednesday + minute,
           .rule = "rule-defs",
           .title = "Definitions old",
           .grade = alert::grade::III,
           .host = "pc-8",
           .source_ip = "10.0.0.8",
           .tag = "report.definitions-out-of-date"});
    // An escalation alert: counted as an escalation, not as an incident.
    plant({.at_ms = wednesday + 2 * minute,
           .rule = "rule-brute",
           .grade = alert::grade::II,
           .escalation = true});
    // Another tenant's incident and one of no tenant, on Thursday.
    plant(
        {.at_ms = monday + 3 * day, .tenant = "globex", .grade = alert::grade::II, .host = "gx-1"});
    plant({.at_ms = monday + 3 * day + minute,
           .tenant = "",
           .grade = alert::grade::IV,
           .host = "lone-1"});
    REQUIRE(store.write(alerts).has_value());

    // Lifecycle: the first (grade I) acknowledged after 10 minutes and contained after 50
    // (both met); the outbreak acknowledged after 40 minutes (missed) and closed after 2 h
    // (contain missed). The rest stay new: their deadlines have passed by "now" (overdue).
    step(store, alerts[first], "acknowledged", monday + 10 * minute);
    step(store, alerts[first], "contained", monday + 50 * minute);
    step(store, alerts[5], "acknowledged", tuesday + 40 * minute);
    step(store, alerts[5], "closed", tuesday + 120 * minute);
    step(store, alerts[last], "false_positive", week.until_ms + minute);

    const std::int64_t now = week.until_ms + 2 * day;
    auto built = report::build_report(store, std::string("acme"), week, now);
    REQUIRE(built.has_value());
    const report::report& r = *built;
    CHECK(r.unreadable == 0);
    // first, last, outbreak, 3 detections, offline, definitions: 8 incidents of acme.
    CHECK(r.totals.incidents == 8);
    CHECK(r.totals.by_grade == report::grade_counts{2, 0, 5, 1});
    CHECK(r.totals.escalations == 1);
    CHECK(r.totals.closed == 2); // the outbreak (closed) and `last` (false positive)
    CHECK(r.totals.closure_rate() == Approx(0.25));
    CHECK(r.previous.incidents == 2);
    CHECK(r.previous.by_grade == report::grade_counts{0, 0, 2, 0});
    REQUIRE(r.per_day.size() == 7);
    CHECK(r.per_day[0] == report::grade_counts{1, 0, 0, 0});
    CHECK(r.per_day[1] == report::grade_counts{1, 0, 3, 0});
    CHECK(r.per_day[2] == report::grade_counts{0, 0, 2, 0});
    CHECK(r.per_day[6] == report::grade_counts{0, 0, 0, 1});
    CHECK(r.per_day[3] == report::grade_counts{}); // globex's and the tenantless are not acme's

    using ranked = std::vector<report::ranked_value>;
    CHECK(r.top_rules == ranked{{"rule-av", 3, "Virus found"},
                                {"rule-brute", 2, "SSH brute force"},
                                {"rule-defs", 1, "Definitions old"},
                                {"rule-offline", 1, "Agent silent"},
                                {"rule-outbreak", 1, "Malware outbreak"}});
    CHECK(r.top_malware == ranked{{"WannaCry", 3, ""}, {"Emotet", 1, ""}});
    CHECK(r.top_infection_sources == ranked{{"10.0.0.5", 4, ""}});
    CHECK(r.top_infected_hosts == ranked{{"pc-1", 2, ""}, {"pc-2", 1, ""}, {"pc-3", 1, ""}});
    CHECK(r.top_source_addresses == ranked{{"10.0.0.5", 4, ""},
                                           {"203.0.113.9", 2, ""},
                                           {"10.0.0.8", 1, ""},
                                           {"10.0.0.9", 1, ""}});
    CHECK(r.outbreaks.count == 1);
    REQUIRE(r.outbreaks.alerts.size() == 1);
    CHECK(r.outbreaks.alerts[0].title == "Malware outbreak");
    CHECK(r.outbreaks.alerts[0].status == "closed");
    CHECK(r.outbreaks.alerts[0].malware == std::vector<std::string>{"WannaCry"});
    CHECK(r.protection_offline.count == 1);
    CHECK(r.protection_offline.alerts[0].hosts == std::vector<std::string>{"pc-9"});
    CHECK(r.definitions_out_of_date.count == 1);

    // Grade I: `first` met both; the outbreak missed both (decided by its steps).
    const auto& one = r.sla[0];
    CHECK(
        (one.acknowledge.met == 1 && one.acknowledge.missed == 1 && one.acknowledge.pending == 0));
    CHECK((one.contain.met == 1 && one.contain.missed == 1));
    CHECK(one.acknowledge.median_ms == 10 * minute);
    CHECK(one.acknowledge.p90_ms == 40 * minute);
    CHECK(one.contain.median_ms == 50 * minute);
    CHECK(one.contain.p90_ms == 120 * minute);
    // Grade III: five incidents, never acknowledged, all past their deadlines by now.
    CHECK((r.sla[2].acknowledge.missed == 5 && r.sla[2].contain.missed == 5));
    CHECK_FALSE(r.sla[2].acknowledge.median_ms);
    // Grade IV: `last` was marked a false positive a minute after the week (met both).
    CHECK((r.sla[3].acknowledge.met == 1 && r.sla[3].contain.met == 1));
    CHECK(r.totals.sla_met == 4);
    CHECK(r.totals.sla_missed == 12);
    // Open: `first` (contained) and the five of grade III.
    CHECK(r.open == 6);
    CHECK(r.open_age_max_ms == now - monday);
    CHECK(r.open_age_median_ms == now - (tuesday + 3 * minute));

    // A deadline still ahead is pending, not missed.
    auto early = report::build_report(store, std::string("acme"), week, monday + 5 * minute);
    REQUIRE(early.has_value());
    CHECK((early->sla[2].acknowledge.pending == 5 && early->sla[2].acknowledge.missed == 0));
    CHECK(early->sla[0].acknowledge.missed == 1); // the outbreak's, decided by its step

    // Every tenant: globex's and the tenantless incident count too.
    auto all = report::build_report(store, std::nullopt, week, now);
    REQUIRE(all.has_value());
    CHECK(all->totals.incidents == 10);
    CHECK(all->per_day[3] == report::grade_counts{0, 1, 0, 1});
    auto globex = report::build_report(store, std::string("globex"), week, now);
    REQUIRE(globex.has_value());
    CHECK(globex->totals.incidents == 1);
    CHECK(globex->top_rules == ranked{{"rule-brute", 1, "SSH brute force"}});
    auto nobody = report::build_report(store, std::string("initech"), week, now);
    REQUIRE(nobody.has_value());
    CHECK(nobody->totals.incidents == 0);
    CHECK(nobody->top_rules.empty());

    // Retention takes an alert's facts with it.
    auto expired = store.expire({.max_age_ms = now - monday, .max_bytes = 0}, now);
    REQUIRE(expired.has_value());
    auto after = report::build_report(store, std::string("acme"), week, now);
    REQUIRE(after.has_value());
    CHECK(after->previous.incidents == 0);
    CHECK(after->totals.incidents == 8);
}

TEST_CASE("report renderings: JSON that parses with the figures, Markdown and HTML that keep a "
          "log line's markup as text",
          "[report]") {
    temp_dir dir;
    auto opened = alert::alert_store::open(dir.path, alert::alert_store::mode::read_write);
    REQUIRE(opened.has_value());
    const report::report_period week = week_of_monday();
    const std::string planted_host = "<script>alert(1)</script>|x";
    std::vector<alert::alert> alerts = {
        make({.at_ms = monday + minute, .host = planted_host, .malware = "Evil<b>"}),
        make({.at_ms = monday + 2 * minute, .grade = alert::grade::I})};
    REQUIRE((*opened)->write(alerts).has_value());
    auto built = report::build_report(**opened, std::string("acme"), week, week.until_ms);
    REQUIRE(built.has_value());

    const std::string json = report::to_json(*built);
    simdjson::dom::parser parser;
    simdjson::dom::element doc;
    REQUIRE(parser.parse(json).get(doc) == simdjson::SUCCESS);
    CHECK(std::string_view(doc["tenant"]) == "acme");
    CHECK(std::string_view(doc["period"]["first_day"]) == "2026-11-30");
    CHECK(std::string_view(doc["period"]["last_day"]) == "2026-12-06");
    CHECK(std::uint64_t(doc["totals"]["incidents"]) == 2);
    CHECK(std::uint64_t(doc["totals"]["by_grade"]["I"]) == 1);
    CHECK(std::uint64_t(doc["per_day"].at(0)["II"]) == 1);
    CHECK(std::string_view(doc["top"]["infected_hosts"].at(0)["value"]) == planted_host);
    CHECK(doc["sla"]["II"]["acknowledge"]["median_ms"].is_null());

    const std::string md = report::to_markdown(*built);
    CHECK(md.find("# Weekly security report: acme, 2026-11-30 to 2026-12-06 (UTC)") == 0);
    CHECK(md.find("<script>") == std::string::npos);
    CHECK(md.find("&lt;script&gt;alert(1)&lt;/script&gt;\\|x") != std::string::npos);
    CHECK(md.find("| incidents | 2 | 0 | +2 |") != std::string::npos);

    const std::string html = report::to_html(*built);
    CHECK(html.starts_with("<!DOCTYPE html>"));
    CHECK(html.find("<script") == std::string::npos);
    CHECK(html.find("&lt;script&gt;alert(1)&lt;/script&gt;|x") != std::string::npos);
    CHECK(html.find("Evil&lt;b&gt;") != std::string::npos);
    CHECK(html.find("id=\"chart-per-day\"") != std::string::npos);
    CHECK(html.find("id=\"chart-sla\"") != std::string::npos);
    CHECK(html.find("id=\"chart-top-rules\"") != std::string::npos);
    // Self-contained: no external reference of any kind.
    for (const char* external : {"http://", "https://", "src=", "href=", "@import", "url("}) {
        CHECK(html.find(external) == std::string::npos);
    }
}

TEST_CASE("a store written before report facts is indexed again when vigild opens it",
          "[report][store]") {
    temp_dir dir;
    const report::report_period week = week_of_monday();
    const alert::alert a = make({.at_ms = monday + minute, .malware = "Emotet"});
    {
        // Format 2, as an older vigild left it: the alert, its tenant entry without facts.
        rocksdb::Options options;
        options.create_if_missing = true;
        options.create_missing_column_families = true;
        std::vector<rocksdb::ColumnFamilyDescriptor> families;
        for (const char* name :
             {"default", "alerts", "alerts_by_tenant", "meta", "alerts_by_rule", "alerts_by_level",
              "alerts_by_status", "alerts_by_host", "alerts_by_source", "state", "dead_letters",
              "outbox", "outbox_dead", "deadlines"}) {
            families.emplace_back(name, rocksdb::ColumnFamilyOptions());
        }
        std::vector<rocksdb::ColumnFamilyHandle*> handles;
        rocksdb::DB* raw = nullptr;
        fs::create_directories(dir.path / "rocksdb");
        REQUIRE(
            rocksdb::DB::Open(options, (dir.path / "rocksdb").string(), families, &handles, &raw)
                .ok());
        std::unique_ptr<rocksdb::DB> db(raw);
        REQUIRE(db->Put({}, handles[1], a.id.to_string(), a.json).ok());
        REQUIRE(db->Put({}, handles[2], std::string("acme") + '\0' + a.id.to_string(), "").ok());
        REQUIRE(db->Put({}, handles[3], "alerts_format", "2").ok());
        for (auto* h : handles) {
            REQUIRE(db->DestroyColumnFamilyHandle(h).ok());
        }
    }
    auto reader = alert::alert_store::open(dir.path, alert::alert_store::mode::read_only);
    REQUIRE_FALSE(reader.has_value());
    CHECK(reader.error().find("was written by an older vigild; start vigild once with it to "
                              "index its alerts") != std::string::npos);
    {
        auto writer = alert::alert_store::open(dir.path, alert::alert_store::mode::read_write);
        REQUIRE(writer.has_value());
    }
    auto opened = alert::alert_store::open(dir.path, alert::alert_store::mode::read_only);
    REQUIRE(opened.has_value());
    auto built = report::build_report(**opened, std::string("acme"), week, week.until_ms);
    REQUIRE(built.has_value());
    CHECK(built->unreadable == 0);
    CHECK(built->totals.incidents == 1);
    CHECK(built->top_malware == std::vector<report::ranked_value>{{"Emotet", 1, ""}});
}
