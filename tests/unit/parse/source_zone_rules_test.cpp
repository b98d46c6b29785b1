// Per-source and per-listener time zones (issue 12): time.zones rules matched per record by the
// sender's address or the host name the record carries, ahead of the listener's zone.

#include "core/civil_time.hpp"
#include "parse/record_parser.hpp"
#include "parse/source_zone_rules.hpp"
#include "support/record_helpers.hpp"

#include <arpa/inet.h>
#include <catch2/catch.hpp>
#include <memory>
#include <string>

using namespace vigil;

namespace {

std::shared_ptr<const core::time_zone> zone(std::string_view name) {
    auto z = core::time_zone::load(name);
    REQUIRE(z.has_value());
    return std::make_shared<const core::time_zone>(*z);
}

core::peer_address peer(const std::string& address) {
    core::peer_address p;
    p.known = true;
    p.port = 514;
    if (inet_pton(AF_INET, address.c_str(), p.bytes.data()) == 1) {
        return p;
    }
    p.is_v6 = true;
    REQUIRE(inet_pton(AF_INET6, address.c_str(), p.bytes.data()) == 1);
    return p;
}

std::int64_t utc_ns(std::int64_t y, unsigned m, unsigned d, int h, int mi, int s) {
    return (core::days_from_civil(y, m, d) * 86400 + h * 3600 + mi * 60 + s) * 1'000'000'000;
}

// Parses `text` as a worker would for a record from `from`, and returns its event time.
std::string time_of(std::string_view text, const parse::record_parser_config& config,
                    const core::peer_address& from) {
    const auto& schema = test::shipped_parse_schema();
    core::arena scratch;
    core::event e;
    const std::string copy(text);
    // Received late that day: every reading below is in the past, so none changes the year.
    const core::raw_record record{copy, core::source_kind::syslog_udp,
                                  utc_ns(2026, 11, 21, 23, 0, 0), from};
    parse::record_parser parser(config);
    (void)parser.parse(record, schema.mappings, schema.catalog, parse::field_projection{}, e,
                       scratch);
    return e.time_ns ? core::format_rfc3339(*e.time_ns) : "<none>";
}

// Listener zone +02:00; 192.0.2.0/24 and 2001:db8::/32 in Tokyo (+09:00, no DST); hosts
// fw-ny-* in New York (EST in November, -05:00).
parse::record_parser_config configured() {
    auto rules = std::make_shared<parse::source_zone_rules>();
    REQUIRE(rules->add_network("192.0.2.0/24", zone("Asia/Tokyo")).empty());
    REQUIRE(rules->add_network("2001:db8::/32", zone("Asia/Tokyo")).empty());
    REQUIRE(rules->add_host("fw-ny-*", zone("America/New_York")).empty());
    parse::record_parser_config c;
    c.rfc3164.zone = zone("+02:00");
    c.rfc3164.source_zones = rules;
    return c;
}

} // namespace

TEST_CASE("source zones: the sender's network picks the zone", "[parse][time-zone]") {
    const auto c = configured();
    const std::string line = "<13>Nov 21 10:00:00 web1 app: m";
    CHECK(time_of(line, c, peer("192.0.2.7")) == "2026-11-21T01:00:00Z");
    CHECK(time_of(line, c, peer("2001:db8:5::1")) == "2026-11-21T01:00:00Z");
    // An IPv4 sender seen through an IPv6 socket (::ffff:192.0.2.7) is the same sender.
    CHECK(time_of(line, c, peer("::ffff:192.0.2.7")) == "2026-11-21T01:00:00Z");
}

TEST_CASE("source zones: the host name picks the zone", "[parse][time-zone]") {
    const auto c = configured();
    // Host names compare without regard to case.
    CHECK(time_of("<13>Nov 21 10:00:00 FW-NY-01 app: m", c, peer("198.51.100.1")) ==
          "2026-11-21T15:00:00Z");
    // A vendor mapping's zone-less time format (FortiGate's date= time=) too, with the host name
    // the mapping gives the event (devname).
    CHECK(time_of("<189>Nov 21 10:00:00 relay1 date=2026-11-21 time=10:00:00 devname=\"FW-NY-2\" "
                  "devid=\"FG100E\" logid=\"0000000013\" type=\"traffic\" subtype=\"forward\" "
                  "srcip=10.0.0.1",
                  c, peer("198.51.100.1")) == "2026-11-21T15:00:00Z");
    // A LEEF devTime without a zone.
    CHECK(time_of("<13>Nov 21 10:00:00 fw-ny-03 LEEF:2.0|V|P|1|42|^|devTime=2026-11-21 "
                  "09:00:00^devTimeFormat=yyyy-MM-dd HH:mm:ss",
                  c, peer("198.51.100.1")) == "2026-11-21T14:00:00Z");
}

