// The record parser: format detection, payloads inside syslog, mappings, and the malformed
// inputs every parser must survive with a reason.

#include "parse/envelope.hpp"
#include "support/record_helpers.hpp"

#include <catch2/catch.hpp>
#include <string>

using namespace vigil;
using parse::parse_error;
using parse::record_format;
using test::parse_record;

namespace {

parse::record_parser_config format(record_format f) {
    parse::record_parser_config c;
    c.format = f;
    return c;
}

} // namespace

TEST_CASE("record parser: formats are detected per record", "[parse][record]") {
    CHECK(parse_record(R"({"message":"hi"})").parser == "json");
    CHECK(parse_record("CEF:0|v|p|1|1|n|5|src=10.0.0.1").parser == "cef");
    CHECK(parse_record("LEEF:1.0|v|p|1|1|src=10.0.0.1").parser == "leef");
    CHECK(parse_record("<13>Nov 21 10:00:00 host app: hello").parser == "rfc3164");
    CHECK(parse_record("<13>1 2026-11-21T10:00:00Z host app - - - hello").parser == "rfc5424");
    CHECK(parse_record("plain text without header").parser == "rfc3164");
}

TEST_CASE("record parser: CEF inside syslog, with the common prefixes", "[parse][record][cef]") {
    for (const std::string line :
         {"<134>Nov 21 10:00:00 fw1 CEF:0|Vendor|Product|1.0|100|Blocked|7|src=10.0.0.1 "
          "dst=10.0.0.2",
          "<134>Nov 21 10:00:00 fw1 ArcSight: CEF:0|Vendor|Product|1.0|100|Blocked|7|src=10.0.0.1 "
          "dst=10.0.0.2",
          "<134>1 2026-11-21T10:00:00Z fw1 cef - - - CEF:0|Vendor|Product|1.0|100|Blocked|7|"
          "src=10.0.0.1 dst=10.0.0.2",
          "Nov 21 10:00:00 fw1 CEF:0|Vendor|Product|1.0|100|Blocked|7|src=10.0.0.1 dst=10.0.0.2"}) {
        INFO(line);
        auto r = parse_record(line, test::with_year(2026));
        CHECK(r.error == parse_error::none);
        CHECK(r.parser == "cef");
        CHECK(r.get("host.name") == "fw1");
        CHECK(r.time() == "2026-11-21T10:00:00Z");
        CHECK(r.vendor_value("cef.device_vendor") == "Vendor");
        CHECK(r.get("source.ip") == "10.0.0.1");
        CHECK(r.get("destination.ip") == "10.0.0.2");
    }
}

TEST_CASE("record parser: JSON, LEEF and key=value inside syslog", "[parse][record]") {
    auto json = parse_record(R"(<14>Nov 21 10:00:00 web1 app: @cee: {"source":{"ip":"10.1.1.1"}})");
    CHECK(json.error == parse_error::none);
    CHECK(json.parser == "json");
    CHECK(json.get("host.name") == "web1");
    CHECK(json.get("source.ip") == "10.1.1.1");
    auto leef = parse_record("<14>Nov 21 10:00:00 qr1 LEEF:2.0|IBM|QRadar|7|42|^|src=10.2.2.2^"
                             "dst=10.3.3.3");
    CHECK(leef.parser == "leef");
    CHECK(leef.get("source.ip") == "10.2.2.2");
    auto kv = parse_record(R"(<189>date=2026-11-21 time=10:00:00 devname="FG 1" srcip=10.4.4.4 )"
                           R"(dstip=10.5.5.5 action=deny)");
    CHECK(kv.parser == "kv");
    CHECK(kv.get("source.ip") == "10.4.4.4");
    CHECK(kv.vendor_value("devname") == "FG 1");
}

TEST_CASE("record parser: configured payload and format override detection", "[parse][record]") {
    parse::record_parser_config plain;
    plain.payload = record_format::syslog;
    auto p = parse_record("<13>Nov 21 10:00:00 fw1 CEF:0|v|p|1|1|n|5|src=10.0.0.1", plain);
    CHECK(p.parser == "rfc3164");
    CHECK(p.get("message").starts_with("CEF:0|"));
    CHECK_FALSE(p.has("source.ip"));
    auto strict = parse_record("<13>Nov 21 10:00:00 host app: x", format(record_format::rfc5424));
    CHECK(strict.error == parse_error::bad_version);
    CHECK(strict.get("error.type") == "bad_version");
    auto missing = parse_record("no cef here", format(record_format::cef));
    CHECK(missing.error == parse_error::truncated_header);
    CHECK(missing.get("event.original") == "no cef here");
}

