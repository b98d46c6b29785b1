#include "support/parse_helpers.hpp"

#include <catch2/catch.hpp>

using vigil::parse::parse_error;
using vigil::test::parse_syslog;

namespace {
const std::string bom = "\xEF\xBB\xBF";
}

TEST_CASE("rfc5424 example 1: BOM message, nil procid", "[parse][rfc5424]") {
    auto r = parse_syslog("<34>1 2003-10-11T22:14:15.003Z mymachine.example.com su - ID47 - " +
                          bom + "'su root' failed for lonvick on /dev/pts/8");
    CHECK(r.error == parse_error::none);
    CHECK(r.parser == "rfc5424");
    CHECK(r.get("log.syslog.facility.code") == "4");
    CHECK(r.get("log.syslog.facility.name") == "auth");
    CHECK(r.get("log.syslog.severity.code") == "2");
    CHECK(r.get("log.syslog.severity.name") == "critical");
    CHECK(r.time() == "2003-10-11T22:14:15.003Z");
    CHECK(r.get("host.name") == "mymachine.example.com");
    CHECK(r.get("process.name") == "su");
    CHECK_FALSE(r.has("process.pid"));
    CHECK(r.get("log.syslog.msgid") == "ID47");
    CHECK_FALSE(r.has("log.syslog.structured_data"));
    CHECK(r.get("message") == "'su root' failed for lonvick on /dev/pts/8");
}

TEST_CASE("rfc5424 example 2: microseconds and a negative offset", "[parse][rfc5424]") {
    auto r = parse_syslog("<165>1 2003-08-24T05:14:15.000003-07:00 192.0.2.1 myproc 8710 - - "
                          "%% It's time to make the do-nuts.");
    CHECK(r.error == parse_error::none);
    CHECK(r.get("log.syslog.facility.name") == "local4");
    CHECK(r.get("log.syslog.severity.name") == "notice");
    CHECK(r.time() == "2003-08-24T12:14:15.000003Z");
    CHECK(r.get("host.name") == "192.0.2.1");
    CHECK(r.get("process.name") == "myproc");
    CHECK(r.get("process.pid") == "8710");
    CHECK_FALSE(r.has("log.syslog.msgid"));
    CHECK(r.get("message") == "%% It's time to make the do-nuts.");
}

TEST_CASE("rfc5424 example 3: structured data and a message", "[parse][rfc5424]") {
    auto r = parse_syslog("<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 "
                          "[exampleSDID@32473 iut=\"3\" eventSource=\"Application\" "
                          "eventID=\"1011\"] " +
                          bom + "An application event log entry...");
    CHECK(r.error == parse_error::none);
    CHECK(r.structured_data.at("exampleSDID@32473/iut") == "3");
    CHECK(r.structured_data.at("exampleSDID@32473/eventSource") == "Application");
    CHECK(r.structured_data.at("exampleSDID@32473/eventID") == "1011");
    CHECK(r.get("message") == "An application event log entry...");
}

TEST_CASE("rfc5424 example 4: two SD elements and no message", "[parse][rfc5424]") {
    auto r = parse_syslog("<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 "
                          "[exampleSDID@32473 iut=\"3\" eventSource=\"Application\" "
                          "eventID=\"1011\"][examplePriority@32473 class=\"high\"]");
    CHECK(r.error == parse_error::none);
    CHECK(r.structured_data.size() == 4);
    CHECK(r.structured_data.at("examplePriority@32473/class") == "high");
    CHECK(r.get("log.syslog.structured_data") ==
          "[exampleSDID@32473 iut=\"3\" eventSource=\"Application\" eventID=\"1011\"]"
          "[examplePriority@32473 class=\"high\"]");
    CHECK(r.get("message").empty());
}

