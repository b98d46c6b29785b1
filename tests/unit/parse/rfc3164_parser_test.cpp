#include "core/civil_time.hpp"
#include "core/time_zone.hpp"
#include "parse/local_time.hpp"
#include "support/parse_helpers.hpp"

#include <catch2/catch.hpp>
#include <vector>

using vigil::parse::parse_error;
using vigil::parse::rfc3164_config;
using vigil::test::parse_syslog;

namespace {
std::int64_t utc_ns(std::int64_t y, unsigned m, unsigned d, int h, int mi, int s) {
    return (vigil::core::days_from_civil(y, m, d) * 86400 + h * 3600 + mi * 60 + s) * 1'000'000'000;
}
rfc3164_config year(std::int64_t y) {
    rfc3164_config c;
    c.year = y;
    return c;
}
} // namespace

TEST_CASE("rfc3164 reads timestamp, host, tag, pid and message", "[parse][rfc3164]") {
    auto r = parse_syslog(
        "<38>Nov 21 10:02:11 bastion sshd[24200]: Invalid user admin from 203.0.113.7", year(2026));
    CHECK(r.error == parse_error::none);
    CHECK(r.parser == "rfc3164");
    CHECK(r.get("log.syslog.facility.name") == "auth");
    CHECK(r.get("log.syslog.severity.name") == "informational");
    CHECK(r.time() == "2026-11-21T10:02:11Z");
    CHECK(r.get("host.name") == "bastion");
    CHECK(r.get("process.name") == "sshd");
    CHECK(r.get("process.pid") == "24200");
    CHECK(r.get("message") == "Invalid user admin from 203.0.113.7");
}

TEST_CASE("rfc3164 as util-linux logger sends it", "[parse][rfc3164]") {
    auto r = parse_syslog("<13>Nov 21 11:31:20 vm root: hello token2", year(2026));
    CHECK(r.get("host.name") == "vm");
    CHECK(r.get("process.name") == "root");
    CHECK_FALSE(r.has("process.pid"));
    CHECK(r.get("message") == "hello token2");
}

TEST_CASE("rfc3164 space-padded day and a tag with parentheses", "[parse][rfc3164]") {
    auto r = parse_syslog(
        "<86>Jun  4 15:16:01 combo sshd(pam_unix)[19939]: check pass; user unknown", year(2005));
    CHECK(r.time() == "2005-06-04T15:16:01Z");
    CHECK(r.get("process.name") == "sshd(pam_unix)");
    CHECK(r.get("process.pid") == "19939");
    CHECK(r.get("message") == "check pass; user unknown");
}

TEST_CASE("rfc3164 without PRI parses the header and leaves priority fields out",
          "[parse][rfc3164]") {
    auto r = parse_syslog("Dec 10 06:55:46 LabSZ sshd[24200]: reverse mapping checking getaddrinfo",
                          year(2017));
    CHECK(r.error == parse_error::none);
    CHECK_FALSE(r.has("log.syslog.priority"));
    CHECK(r.time() == "2017-12-10T06:55:46Z");
    CHECK(r.get("host.name") == "LabSZ");
    CHECK(r.get("process.pid") == "24200");
}

TEST_CASE("rfc3164 PRI above 191 is an error and the record is kept whole", "[parse][rfc3164]") {
    const std::string line = "<192>Nov 21 10:00:00 host app: message";
    auto r = parse_syslog(line);
    CHECK(r.error == parse_error::pri_out_of_range);
    CHECK(r.get("error.type") == "pri_out_of_range");
    CHECK(r.get("message") == line);
    CHECK(r.get("event.original") == line);
    CHECK(parse_syslog("<191>Nov 21 10:00:00 host app: m").error == parse_error::none);
}

TEST_CASE("rfc3164 malformed PRI is an error", "[parse][rfc3164]") {
    CHECK(parse_syslog("<>Nov 21 10:00:00 host app: m").error == parse_error::bad_pri);
    CHECK(parse_syslog("<1x>Nov 21 10:00:00 host app: m").error == parse_error::bad_pri);
    CHECK(parse_syslog("<1234>Nov 21 10:00:00 host app: m").error == parse_error::bad_pri);
    CHECK(parse_syslog("<13").error == parse_error::bad_pri);
}