TEST_CASE("record parser: malformed JSON never crashes and keeps the record", "[parse][record]") {
    SECTION("100,000 levels of nesting") {
        const std::string deep = std::string(100'000, '[') + std::string(100'000, ']');
        auto r = parse_record("{\"a\":" + deep + "}", format(record_format::json));
        CHECK(r.error != parse_error::none);
        CHECK(r.get("error.type") == std::string(parse::to_string(r.error)));
        CHECK(r.get("event.original").size() == deep.size() + 6);
        const std::string objects = [] {
            std::string s;
            for (int i = 0; i < 100'000; ++i) {
                s += "{\"a\":";
            }
            s += "1";
            s += std::string(100'000, '}');
            return s;
        }();
        auto o = parse_record(objects);
        CHECK((o.error == parse_error::too_deep || o.error == parse_error::invalid_json));
        CHECK(o.has("error.type"));
    }
    SECTION("invalid UTF-8") {
        auto r = parse_record("{\"message\":\"caf\xC3\x28\"}", format(record_format::json));
        CHECK(r.error == parse_error::invalid_utf8);
        CHECK(r.get("error.type") == "invalid_utf8");
    }
    SECTION("duplicate keys keep every value") {
        auto r = parse_record(R"({"user":{"name":"alice"},"user.name":"bob"})");
        CHECK(r.error == parse_error::none);
        CHECK(r.all("user.name") == std::vector<std::string>{"alice", "bob"});
    }
    SECTION("a 10 MB string is cut at the value limit") {
        const std::string big(10 * 1024 * 1024, 'x');
        auto r = parse_record(R"({"message":")" + big + R"(","user":{"name":"carol"}})");
        CHECK(r.error == parse_error::value_too_long);
        CHECK(r.get("message").size() == parse::parse_limits{}.max_value_bytes);
        CHECK(r.get("user.name") == "carol");
    }
    SECTION("a top level that is not an object") {
        for (const std::string text : {"[1,2,3]", "\"text\"", "42", "true"}) {
            INFO(text);
            auto r = parse_record(text, format(record_format::json));
            CHECK(r.error == parse_error::not_an_object);
            CHECK(r.get("event.original") == text);
        }
    }
}

TEST_CASE("record parser: the empty record", "[parse][record]") {
    for (auto f : {record_format::auto_detect, record_format::cef, record_format::json}) {
        auto r = parse_record("", format(f));
        CHECK(r.error == parse_error::empty_record);
    }
}

TEST_CASE("record parser: a JSON record carrying a record as text is parsed as that record",
          "[parse][record][envelope]") {
    // Docker's json-file lines (schemas/envelopes.yaml, docker_json_log): the text under `log`.
    const auto sshd = parse_record(
        R"({"log":"<38>Nov 21 10:02:13 bastion sshd[24203]: Failed password for root from 203.0.113.7 port 52114 ssh2\n","stream":"stdout","time":"2026-11-21T10:02:13Z"})");
    CHECK(sshd.parser == "rfc3164");
    CHECK(sshd.mapping == "linux_auth");
    CHECK(sshd.logsource_class == "syslog_sshd");
    CHECK(sshd.get("source.ip") == "203.0.113.7");
    const auto cef = parse_record(
        R"({"log":"CEF:0|Acme|Gate|1|7|Blocked|5|src=10.0.0.1 dst=10.0.0.2","stream":"stderr"})");
    CHECK(cef.parser == "cef");
    CHECK(cef.get("source.ip") == "10.0.0.1");
    // Taken off once: a carried record that is itself such a JSON record stays JSON.
    const auto nested =
        parse_record(R"({"log":"{\"log\":\"hello\",\"stream\":\"stdout\"}","stream":"stdout"})");
    CHECK(nested.parser == "json");
    CHECK(nested.vendor_value("log") == "hello");
    // A line without a timestamp of its own takes the wrapper's `time`; one with a timestamp
    // keeps it.
    const auto app = parse_record(
        R"({"log":"GET /health 200\n","stream":"stdout","time":"2026-11-21T10:02:13.121000000Z"})");
    CHECK(app.get("message") == "GET /health 200");
    REQUIRE(app.time_ns);
    CHECK(core::format_rfc3339(*app.time_ns) == "2026-11-21T10:02:13.121Z");
    REQUIRE(sshd.time_ns);
    CHECK(core::format_rfc3339(*sshd.time_ns).substr(4) == "-11-21T10:02:13Z");
    // Without `stream` it is an ordinary JSON record.
    CHECK(parse_record(R"({"log":"<13>Nov 21 10:00:00 host app: hi"})").parser == "json");
}

TEST_CASE("envelopes: each needs unwrap or record, with a located error", "[parse][envelope]") {
    core::diagnostics diags;
    const auto set = parse::envelope_set::parse(R"(envelopes:
  - name: good
    detect: [log, stream]
    record: log
  - name: neither
    detect: [a]
)",
                                                "envelopes.yaml", diags);
    CHECK(set.items().size() == 1);
    const std::string text = diags.to_string();
    INFO(text);
    CHECK(text.find("envelopes.yaml:5: envelope 'neither' needs either 'unwrap'") !=
          std::string::npos);
    CHECK(text.find("or 'record: NAME'") != std::string::npos);
}
