#include "core/civil_time.hpp"
#include "core/time_zone.hpp"

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <unistd.h>

using namespace vigil::core;

namespace {

// Seconds since 1970-01-01T00:00 of a wall-clock time (local or UTC: the same arithmetic).
std::int64_t at(std::int64_t y, unsigned m, unsigned d, int h, int mi, int s = 0) {
    return days_from_civil(y, m, d) * 86400 + h * 3600 + mi * 60 + s;
}

bool have_zoneinfo() {
    if (!std::filesystem::exists("/usr/share/zoneinfo/America/New_York")) {
        WARN("tzdata not installed; IANA zones cannot be read");
        return false;
    }
    return true;
}

// Sets an environment variable for the life of the object.
class scoped_env {
public:
    scoped_env(const char* name, const std::string& value) : name_(name) {
        if (const char* old = std::getenv(name)) {
            old_ = old;
        }
        ::setenv(name, value.c_str(), 1);
    }
    ~scoped_env() {
        if (old_) {
            ::setenv(name_, old_->c_str(), 1);
        } else {
            ::unsetenv(name_);
        }
    }
    scoped_env(const scoped_env&) = delete;
    scoped_env& operator=(const scoped_env&) = delete;

private:
    const char* name_;
    std::optional<std::string> old_;
};

} // namespace

TEST_CASE("fixed offsets convert local times to UTC", "[core][time-zone]") {
    auto plus8 = time_zone::load("+08:00");
    REQUIRE(plus8.has_value());
    CHECK(plus8->local_to_utc(at(2026, 11, 21, 8, 0)) == at(2026, 11, 21, 0, 0));
    CHECK(plus8->offset_at(at(2040, 7, 1, 0, 0)) == 8 * 3600);
    auto minus0530 = time_zone::load("-0530");
    REQUIRE(minus0530.has_value());
    CHECK(minus0530->local_to_utc(at(2026, 1, 1, 0, 0)) == at(2026, 1, 1, 5, 30));
    CHECK(minus0530->name() == "-0530");
    CHECK(time_zone::load("UTC")->local_to_utc(12345) == 12345);
    CHECK(time_zone::utc().offset_at(at(2026, 7, 1, 0, 0)) == 0);
}

TEST_CASE("time zone errors name the zone", "[core][time-zone]") {
    auto bad = time_zone::load("Mars/Olympus_Mons");
    REQUIRE_FALSE(bad.has_value());
    CHECK(bad.error() == "unknown time zone 'Mars/Olympus_Mons': use UTC, an offset such as "
                         "+08:00, local, or an IANA name such as Europe/Berlin");
    // Paths are not zone names, even when they lead to a zone file.
    CHECK_FALSE(time_zone::load("../../etc/passwd").has_value());
    CHECK_FALSE(time_zone::load("/usr/share/zoneinfo/Europe/Berlin").has_value());
    CHECK_FALSE(time_zone::load("").has_value());
    CHECK_FALSE(time_zone::load("+25:00").has_value());
    // A file of the zoneinfo folder that is not a zone.
    CHECK_FALSE(time_zone::load("zone.tab").has_value());
}

