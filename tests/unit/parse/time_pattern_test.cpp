#include "core/civil_time.hpp"
#include "parse/time_pattern.hpp"

#include <catch2/catch.hpp>
#include <string>

using namespace vigil;

namespace {

std::string read(std::string_view pattern, std::string_view text, std::int64_t year = 1970) {
    auto p = parse::time_pattern::compile(pattern);
    REQUIRE(p.has_value());
    auto ns = p->parse(text, year);
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
