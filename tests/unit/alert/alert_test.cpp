#include "alert/alert.hpp"
#include "incident/grader.hpp"
#include "support/parse_helpers.hpp"

#include <catch2/catch.hpp>
#include <simdjson.h>

using namespace vigil;

namespace {

rules::rule_info sample_rule(const std::string& level) {
    rules::rule_info r;
    r.id = "e9a91cfd-f910-4bc2-ab06-74fedb590f2d";
    r.title = "SSH login attempt for a user that does not exist";
    r.level = level;
    r.author = "vigil project";
    r.tags = {"attack.credential-access", "attack.t1110"};
    return r;
}

} // namespace

TEST_CASE("levels map to the four grades", "[alert][grade]") {
    CHECK(alert::grade_for_level("critical") == alert::grade::I);
    CHECK(alert::grade_for_level("high") == alert::grade::II);
    CHECK(alert::grade_for_level("medium") == alert::grade::III);
    CHECK(alert::grade_for_level("low") == alert::grade::IV);
    CHECK(alert::grade_for_level("informational") == alert::grade::IV);
    CHECK(alert::to_string(alert::grade::III) == "III");
    CHECK(alert::parse_grade("II") == alert::grade::II);
    CHECK_FALSE(alert::parse_grade("V").has_value());
}

TEST_CASE("an alert carries rule, grade, times, sender and the event", "[alert]") {
    const std::string line =
        "<38>1 2026-11-21T10:02:11.5Z bastion sshd 811 - [x@1 k=\"v\"] Invalid user "
        "\xFF admin";
    core::raw_record record{line, core::source_kind::syslog_tcp, 1'795'000'000'000'000'000, {}};
    record.peer.known = true;
    record.peer.bytes[0] = 192;
    record.peer.bytes[1] = 0;
    record.peer.bytes[2] = 2;
    record.peer.bytes[3] = 1;
    record.peer.port = 514;
    core::arena scratch;
    core::event e;
    parse::syslog_parser parser{parse::rfc3164_config{}};
    (void)parser.parse(record, e, scratch);
    const std::int64_t created = 1'795'000'000'123'000'000;
    auto a = alert::make_alert(sample_rule("high"), 7, e, core::field_catalog::builtin(), created);
    // The id derives from the rule, the event time and the record: the same again, no duplicate.
    const auto id =
        alert::event_alert_id("e9a91cfd-f910-4bc2-ab06-74fedb590f2d", *e.time_ns, record.bytes);
    CHECK(a.id == id);
    CHECK(a.id.time_ms() == static_cast<std::uint64_t>(*e.time_ns / 1'000'000));
    CHECK(alert::make_alert(sample_rule("high"), 7, e, core::field_catalog::builtin(), created + 5)
              .id == id);
    CHECK(a.terms.rule_id == "e9a91cfd-f910-4bc2-ab06-74fedb590f2d");
    // What the store indexes it by: read from the document itself.
    CHECK(a.terms.level == "high");
    CHECK(a.terms.status == "new");
    CHECK(a.terms.sources == std::vector<std::string>{"192.0.2.1"});
    CHECK(a.terms.hosts == std::vector<std::string>{"bastion"});
    // Taken from the event, they are what the document says (retention reads them from it).
    auto from_document = alert::read_alert_terms(a.json);
    REQUIRE(from_document.has_value());
    CHECK(a.terms == *from_document);
    // The alert stage makes it an incident: grade (a high rule, an asset of the default
    // criticality), response level, deadlines from its creation, status.
    incident::grader(incident::incident_policy{}).grade(a, nullptr);
    CHECK(a.grade == alert::grade::II);
    CHECK(a.terms == *alert::read_alert_terms(a.json));

    simdjson::dom::parser json;
    simdjson::dom::element doc;
    REQUIRE(json.parse(a.json).get(doc) == simdjson::SUCCESS); // valid JSON despite the 0xFF byte
    auto str = [&](const char* pointer) {
        std::string_view v;
        REQUIRE(doc.at_pointer(pointer).get(v) == simdjson::SUCCESS);
        return std::string(v);
    };
    CHECK(str("/id") == id.to_string());
    CHECK(str("/rule/id") == "e9a91cfd-f910-4bc2-ab06-74fedb590f2d");
    CHECK(str("/rule/title") == "SSH login attempt for a user that does not exist");
    CHECK(str("/rule/level") == "high");
    CHECK(str("/rule/author") == "vigil project");
    CHECK(str("/rule/tags/1") == "attack.t1110");
    CHECK(str("/grade") == "II");
    CHECK(str("/status") == "new");
    CHECK(str("/sla/notify_by") ==
          core::format_rfc3339(1'795'000'000'123'000'000 + 1'800'000'000'000));
    CHECK(str("/sla/contain_by") ==
          core::format_rfc3339(1'795'000'000'123'000'000 + 3'600'000'000'000));
    CHECK(str("/sla/notify") == "pending");
    int64_t response_level = 0;
    REQUIRE(doc.at_pointer("/response_level").get(response_level) == simdjson::SUCCESS);
    CHECK(response_level == 2);
    CHECK(str("/created_at") == core::format_rfc3339(created));
    CHECK(str("/event_time") == "2026-11-21T10:02:11.500Z");
    CHECK(str("/received_at") == core::format_rfc3339(1'795'000'000'000'000'000));
    CHECK(str("/host") == "bastion");
    CHECK(str("/evidence/0/parser") == "rfc5424");
    CHECK(str("/evidence/0/transport") == "syslog_tcp");
    CHECK(str("/evidence/0/log.source.address") == "192.0.2.1:514");
    CHECK(str("/evidence/0/fields/process.pid") == "811");
    CHECK(str("/evidence/0/fields/message") == "Invalid user \xEF\xBF\xBD admin");
    CHECK(str("/evidence/0/fields/event.original") ==
          "<38>1 2026-11-21T10:02:11.5Z bastion sshd 811 - [x@1 k=\"v\"] Invalid user \xEF\xBF\xBD "
          "admin");
    CHECK(str("/evidence/0/structured_data/x@1/k") == "v");
    std::uint64_t version = 0;
    REQUIRE(doc.at_pointer("/rule/rule_set_version").get(version) == simdjson::SUCCESS);
    CHECK(version == 7);
}
