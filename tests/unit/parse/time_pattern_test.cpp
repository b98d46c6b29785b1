#include "core/civil_time.hpp"
#include "parse/time_pattern.hpp"

#include <catch2/catch.hpp>
#include <string>

using namespace vigil;

namespace {

std::string read(std::string_view pattern, std::string_view text, std::int64_t year = 1970) {
    auto p = parse::time_pattern::compile(pattern);
    REQUIRE(p.has_value());
    parse::local_time_config config;
    config.year = year;
    const core::peer_address nowhere;
    auto ns = p->parse(text, parse::local_time(config, 0, nowhere));
    return ns ? core::format_rfc3339(*ns) : "<none>";
}

} // namespace

TEST_CASE("time pattern: vendor layouts", "[parse][time]") {
    CHECK(read("yyyy-MM-dd HH:mm:ss", "2026-11-21 10:15:30") == "2026-11-21T10:15:30Z");
    CHECK(read("yyyy/MM/dd HH:mm:ss", "2026/11/21 10:15:30") == "2026-11-21T10:15:30Z");
    CHECK(read("MMM dd yyyy HH:mm:ss.SSS zzz", "Nov 21 2026 10:15:30.5 GMT") ==
          "2026-11-21T10:15:30.500Z");
    CHECK(read("EEE MMM dd HH:mm:ss yyyy", "Sat Nov 21 10:15:30 2026") == "2026-11-21T10:15:30Z");
    CHECK(read("MMM d HH:mm:ss", "Nov  1 10:15:30", 2026) == "2026-11-01T10:15:30Z");
    CHECK(read("dd/MMM/yyyy:HH:mm:ss Z", "21/Nov/2026:18:15:30 +0800") == "2026-11-21T10:15:30Z");
    CHECK(read("yyyy-MM-dd'T'HH:mm:ss.SSSSSSZ", "2018-03-24T17:15:20.123456-0600") ==
          "2018-03-24T23:15:20.123456Z");
    CHECK(read("hh:mm:ss a yyyy-MM-dd", "02:15:30 PM 2026-11-21") == "2026-11-21T14:15:30Z");
    CHECK(read("yyyy-MM-dd HH:mm:ss z", "2026-11-21 05:15:30 EST") == "2026-11-21T10:15:30Z");
    CHECK(read("yyyy-MM-dd HH:mm:ss z", "2026-11-21 10:15:30 XYZ") == "2026-11-21T10:15:30Z");
    CHECK(read("rfc3339", "2026-11-21T10:15:30.25+01:00") == "2026-11-21T09:15:30.250Z");
    CHECK(read("epoch_s", "1795255530") == "2026-11-21T10:05:30Z");
    CHECK(read("epoch_s", "1795255530.5") == "2026-11-21T10:05:30.500Z");
    CHECK(read("epoch_ms", "1795255530123") == "2026-11-21T10:05:30.123Z");
    CHECK(read("epoch_ns", "1795255530000000001") == "2026-11-21T10:05:30.000000001Z");
}

TEST_CASE("time pattern: text that does not fit gives nothing", "[parse][time]") {
    CHECK(read("yyyy-MM-dd HH:mm:ss", "2026-11-21") == "<none>");
    CHECK(read("yyyy-MM-dd HH:mm:ss", "2026-13-21 10:15:30") == "<none>");
    CHECK(read("yyyy-MM-dd HH:mm:ss", "2026-02-30 10:15:30") == "<none>");
    CHECK(read("yyyy-MM-dd HH:mm:ss", "2026-11-21 10:15:30 trailing") == "<none>");
    CHECK(read("epoch_ms", "12ab") == "<none>");
    CHECK(read("MMM dd yyyy", "Foo 21 2026") == "<none>");
}

TEST_CASE("time pattern: bad layouts are errors", "[parse][time]") {
    CHECK_FALSE(parse::time_pattern::compile("yyyy-MM-dd 'unclosed").has_value());
    CHECK_FALSE(parse::time_pattern::compile("yyyy-MM-dd QQ").has_value());
    CHECK_FALSE(parse::time_pattern::compile("hh:mm:ss").has_value()); // 12-hour without a
}

TEST_CASE("time pattern: a time without a zone is read in the record's zone", "[parse][time]") {
    auto p = parse::time_pattern::compile("yyyy-MM-dd HH:mm:ss");
    REQUIRE(p.has_value());
    auto ny = core::time_zone::load("America/New_York");
    REQUIRE(ny.has_value());
    parse::local_time_config config;
    config.zone = std::make_shared<const core::time_zone>(*ny);
    const core::peer_address nowhere;
    const parse::local_time local(config, 0, nowhere);
    // 2040: after the explicit transitions of Debian's zoneinfo, DST from the footer rule.
    CHECK(core::format_rfc3339(*p->parse("2040-07-01 12:00:00", local)) == "2040-07-01T16:00:00Z");
    CHECK(core::format_rfc3339(*p->parse("2040-12-01 12:00:00", local)) == "2040-12-01T17:00:00Z");
    // A zone in the text wins over the record's.
    auto z = parse::time_pattern::compile("yyyy-MM-dd HH:mm:ss Z");
    REQUIRE(z.has_value());
    CHECK(core::format_rfc3339(*z->parse("2040-07-01 12:00:00 +0000", local)) ==
          "2040-07-01T12:00:00Z");
}

TEST_CASE("time pattern: a layout without a year takes the year of the receipt", "[parse][time]") {
    auto p = parse::time_pattern::compile("MMM dd HH:mm:ss");
    REQUIRE(p.has_value());
    const parse::local_time_config config; // year auto, UTC
    const core::peer_address nowhere;
    const std::int64_t received = (core::days_from_civil(2026, 12, 4) * 86400) * 1'000'000'000;
    const parse::local_time local(config, received, nowhere);
    CHECK(core::format_rfc3339(*p->parse("Mar 14 10:00:00", local)) == "2026-03-14T10:00:00Z");
    CHECK(core::format_rfc3339(*p->parse("Dec 24 10:00:00", local)) == "2025-12-24T10:00:00Z");
}