TEST_CASE("IANA zones follow daylight saving time", "[core][time-zone]") {
    if (!have_zoneinfo()) {
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

TEST_CASE("local is the zone of /etc/localtime", "[core][time-zone]") {
    auto local = time_zone::load("local");
    REQUIRE(local.has_value());
    CHECK(local->name() == "local");
    // Debian links /etc/localtime into the zoneinfo folder: the same zone by its name.
    std::error_code ec;
    const auto target = std::filesystem::read_symlink("/etc/localtime", ec);
    const std::string prefix = "/usr/share/zoneinfo/";
    if (ec || !target.string().starts_with(prefix)) {
        WARN("/etc/localtime is not a link into /usr/share/zoneinfo");
        return;
    }
    auto named = time_zone::load(target.string().substr(prefix.size()));
    REQUIRE(named.has_value());
    for (auto t : {at(2026, 1, 15, 12, 0), at(2026, 7, 15, 12, 0), at(2040, 7, 1, 12, 0)}) {
        CHECK(local->local_to_utc(t) == named->local_to_utc(t));
    }
}

// Debian 12's zoneinfo files are "fat": their explicit transitions end in 2037, and the POSIX
// rule in the file's footer (EST5EDT,M3.2.0,M11.1.0) governs later years. A reader that ignores
// the footer keeps EST for all of 2040.
TEST_CASE("New York in 2040 follows the rule in the TZif footer", "[core][time-zone]") {
    if (!have_zoneinfo()) {
        return;
    }
    auto ny = time_zone::load("America/New_York");
    REQUIRE(ny.has_value());
    // Winter (EST, UTC-5), then DST from 2040-03-11 02:00 to 2040-11-04 02:00 (EDT, UTC-4).
    CHECK(ny->local_to_utc(at(2040, 1, 15, 12, 0)) == at(2040, 1, 15, 17, 0));
    CHECK(ny->local_to_utc(at(2040, 3, 11, 1, 59, 59)) == at(2040, 3, 11, 6, 59, 59));
    CHECK(ny->local_to_utc(at(2040, 3, 11, 3, 0)) == at(2040, 3, 11, 7, 0));
    CHECK(ny->local_to_utc(at(2040, 7, 1, 12, 0)) == at(2040, 7, 1, 16, 0));
    CHECK(ny->local_to_utc(at(2040, 11, 4, 0, 59, 59)) == at(2040, 11, 4, 4, 59, 59));
    CHECK(ny->local_to_utc(at(2040, 11, 4, 2, 0)) == at(2040, 11, 4, 7, 0));
    CHECK(ny->local_to_utc(at(2040, 12, 25, 12, 0)) == at(2040, 12, 25, 17, 0));
    // The offset changes at the transition instants themselves.
    CHECK(ny->offset_at(at(2040, 3, 11, 6, 59, 59)) == -5 * 3600);
    CHECK(ny->offset_at(at(2040, 3, 11, 7, 0)) == -4 * 3600);
    CHECK(ny->offset_at(at(2040, 11, 4, 5, 59, 59)) == -4 * 3600);
    CHECK(ny->offset_at(at(2040, 11, 4, 6, 0)) == -5 * 3600);
}

TEST_CASE("a skipped local time is read with the offset before the change", "[core][time-zone]") {
    if (!have_zoneinfo()) {
        return;
    }
    auto ny = time_zone::load("America/New_York");
    REQUIRE(ny.has_value());
    // 2040-03-11 02:30 does not exist in New York (02:00 EST -> 03:00 EDT): read as EST, it is
    // 07:30 UTC, which is 03:30 EDT.
    CHECK(ny->local_to_utc(at(2040, 3, 11, 2, 30)) == at(2040, 3, 11, 7, 30));
    CHECK(ny->local_to_utc(at(2026, 3, 8, 2, 30)) == at(2026, 3, 8, 7, 30));
}

TEST_CASE("a repeated local time is the earlier instant", "[core][time-zone]") {
    if (!have_zoneinfo()) {
        return;
    }
    auto ny = time_zone::load("America/New_York");
    REQUIRE(ny.has_value());
    // 01:30 happens at 05:30 UTC (EDT) and again at 06:30 UTC (EST): the first one.
    CHECK(ny->local_to_utc(at(2040, 11, 4, 1, 30)) == at(2040, 11, 4, 5, 30));
    CHECK(ny->local_to_utc(at(2026, 11, 1, 1, 30)) == at(2026, 11, 1, 5, 30));
}

// A "slim" TZif file (zic -b slim) has no explicit transitions for a zone whose only rule is
// the current one: everything comes from the footer. It is read from TZDIR.
TEST_CASE("a slim TZif file from TZDIR follows its footer rule", "[core][time-zone]") {
    const auto dir =
        std::filesystem::temp_directory_path() / ("vigil-tz-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    {
        std::ofstream source(dir / "slim.zi");
        source << "Rule US 2007 max - Mar Sun>=8 2:00 1:00 D\n"
                  "Rule US 2007 max - Nov Sun>=1 2:00 0 S\n"
                  "Zone Vigil/Slim_New_York -5:00 US E%sT\n";
    }
    const std::string command =
        "zic -b slim -d '" + (dir / "zoneinfo").string() + "' '" + (dir / "slim.zi").string() + "'";
    if (std::system(command.c_str()) != 0) {
        std::filesystem::remove_all(dir);
        FAIL("zic (libc-bin) could not build the slim zone: " << command);
    }
    const auto file = dir / "zoneinfo" / "Vigil" / "Slim_New_York";
    REQUIRE(std::filesystem::exists(file));
    CHECK(std::filesystem::file_size(file) < 200); // slim: header, one type, the footer

    // (Abseil caches every zone it was asked for, found or not, for the life of the process: so
    // this name is asked for only once, with TZDIR set.)
    std::optional<time_zone> slim;
    {
        const scoped_env tzdir("TZDIR", (dir / "zoneinfo").string());
        auto loaded = time_zone::load("Vigil/Slim_New_York");
        REQUIRE(loaded.has_value());
        slim = *loaded;
    }
    std::filesystem::remove_all(dir);
    // 2026: DST from March 8 to November 1.
    CHECK(slim->local_to_utc(at(2026, 1, 15, 12, 0)) == at(2026, 1, 15, 17, 0));
    CHECK(slim->local_to_utc(at(2026, 3, 8, 1, 59, 59)) == at(2026, 3, 8, 6, 59, 59));
    CHECK(slim->local_to_utc(at(2026, 3, 8, 3, 0)) == at(2026, 3, 8, 7, 0));
    CHECK(slim->local_to_utc(at(2026, 7, 4, 12, 0)) == at(2026, 7, 4, 16, 0));
    CHECK(slim->local_to_utc(at(2026, 11, 1, 2, 0)) == at(2026, 11, 1, 7, 0));
    CHECK(slim->offset_at(at(2026, 7, 4, 16, 0)) == -4 * 3600);
    CHECK(slim->offset_at(at(2026, 12, 1, 0, 0)) == -5 * 3600);
}

TEST_CASE("zone abbreviations give their offsets", "[core][time-zone]") {
    CHECK(zone_abbreviation_offset("EDT") == -4 * 3600);
    CHECK(zone_abbreviation_offset("JST") == 9 * 3600);
    CHECK_FALSE(zone_abbreviation_offset("XYZ").has_value());
}
