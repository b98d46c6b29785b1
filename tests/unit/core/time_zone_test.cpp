#include "core/civil_time.hpp"
#include "core/time_zone.hpp"

#include <catch2/catch.hpp>
#include <filesystem>

using namespace vigil::core;

namespace {
std::int64_t at(std::int64_t y, unsigned m, unsigned d, int h, int mi) {
    return days_from_civil(y, m, d) * 86400 + h * 3600 + mi * 60;
}
} // namespace

TEST_CASE("fixed offsets convert local times to UTC", "[core][time-zone]") {
    auto plus8 = time_zone::load("+08:00");
    REQUIRE(plus8.has_value());
    CHECK(plus8->local_to_utc(at(2026, 11, 21, 8, 0)) == at(2026, 11, 21, 0, 0));
    auto minus0530 = time_zone::load("-0530");
    REQUIRE(minus0530.has_value());
    CHECK(minus0530->local_to_utc(at(2026, 1, 1, 0, 0)) == at(2026, 1, 1, 5, 30));
    CHECK(time_zone::load("UTC")->local_to_utc(12345) == 12345);
}

TEST_CASE("time zone errors name the zone", "[core][time-zone]") {
    auto bad = time_zone::load("Mars/Olympus_Mons");
    REQUIRE_FALSE(bad.has_value());
    CHECK(bad.error().find("Mars/Olympus_Mons") != std::string::npos);
    CHECK_FALSE(time_zone::load("../../etc/passwd").has_value());
    CHECK_FALSE(time_zone::from_tzif("x", "not a tzif file").has_value());
}

TEST_CASE("IANA zones follow daylight saving time", "[core][time-zone]") {
    if (!std::filesystem::exists("/usr/share/zoneinfo/Europe/Berlin")) {
        WARN("tzdata not installed; IANA zones cannot be read");
        return;
    }
    auto berlin = time_zone::load("Europe/Berlin");
    REQUIRE(berlin.has_value());
    // Winter: UTC+1. Summer: UTC+2.
    CHECK(berlin->local_to_utc(at(2026, 1, 15, 12, 0)) == at(2026, 1, 15, 11, 0));
    CHECK(berlin->local_to_utc(at(2026, 7, 15, 12, 0)) == at(2026, 7, 15, 10, 0));
    CHECK(berlin->offset_at(at(2026, 7, 15, 10, 0)) == 7200);
    auto shanghai = time_zone::load("Asia/Shanghai");
    REQUIRE(shanghai.has_value());
    CHECK(shanghai->local_to_utc(at(2026, 7, 15, 8, 0)) == at(2026, 7, 15, 0, 0));
}
