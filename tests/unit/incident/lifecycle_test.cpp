#include "alert/incident_part.hpp"
#include "incident/lifecycle.hpp"

#include <catch2/catch.hpp>

using namespace vigil;
using alert::sla_outcome;

namespace {

constexpr std::int64_t minute = 60'000'000'000;
constexpr std::int64_t created = 1'796'000'000'000'000'000; // a controllable clock: times given

alert::incident_part fresh() {
    alert::incident_part part;
    part.grade = alert::grade::II;
    part.response_level = 2;
    part.notify_by_ns = created + 30 * minute;
    part.contain_by_ns = created + 60 * minute;
    return part;
}

incident::status_change to(std::string status, std::int64_t after_minutes) {
    return {std::move(status), "alice", "note " + std::to_string(after_minutes),
            created + after_minutes * minute};
}

} // namespace

TEST_CASE("the lifecycle from detection to closure, every step kept", "[incident][lifecycle]") {
    auto part = fresh();
    for (auto [status, at] : std::vector<std::pair<std::string, int>>{{"acknowledged", 10},
                                                                      {"contained", 40},
                                                                      {"eradicated", 70},
                                                                      {"recovered", 80},
                                                                      {"closed", 90}}) {
        INFO(status);
        REQUIRE(incident::change_status(part, to(status, at)).has_value());
        CHECK(part.status == status);
    }
    REQUIRE(part.history.size() == 5);
    CHECK(part.history[0] ==
          alert::lifecycle_step{"new", "acknowledged", created + 10 * minute, "alice", "note 10"});
    CHECK(part.history[4].from == "recovered");
    CHECK(part.history[4].to == "closed");
    // Acknowledged after 10 minutes (deadline 30): met; contained after 40 (deadline 60): met.
    CHECK(part.notify == sla_outcome::met);
    CHECK(part.notified_ns == created + 10 * minute);
    CHECK(part.contain == sla_outcome::met);
    CHECK(part.contained_ns == created + 40 * minute);
}

TEST_CASE("SLA missed, decided by the first step that meets it", "[incident][lifecycle]") {
    auto part = fresh();
    // Contained directly after 45 minutes: that step also notifies, 15 minutes late.
    REQUIRE(incident::change_status(part, to("contained", 45)).has_value());
    CHECK(part.notify == sla_outcome::missed);
    CHECK(part.contain == sla_outcome::met);
    // Exactly at the deadline is met.
    auto on_time = fresh();
    REQUIRE(incident::change_status(on_time, to("acknowledged", 30)).has_value());
    CHECK(on_time.notify == sla_outcome::met);
    CHECK(on_time.contain == sla_outcome::pending);
    REQUIRE(incident::change_status(on_time, to("contained", 61)).has_value());
    CHECK(on_time.contain == sla_outcome::missed);
    CHECK(on_time.contained_ns == created + 61 * minute);
    // A false positive settles both, once: reopening and closing later changes neither.
    auto dismissed = fresh();
    REQUIRE(incident::change_status(dismissed, to("false_positive", 20)).has_value());
    CHECK(dismissed.notify == sla_outcome::met);
    CHECK(dismissed.contain == sla_outcome::met);
    REQUIRE(incident::change_status(dismissed, to("reopened", 200)).has_value());
    REQUIRE(incident::change_status(dismissed, to("closed", 300)).has_value());
    CHECK(dismissed.contain == sla_outcome::met);
    CHECK(dismissed.contained_ns == created + 20 * minute);
}

TEST_CASE("invalid steps are refused with the reason and change nothing", "[incident][lifecycle]") {
    struct step {
        std::vector<std::string> before; // the steps taken first
        std::string to;
        std::string reason;
    };
    const std::vector<step> refused = {
        {{}, "new", "cannot go back to new"},
        {{}, "resolved", "unknown status 'resolved' (known: acknowledged, contained"},
        {{}, "reopened", "only a closed or false-positive alert can be reopened; this one is new"},
        {{"acknowledged"}, "acknowledged", "already acknowledged"},
        {{"contained"},
         "acknowledged",
         "the alert is contained; it cannot go back to acknowledged"},
        {{"closed"}, "contained", "the alert is closed; it can only be reopened"},
        {{"false_positive"}, "closed", "the alert is false_positive; it can only be reopened"},
        {{"closed", "reopened"}, "acknowledged", "already reopened"},
    };
    for (const auto& s : refused) {
        INFO("to " << s.to);
        auto part = fresh();
        int at = 1;
        for (const auto& b : s.before) {
            REQUIRE(incident::change_status(part, to(b, at++)).has_value());
        }
        const auto before = part;
        auto result = incident::change_status(part, to(s.to, at));
        REQUIRE_FALSE(result.has_value());
        CHECK_THAT(result.error(), Catch::Contains(s.reason));
        CHECK(part == before);
    }
    // Valid: skipping steps forward, false positive from any open status, reopen and go on.
    const std::vector<std::vector<std::string>> allowed = {
        {"closed"},
        {"acknowledged", "recovered"},
        {"contained", "false_positive"},
        {"false_positive", "reopened", "contained", "closed", "reopened", "closed"},
    };
    for (const auto& path : allowed) {
        auto part = fresh();
        int at = 1;
        for (const auto& status : path) {
            INFO("to " << status);
            CHECK(incident::change_status(part, to(status, at++)).has_value());
        }
        CHECK(part.history.size() == path.size());
    }
}