TEST_CASE("rfc3164 truncated and damaged timestamps", "[parse][rfc3164]") {
    CHECK(parse_syslog("<13>Nov 21 10:0").error == parse_error::truncated_header);
    CHECK(parse_syslog("<13>Nov 21 25:00:00 host app: m").error == parse_error::bad_timestamp);
    CHECK(parse_syslog("<13>Feb 29 10:00:00 host app: m", year(2025)).error ==
          parse_error::bad_timestamp);
    CHECK(parse_syslog("<13>Feb 29 10:00:00 host app: m", year(2024)).error == parse_error::none);
}

TEST_CASE("rfc3164 record without a timestamp is all message", "[parse][rfc3164]") {
    auto r = parse_syslog("<13>something happened here");
    CHECK(r.error == parse_error::none);
    CHECK(r.get("message") == "something happened here");
    CHECK_FALSE(r.time_ns.has_value());
}

TEST_CASE("an empty record becomes an event with a reason", "[parse][rfc3164]") {
    auto r = parse_syslog("");
    CHECK(r.error == parse_error::empty_record);
    CHECK(r.get("message").empty());
    CHECK(r.get("error.type") == "empty_record");
    CHECK(parse_syslog("\r\n").error == parse_error::empty_record);
}

TEST_CASE("rfc3164 empty message after the tag", "[parse][rfc3164]") {
    auto r = parse_syslog("<13>Nov 21 10:00:00 host app:");
    CHECK(r.error == parse_error::none);
    CHECK(r.get("process.name") == "app");
    CHECK(r.get("message").empty());
}

TEST_CASE("rfc3164 invalid UTF-8 passes through unchanged", "[parse][rfc3164]") {
    auto r = parse_syslog("<13>Nov 21 10:00:00 host app: bad \xC3\x28 \xFF bytes");
    CHECK(r.error == parse_error::none);
    CHECK(r.get("message") == "bad \xC3\x28 \xFF bytes");
}

TEST_CASE("rfc3164 a 1 MiB message parses in full", "[parse][rfc3164]") {
    const std::string body(1024 * 1024, 'a');
    auto r = parse_syslog("<13>Nov 21 10:00:00 host app: " + body);
    CHECK(r.error == parse_error::none);
    CHECK(r.get("message").size() == body.size());
}