TEST_CASE("source zones: otherwise the listener's zone applies", "[parse][time-zone]") {
    const auto c = configured();
    CHECK(time_of("<13>Nov 21 10:00:00 web1 app: m", c, peer("198.51.100.1")) ==
          "2026-11-21T08:00:00Z");
    // An unknown sender and no host: the listener's zone.
    CHECK(time_of("<13>Nov 21 10:00:00 app: m", c, core::peer_address{}) == "2026-11-21T08:00:00Z");
    // A time that names its zone keeps it.
    CHECK(time_of("<13>Nov 21 10:00:00 UTC fw-ny-01 app: m", c, peer("192.0.2.7")) ==
          "2026-11-21T10:00:00Z");
}

TEST_CASE("source zones: the first matching rule wins", "[parse][time-zone]") {
    auto rules = std::make_shared<parse::source_zone_rules>();
    REQUIRE(rules->add_host("fw-*", zone("America/New_York")).empty());
    REQUIRE(rules->add_network("192.0.2.0/24", zone("Asia/Tokyo")).empty());
    parse::record_parser_config c;
    c.rfc3164.source_zones = rules;
    CHECK(time_of("<13>Nov 21 10:00:00 fw-1 app: m", c, peer("192.0.2.7")) ==
          "2026-11-21T15:00:00Z");
    CHECK(time_of("<13>Nov 21 10:00:00 web-1 app: m", c, peer("192.0.2.7")) ==
          "2026-11-21T01:00:00Z");
}

TEST_CASE("source zones: networks are read as routers read them", "[parse][time-zone]") {
    parse::source_zone_rules rules;
    const auto tokyo = zone("Asia/Tokyo");
    // Host bits are ignored: 10.1.2.3/8 is 10.0.0.0/8.
    REQUIRE(rules.add_network("10.1.2.3/8", tokyo).empty());
    REQUIRE(rules.add_network("172.16.0.5", tokyo).empty()); // one address
    CHECK(rules.find(peer("10.200.0.1"), "") == tokyo.get());
    CHECK(rules.find(peer("11.0.0.1"), "") == nullptr);
    CHECK(rules.find(peer("172.16.0.5"), "") == tokyo.get());
    CHECK(rules.find(peer("172.16.0.6"), "") == nullptr);
    CHECK_FALSE(rules.tests_hosts());
    for (const char* bad :
         {"10.0.0.0/33", "10.0.0/8", "2001:db8::/129", "fw-*", "10.0.0.0/", "10.0.0.0/x"}) {
        INFO(bad);
        CHECK(rules.add_network(bad, tokyo) ==
              "'" + std::string(bad) +
                  "' is not an address or a network such as 10.0.0.0/8 or 2001:db8::/32");
    }
    CHECK(rules.add_host("", tokyo) == "a host pattern must not be empty");
}

TEST_CASE("source zones: host globs", "[parse][time-zone]") {
    using parse::host_glob_matches;
    CHECK(host_glob_matches("fw-*", "FW-01"));
    CHECK(host_glob_matches("*.nyc.example.com", "edge1.nyc.example.com"));
    CHECK_FALSE(host_glob_matches("*.nyc.example.com", "nyc.example.com"));
    CHECK(host_glob_matches("sw?", "sw1"));
    CHECK_FALSE(host_glob_matches("sw?", "sw12"));
    CHECK(host_glob_matches("*", "anything"));
    CHECK(host_glob_matches("a*b*c", "aXXbYYc"));
    CHECK_FALSE(host_glob_matches("a*b*c", "aXXbYY"));
    // Many stars against a long name stay fast (no exponential backtracking).
    CHECK_FALSE(host_glob_matches("*a*a*a*a*a*a*a*a*b", std::string(2000, 'a')));
}
