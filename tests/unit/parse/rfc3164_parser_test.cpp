#include "core/civil_time.hpp"
#include "support/parse_helpers.hpp"

#include <catch2/catch.hpp>

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

TEST_CASE("rfc3164 year auto picks the year nearest to receipt", "[parse][rfc3164]") {
    // Received on 2027-01-01 00:05 UTC: a December line belongs to 2026.
    const std::int64_t received = utc_ns(2027, 1, 1, 0, 5, 0);
    auto december = parse_syslog("<13>Dec 31 23:59:00 host app: m", rfc3164_config{}, received);
    CHECK(december.time() == "2026-12-31T23:59:00Z");
    auto january = parse_syslog("<13>Jan  1 00:04:00 host app: m", rfc3164_config{}, received);
    CHECK(january.time() == "2027-01-01T00:04:00Z");
}

TEST_CASE("rfc3164 local times are converted with the configured zone", "[parse][rfc3164]") {
    rfc3164_config c = year(2026);
    c.zone = std::make_shared<vigil::core::time_zone>(*vigil::core::time_zone::load("+08:00"));
    auto r = parse_syslog("<13>Nov 21 08:00:00 host app: m", c);
    CHECK(r.time() == "2026-11-21T00:00:00Z");
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