TEST_CASE("step times are kept at millisecond precision, as the document holds them",
          "[incident][lifecycle]") {
    auto part = fresh();
    auto change = to("acknowledged", 3);
    change.at_ns += 123'456; // 0.123456 ms
    REQUIRE(incident::change_status(part, change).has_value());
    CHECK(part.history[0].at_ns == created + 3 * minute);
    CHECK(part.notified_ns == created + 3 * minute);
    std::string doc = R"({"id":"x"})";
    alert::append_incident_part(doc, part);
    CHECK(*alert::read_incident_part(doc) == part);
}

TEST_CASE("the CLI's verbs name statuses", "[incident][lifecycle]") {
    CHECK(incident::status_for_verb("ack") == "acknowledged");
    CHECK(incident::status_for_verb("contain") == "contained");
    CHECK(incident::status_for_verb("eradicate") == "eradicated");
    CHECK(incident::status_for_verb("recover") == "recovered");
    CHECK(incident::status_for_verb("close") == "closed");
    CHECK(incident::status_for_verb("reopen") == "reopened");
    CHECK(incident::status_for_verb("false-positive") == "false_positive");
    CHECK_FALSE(incident::status_for_verb("resolve").has_value());
}

TEST_CASE("the incident part round-trips through the document and is always its end",
          "[incident][alert]") {
    auto part = fresh();
    REQUIRE(incident::change_status(part, to("acknowledged", 5)).has_value());
    part.history.back().note = "quote \" comma ,\"grade\":\"I\" brace }";
    // Evidence holding the same member names must not confuse where the part begins.
    std::string doc = R"({"id":"x","evidence":[{"fields":{"a":"b","grade":"I","status":"new"}}]})";
    alert::append_incident_part(doc, part);
    auto read = alert::read_incident_part(doc);
    REQUIRE(read.has_value());
    CHECK(*read == part);
    auto later = part;
    REQUIRE(incident::change_status(later, to("contained", 9)).has_value());
    const std::string changed = alert::with_incident_part(doc, later);
    CHECK(changed.starts_with(
        R"({"id":"x","evidence":[{"fields":{"a":"b","grade":"I","status":"new"}}],"grade":"II")"));
    CHECK(*alert::read_incident_part(changed) == later);
    CHECK_FALSE(alert::read_incident_part(R"({"id":"x"})").has_value());
}

TEST_CASE("the incident part's text: every member, in order, strings escaped",
          "[incident][alert]") {
    auto part = fresh();
    part.asset = alert::incident_part::asset_fields{"payroll \"db\"", "finance", "dc-1", 1};
    REQUIRE(incident::change_status(part, to("acknowledged", 5)).has_value());
    REQUIRE(incident::change_status(part, to("contained", 70)).has_value());
    part.history.back().note = "tab\there, line\nnext, caf\xc3\xa9, bad \xff byte";
    part.escalations.push_back({"contain", created + 61 * minute, "01JESCALATIONALERT00000000"});
    std::string doc = R"({"id":"x"})";
    alert::append_incident_part(doc, part);
    CHECK(doc ==
          R"({"id":"x","grade":"II","response_level":2,)"
          R"("asset":{"name":"payroll \"db\"","owner":"finance","zone":"dc-1","criticality":1},)"
          R"("sla":{"notify_by":"2026-11-30T01:23:20Z","contain_by":"2026-11-30T01:53:20Z",)"
          R"("notify":"met","notified_at":"2026-11-30T00:58:20Z","contain":"missed",)"
          R"("contained_at":"2026-11-30T02:03:20Z"},"status":"contained","history":[)"
          R"({"from":"new","to":"acknowledged","at":"2026-11-30T00:58:20Z","actor":"alice",)"
          R"("note":"note 5"},{"from":"acknowledged","to":"contained",)"
          R"("at":"2026-11-30T02:03:20Z","actor":"alice",)"
          "\"note\":\"tab\\there, line\\nnext, caf\xc3\xa9, bad \\ufffd byte\"}],"
          R"("escalations":[{"deadline":"contain","at":"2026-11-30T01:54:20Z",)"
          R"("alert":"01JESCALATIONALERT00000000"}]})");
    auto read = alert::read_incident_part(doc);
    REQUIRE(read.has_value());
    part.history.back().note = "tab\there, line\nnext, caf\xc3\xa9, bad \xef\xbf\xbd byte";
    CHECK(*read == part);
    // A new alert's part: no asset, both outcomes pending, no history or escalation.
    std::string fresh_doc = "{}";
    alert::append_incident_part(fresh_doc, fresh());
    CHECK(fresh_doc ==
          R"({"grade":"II","response_level":2,"sla":{"notify_by":"2026-11-30T01:23:20Z",)"
          R"("contain_by":"2026-11-30T01:53:20Z","notify":"pending",)"
          R"("contain":"pending"},"status":"new","history":[]})");
}