TEST_CASE("rfc3164 year auto: every month received in every month", "[parse][rfc3164]") {
    // A record of month m, day 15, 12:00 received in month r, day 15, 12:00 (UTC): of the
    // candidate years, the latest not in the future. The same month is this year (the times are
    // equal); an earlier month this year, a later one last year.
    static constexpr const char* names[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    const std::int64_t receipt_year = 2027;
    int checked = 0;
    for (unsigned r = 1; r <= 12; ++r) {
        const std::int64_t received = utc_ns(receipt_year, r, 15, 12, 0, 0);
        for (unsigned m = 1; m <= 12; ++m) {
            const std::string line =
                std::string("<13>") + names[m - 1] + " 15 12:00:00 host app: m";
            const std::int64_t expected_year = m <= r ? receipt_year : receipt_year - 1;
            auto parsed = parse_syslog(line, rfc3164_config{}, received);
            INFO("record month " << m << ", received in month " << r);
            CHECK(parsed.error == parse_error::none);
            CHECK(parsed.time_ns == utc_ns(expected_year, m, 15, 12, 0, 0));
            ++checked;
        }
    }
    CHECK(checked == 144);
}

TEST_CASE("rfc3164 year auto around New Year", "[parse][rfc3164]") {
    // Sent just before midnight, received just after: last year.
    auto december = parse_syslog("<13>Dec 31 23:59:50 host app: m", rfc3164_config{},
                                 utc_ns(2027, 1, 1, 0, 0, 5));
    CHECK(december.time() == "2026-12-31T23:59:50Z");
    // The sender's clock is 11 s ahead of ours, within the skew: next year.
    auto january = parse_syslog("<13>Jan  1 00:00:10 host app: m", rfc3164_config{},
                                utc_ns(2026, 12, 31, 23, 59, 59));
    CHECK(january.time() == "2027-01-01T00:00:10Z");
    // Months ahead of the receipt is never the future: "Mar 14" received in December is this
    // year's March.
    auto march = parse_syslog("<13>Mar 14 08:00:00 host app: m", rfc3164_config{},
                              utc_ns(2026, 12, 4, 9, 0, 0));
    CHECK(march.time() == "2026-03-14T08:00:00Z");
}

TEST_CASE("rfc3164 year auto allows max_future_skew ahead of the receipt", "[parse][rfc3164]") {
    const std::int64_t received = utc_ns(2026, 6, 1, 12, 0, 0);
    // Default skew 5 minutes: 12:05:00 is still this year, 12:05:01 is last year's.
    CHECK(parse_syslog("<13>Jun  1 12:05:00 host app: m", rfc3164_config{}, received).time() ==
          "2026-06-01T12:05:00Z");
    CHECK(parse_syslog("<13>Jun  1 12:05:01 host app: m", rfc3164_config{}, received).time() ==
          "2025-06-01T12:05:01Z");
    // With no skew allowed, New Year's line 11 s ahead belongs to the year that is ending.
    rfc3164_config strict;
    strict.max_future_skew_ns = 0;
    CHECK(parse_syslog("<13>Jan  1 00:00:10 host app: m", strict, utc_ns(2026, 12, 31, 23, 59, 59))
              .time() == "2026-01-01T00:00:10Z");
    // An hour's skew lets an hour-ahead clock stay in this year.
    rfc3164_config lenient;
    lenient.max_future_skew_ns = 3600LL * 1'000'000'000;
    CHECK(parse_syslog("<13>Jun  1 12:59:00 host app: m", lenient, received).time() ==
          "2026-06-01T12:59:00Z");
}

TEST_CASE("rfc3164 year auto places Feb 29 in the latest leap year not in the future",
          "[parse][rfc3164]") {
    // Received in a leap year after Feb 29: that year.
    CHECK(parse_syslog("<13>Feb 29 10:00:00 host app: m", rfc3164_config{},
                       utc_ns(2028, 3, 1, 0, 0, 0))
              .time() == "2028-02-29T10:00:00Z");
    // Received in a leap year before Feb 29: the leap year before.
    CHECK(parse_syslog("<13>Feb 29 10:00:00 host app: m", rfc3164_config{},
                       utc_ns(2028, 2, 28, 12, 0, 0))
              .time() == "2024-02-29T10:00:00Z");
    // Received in a common year: the last leap year, even when more than a year back.
    CHECK(parse_syslog("<13>Feb 29 10:00:00 host app: m", rfc3164_config{},
                       utc_ns(2027, 6, 1, 0, 0, 0))
              .time() == "2024-02-29T10:00:00Z");
}

TEST_CASE("rfc3164 a configured year wins over the receipt", "[parse][rfc3164]") {
    const std::int64_t received = utc_ns(2026, 1, 1, 0, 0, 0);
    CHECK(parse_syslog("<13>Dec 31 23:00:00 host app: m", year(2017), received).time() ==
          "2017-12-31T23:00:00Z");
    // A date that year does not have is a bad timestamp, not another year.
    auto feb29 = parse_syslog("<13>Feb 29 10:00:00 host app: m", year(2026), received);
    CHECK(feb29.error == parse_error::bad_timestamp);
}

TEST_CASE("rfc3164 year auto works in the sender's zone", "[parse][rfc3164]") {
    // 23:00 on Dec 31 in New York is 04:00 UTC on Jan 1; received at 04:30 UTC, it is the
    // December just ended.
    rfc3164_config c;
    c.zone =
        std::make_shared<vigil::core::time_zone>(*vigil::core::time_zone::load("America/New_York"));
    auto r = parse_syslog("<13>Dec 31 23:00:00 host app: m", c, utc_ns(2027, 1, 1, 4, 30, 0));
    CHECK(r.time() == "2027-01-01T04:00:00Z");
}

TEST_CASE("rfc3164 local times are converted with the configured zone", "[parse][rfc3164]") {
    rfc3164_config c = year(2026);
    c.zone = std::make_shared<vigil::core::time_zone>(*vigil::core::time_zone::load("+08:00"));
    auto r = parse_syslog("<13>Nov 21 08:00:00 host app: m", c);
    CHECK(r.time() == "2026-11-21T00:00:00Z");
}

TEST_CASE("rfc3164 headers with ISO 8601 timestamps and no PRI", "[parse][rfc3164]") {
    // macOS and file forwarders: a space between date and time, an offset without a colon.
    auto mac = parse_syslog("2020-03-24 08:38:42.344447-0700 mbp sshd[2519]: Failed password for "
                            "root from 192.0.2.10 port 51234 ssh2",
                            year(2026));
    CHECK(mac.error == parse_error::none);
    CHECK(mac.time() == "2020-03-24T15:38:42.344447Z");
    CHECK(mac.get("host.name") == "mbp");
    CHECK(mac.get("process.name") == "sshd");
    CHECK(mac.get("process.pid") == "2519");
    CHECK(mac.get("message") == "Failed password for root from 192.0.2.10 port 51234 ssh2");
    CHECK_FALSE(mac.has("log.syslog.priority"));

    // No zone: the listener's, as for BSD timestamps.
    rfc3164_config c = year(2026);
    c.zone = std::make_shared<vigil::core::time_zone>(*vigil::core::time_zone::load("+08:00"));
    auto local =
        parse_syslog("2021-06-01 10:00:00 web01 sudo: alice : TTY=pts/0 ; COMMAND=/bin/id", c);
    CHECK(local.time() == "2021-06-01T02:00:00Z");
    CHECK(local.get("host.name") == "web01");
    CHECK(local.get("process.name") == "sudo");
    CHECK(local.get("message") == "alice : TTY=pts/0 ; COMMAND=/bin/id");

    // A local logger's line has no host.
    auto no_host =
        parse_syslog("2021-06-01 10:00:00 cron[311]: (root) CMD (run-parts)", year(2026));
    CHECK_FALSE(no_host.has("host.name"));
    CHECK(no_host.get("process.name") == "cron");

    // An application log with a local time and no header stays one message (Windows CBS).
    auto cbs =
        parse_syslog("2016-09-28 04:30:30, Info CBS Loaded Servicing Stack v6.1", year(2026));
    CHECK(cbs.time() == "2016-09-28T04:30:30Z");
    CHECK_FALSE(cbs.has("host.name"));
    CHECK(cbs.get("message") == "2016-09-28 04:30:30, Info CBS Loaded Servicing Stack v6.1");
}

TEST_CASE("rfc3164 record from a local logger has no hostname", "[parse][rfc3164]") {
    auto r = parse_syslog("<13>Nov 21 10:00:00 cron[311]: (root) CMD (run-parts)", year(2026));
    CHECK_FALSE(r.has("host.name"));
    CHECK(r.get("process.name") == "cron");
    CHECK(r.get("message") == "(root) CMD (run-parts)");
}

TEST_CASE("rfc3164 network device variants", "[parse][rfc3164]") {
    // Cisco ASA: year in the timestamp and a colon after it, no host.
    auto asa =
        parse_syslog("<166>Apr 15 2013 09:36:50: %ASA-4-106023: Deny tcp src dmz:10.1.2.30/63016");
    CHECK(asa.error == parse_error::none);
    CHECK(asa.time() == "2013-04-15T09:36:50Z");
    CHECK(asa.get("process.name") == "%ASA-4-106023");
    // Host followed by " : ".
    auto host =
        parse_syslog("<166>Apr 24 2013 16:00:28 INT-FW01 : %ASA-6-106100: access-list inside");
    CHECK(host.get("host.name") == "INT-FW01");
    CHECK(host.get("process.name") == "%ASA-6-106100");
    // RFC 3339 timestamp in a BSD-style record.
    auto iso = parse_syslog("<6>2021-03-12T14:10:18Z Hostname kernel: [wan-lan]IN=eth0 OUT=");
    CHECK(iso.time() == "2021-03-12T14:10:18Z");
    CHECK(iso.get("host.name") == "Hostname");
    CHECK(iso.get("process.name") == "kernel");
    CHECK(iso.get("message") == "[wan-lan]IN=eth0 OUT=");
    // A fraction of a second.
    auto frac = parse_syslog("<13>Nov 21 10:00:00.250 host app: m", year(2026));
    CHECK(frac.time() == "2026-11-21T10:00:00.250Z");
}

TEST_CASE("rfc3164 an IPv6 address as the hostname", "[parse][rfc3164]") {
    auto r = parse_syslog("<13>Nov 21 10:00:00 2001:db8::1 sshd[42]: Failed password for root",
                          year(2026));
    CHECK(r.get("host.name") == "2001:db8::1");
    CHECK(r.get("process.name") == "sshd");
    CHECK(r.get("process.pid") == "42");
    CHECK(r.get("message") == "Failed password for root");
}

TEST_CASE("rfc3164 Feb 29 far from the receipt still finds its leap year", "[parse][rfc3164]") {
    // Received 2024-09-01: Feb 29 is more than half a year back, and 2025 has no Feb 29.
    auto r = parse_syslog("<13>Feb 29 10:00:00 host app: m", rfc3164_config{},
                          utc_ns(2024, 9, 1, 0, 0, 0));
    CHECK(r.error == parse_error::none);
    CHECK(r.time() == "2024-02-29T10:00:00Z");
}
TEST_CASE("rfc3164 year auto: repeated dates give what the definition gives", "[parse][rfc3164]") {
    // place_in_year remembers the last date it placed on a thread. Check it against the
    // definition (the latest year, from next year down, whose time is at most the skew after
    // the receipt) over streams of records that repeat dates, cross midnight and New Year, in
    // fixed offsets up to +-14 h and in a zone with daylight saving.
    std::vector<vigil::core::time_zone> zones;
    for (const char* spec : {"America/New_York", "+14:00", "-12:00", "UTC"}) {
        auto z = vigil::core::time_zone::load(spec);
        REQUIRE(z);
        zones.push_back(*z);
    }
    const std::int64_t skew = vigil::parse::default_max_future_skew_ns;
    auto defined = [&](unsigned m, unsigned d, std::int64_t sod, std::int64_t received,
                       const vigil::core::time_zone& z) -> std::optional<std::int64_t> {
        const std::int64_t receipt_year =
            vigil::core::civil_from_days(received / 86'400'000'000'000).year;
        for (std::int64_t y = receipt_year + 1; y >= receipt_year - 8; --y) {
            if (d > vigil::core::days_in_month(y, m)) {
                continue;
            }
            const std::int64_t local = vigil::core::days_from_civil(y, m, d) * 86400 + sod;
            const std::int64_t ns = z.local_to_utc(local) * 1'000'000'000;
            if (ns <= received + skew) {
                return ns;
            }
        }
        return std::nullopt;
    };
    std::uint64_t state = 12345;
    auto next = [&](std::uint64_t n) {
        state = state * 6364136223846793005ULL + 1442695040888963407ULL;
        return (state >> 33) % n;
    };
    const std::int64_t starts[] = {utc_ns(2026, 12, 31, 23, 0, 0), utc_ns(2027, 3, 14, 5, 0, 0),
                                   utc_ns(2028, 2, 29, 23, 50, 0), utc_ns(2026, 11, 1, 4, 0, 0)};
    std::size_t checked = 0;
    for (const auto& zone : zones) {
        const vigil::core::time_zone* z = &zone;
        for (const std::int64_t start : starts) {
            std::int64_t received = start;
            unsigned m = 12;
            unsigned d = 31;
            for (int i = 0; i < 2000; ++i) {
                received += static_cast<std::int64_t>(next(120)) * 1'000'000'000; // 0-2 min
                if (next(10) == 0) { // a new date now and then, near the receipt or anywhere
                    const auto civil = vigil::core::civil_from_days(
                        received / 86'400'000'000'000 - static_cast<std::int64_t>(next(3)) + 1);
                    m = next(4) == 0 ? static_cast<unsigned>(next(12) + 1) : civil.month;
                    d = next(4) == 0 ? static_cast<unsigned>(next(31) + 1) : civil.day;
                }
                const std::int64_t sod = static_cast<std::int64_t>(next(86400));
                const auto placed = vigil::parse::place_in_year(m, d, sod, 0, received, skew, z);
                const auto expected = defined(m, d, sod, received, *z);
                INFO(zone.name() << ": month " << m << " day " << d << " second " << sod
                                 << " received " << vigil::core::format_rfc3339(received)
                                 << " placed "
                                 << (placed ? vigil::core::format_rfc3339(*placed) : "none")
                                 << " expected "
                                 << (expected ? vigil::core::format_rfc3339(*expected) : "none"));
                REQUIRE(placed == expected);
                ++checked;
            }
        }
    }
    CHECK(checked == 32000);
}
