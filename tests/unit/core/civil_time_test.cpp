#include "core/civil_time.hpp"

#include <catch2/catch.hpp>
#include <cstdint>
#include <limits>

using namespace vigil::core;

TEST_CASE("days_from_civil and civil_from_days agree on known dates", "[core][time]") {
    CHECK(days_from_civil(1970, 1, 1) == 0);
    CHECK(days_from_civil(2000, 3, 1) == 11017);
    CHECK(days_from_civil(2024, 2, 29) == 19782);
    for (std::int64_t d : {-1000, 0, 11016, 19782, 30000}) {
        const auto c = civil_from_days(d);
        CHECK(days_from_civil(c.year, c.month, c.day) == d);
    }
}

TEST_CASE("format_rfc3339 prints UTC with only the fraction digits needed", "[core][time]") {
    const std::int64_t base = days_from_civil(2026, 11, 21) * 86400 + 11 * 3600 + 31 * 60 + 20;
    CHECK(format_rfc3339(base * 1'000'000'000) == "2026-11-21T11:31:20Z");
    CHECK(format_rfc3339(base * 1'000'000'000 + 52'000'000) == "2026-11-21T11:31:20.052Z");
    CHECK(format_rfc3339(base * 1'000'000'000 + 52'271'000) == "2026-11-21T11:31:20.052271Z");
    CHECK(format_rfc3339(base * 1'000'000'000 + 1) == "2026-11-21T11:31:20.000000001Z");
    CHECK(format_rfc3339(-1'000'000'000) == "1969-12-31T23:59:59Z");
    CHECK(format_rfc3339(std::numeric_limits<std::int64_t>::max()) ==
          "2262-04-11T23:47:16.854775807Z");
    CHECK(format_rfc3339(std::numeric_limits<std::int64_t>::min()) ==
          "1677-09-21T00:12:43.145224192Z");
}

TEST_CASE("parse_duration reads units and combinations", "[core][time]") {
    CHECK(parse_duration("90s").value() == 90'000'000'000);
    CHECK(parse_duration("15m").value() == 15 * 60'000'000'000LL);
    CHECK(parse_duration("2h").value() == 2 * 3'600'000'000'000LL);
    CHECK(parse_duration("7d").value() == 7 * 86'400'000'000'000LL);
    CHECK(parse_duration("1h30m").value() == 90 * 60'000'000'000LL);
    CHECK(parse_duration("250ms").value() == 250'000'000);
}

TEST_CASE("parse_duration explains what is wrong", "[core][time]") {
    CHECK(parse_duration("").error() == "empty duration");
    CHECK(parse_duration("15").error().find("each number needs a unit") != std::string::npos);
    CHECK(parse_duration("m").error().find("expected a number") != std::string::npos);
    CHECK(parse_duration("3y").error().find("each number needs a unit") != std::string::npos);
}
