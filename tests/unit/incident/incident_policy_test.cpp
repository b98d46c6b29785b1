#include "config/vigil_config.hpp"
#include "incident/incident_policy.hpp"

#include <catch2/catch.hpp>

using namespace vigil;
using alert::grade;

TEST_CASE("the default grade matrix: level and asset criticality", "[incident]") {
    const incident::incident_policy policy;
    struct row {
        const char* level;
        std::array<grade, 4> by_criticality;
    };
    // Criticality 2 and 3 give the level's base grade; 1 one grade more severe, 4 one less.
    const std::array<row, 5> table = {{
        {"critical", {grade::I, grade::I, grade::I, grade::II}},
        {"high", {grade::I, grade::II, grade::II, grade::III}},
        {"medium", {grade::II, grade::III, grade::III, grade::IV}},
        {"low", {grade::III, grade::IV, grade::IV, grade::IV}},
        {"informational", {grade::IV, grade::IV, grade::IV, grade::IV}},
    }};
    for (const auto& r : table) {
        for (unsigned c = 1; c <= 4; ++c) {
            INFO(r.level << " criticality " << c);
            CHECK(policy.grade_for(r.level, c) == r.by_criticality[c - 1]);
        }
    }
    // An unknown criticality is the default (2); an unknown level counts as informational.
    CHECK(policy.grade_for("high", 0) == grade::II);
    CHECK(policy.grade_for("high", 9) == grade::II);
    CHECK(policy.grade_for("severe", 1) == grade::IV);
    // The contract's SLA: I and II/III notify in 30 minutes, contain in an hour; IV 1 h and 4 h.
    constexpr std::int64_t minute = 60'000'000'000;
    CHECK(policy.target(grade::I).notify_ns == 30 * minute);
    CHECK(policy.target(grade::II).contain_ns == 60 * minute);
    CHECK(policy.target(grade::III).notify_ns == 30 * minute);
    CHECK(policy.target(grade::IV).notify_ns == 60 * minute);
    CHECK(policy.target(grade::IV).contain_ns == 240 * minute);
    CHECK(policy.target(grade::I).response_level == 1);
    CHECK(policy.target(grade::IV).response_level == 4);
}

TEST_CASE("incidents: the matrix, the default criticality and the SLA come from the config",
          "[incident][config]") {
    auto c = config::parse_config(R"(incidents:
  default_criticality: 3
  grades:
    medium: [I, I, II, III]
  sla:
    II: {notify: 15m, contain: 2h, response_level: 1}
)",
                                  "vigil.yaml");
    REQUIRE(c.has_value());
    CHECK(c->incidents.policy.default_criticality == 3);
    CHECK(c->incidents.policy.grade_for("medium", 1) == grade::I);
    CHECK(c->incidents.policy.grade_for("medium", 0) == grade::II); // the default criticality, 3
    CHECK(c->incidents.policy.grade_for("high", 2) == grade::II);   // rows not given keep defaults
    CHECK(c->incidents.policy.target(grade::II).notify_ns == 15 * 60'000'000'000LL);
    CHECK(c->incidents.policy.target(grade::II).contain_ns == 2 * 3'600'000'000'000LL);
    CHECK(c->incidents.policy.target(grade::II).response_level == 1);
    CHECK(c->incidents.policy.target(grade::III).notify_ns == 30 * 60'000'000'000LL);
}

TEST_CASE("incidents: every bad value is reported with its line, all at once",
          "[incident][config]") {
    auto c = config::parse_config(R"(incidents:
  default_criticality: 7
  grades:
    medium: [I, II]
    severe: [I, I, I, I]
  sla:
    V: {notify: 1m}
    II: {notify: soon, response_level: 5}
)",
                                  "vigil.yaml");
    REQUIRE_FALSE(c.has_value());
    const std::string text = c.error().to_string();
    CHECK_THAT(text, Catch::Contains("vigil.yaml:2") &&
                         Catch::Contains("'incidents.default_criticality' must be a number"));
    CHECK_THAT(text, Catch::Contains("vigil.yaml:4") &&
                         Catch::Contains("'incidents.grades.medium' must list four grades"));
    CHECK_THAT(text, Catch::Contains("unknown key 'incidents.grades.severe'"));
    CHECK_THAT(text, Catch::Contains("unknown key 'incidents.sla.V'"));
    CHECK_THAT(text, Catch::Contains("'incidents.sla.II.notify' must be a duration"));
    CHECK_THAT(text, Catch::Contains("'incidents.sla.II.response_level' must be a number"));
}