TEST_CASE("rfc5424 unescapes quote, backslash and bracket in SD values", "[parse][rfc5424]") {
    auto r = parse_syslog(R"(<13>1 - h a - - [x@1 k="a\"b\\c\]d\e" j=""] msg)");
    CHECK(r.error == parse_error::none);
    CHECK(r.structured_data.at("x@1/k") == R"(a"b\c]d\e)");
    CHECK(r.structured_data.at("x@1/j").empty());
    CHECK(r.get("message") == "msg");
    CHECK_FALSE(r.time_ns.has_value());
}

TEST_CASE("rfc5424 with a nil timestamp and all nil header fields", "[parse][rfc5424]") {
    auto r = parse_syslog("<14>1 - - - - - - just the message");
    CHECK(r.error == parse_error::none);
    CHECK_FALSE(r.time_ns.has_value());
    CHECK_FALSE(r.has("host.name"));
    CHECK(r.get("message") == "just the message");
}

TEST_CASE("rfc5424 empty message after a space", "[parse][rfc5424]") {
    auto r = parse_syslog("<14>1 2026-11-21T10:00:00Z h a 1 m - ");
    CHECK(r.error == parse_error::none);
    CHECK(r.get("message").empty());
}

TEST_CASE("rfc5424 truncated header keeps the whole record as the message", "[parse][rfc5424]") {
    const std::string line = "<34>1 2003-10-11T22:14:15.003Z mymachine.example.com su";
    auto r = parse_syslog(line);
    CHECK(r.error == parse_error::truncated_header);
    CHECK(r.get("error.type") == "truncated_header");
    CHECK(r.get("message") == line);
    CHECK(r.get("event.original") == line);
    // What was read before the damage stays.
    CHECK(r.get("host.name") == "mymachine.example.com");
    CHECK(r.get("log.syslog.severity.code") == "2");
}

TEST_CASE("rfc5424 bad timestamp, version and structured data are reported", "[parse][rfc5424]") {
    CHECK(parse_syslog("<34>1 2003-13-11T22:14:15Z h a - - - m").error ==
          parse_error::bad_timestamp);
    CHECK(parse_syslog("<34>1 2003-02-29T22:14:15Z h a - - - m").error ==
          parse_error::bad_timestamp);
    CHECK(parse_syslog("<34>1 2003-10-11T22:14:15 h a - - - m").error ==
          parse_error::bad_timestamp);
    CHECK(parse_syslog("<34>2 2003-10-11T22:14:15Z h a - - - m").error == parse_error::bad_version);
    CHECK(parse_syslog("<34>1 - h a - - [x@1 k=\"v] m").error == parse_error::bad_structured_data);
    CHECK(parse_syslog("<34>1 - h a - - [x@1 k=v] m").error == parse_error::bad_structured_data);
    CHECK(parse_syslog("<34>1 - h a - - nosd m").error == parse_error::bad_structured_data);
    CHECK(parse_syslog("<34>1 - h a - - [x@1]m").error == parse_error::bad_structured_data);
}

TEST_CASE("rfc5424 invalid UTF-8 after a BOM is flagged but the message is kept",
          "[parse][rfc5424]") {
    auto r = parse_syslog("<34>1 - h a - - - " + bom + "bad \xFF\xFE bytes");
    CHECK(r.error == parse_error::invalid_utf8);
    CHECK(r.get("message") == "bad \xFF\xFE bytes");
    CHECK(r.get("host.name") == "h");
}

TEST_CASE("rfc5424 nanosecond fractions and lowercase separators are accepted",
          "[parse][rfc5424]") {
    auto r = parse_syslog("<34>1 2026-11-21t10:00:00.123456789z h a - - - m");
    CHECK(r.error == parse_error::none);
    CHECK(r.time() == "2026-11-21T10:00:00.123456789Z");
}

TEST_CASE("rfc5424 a 1 MiB message with structured data parses in full", "[parse][rfc5424]") {
    const std::string body(1024 * 1024, 'm');
    auto r = parse_syslog("<14>1 2026-11-21T10:00:00Z h a 1 m [x@1 k=\"v\"] " + body);
    CHECK(r.error == parse_error::none);
    CHECK(r.get("message").size() == body.size());
    CHECK(r.structured_data.at("x@1/k") == "v");
}
