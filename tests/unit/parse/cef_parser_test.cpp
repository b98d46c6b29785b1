#include "core/arena.hpp"
#include "parse/cef_parser.hpp"
#include "support/record_helpers.hpp"

#include <catch2/catch.hpp>
#include <fstream>
#include <simdjson.h>
#include <string>
#include <vector>

using namespace vigil;
using parse::parse_error;

namespace {

test::vendor_pairs parse_cef(std::string_view text) {
    parse::cef_parser parser;
    parse::vendor_fields fields;
    core::arena scratch;
    const parse_error error = parser.parse(text, fields, scratch);
    return test::copy_pairs(error, fields);
}

} // namespace

TEST_CASE("cef: header fields under stable names, extensions as given", "[parse][cef]") {
    auto r = parse_cef("CEF:0|Security|threatmanager|1.0|100|worm successfully stopped|10|"
                       "src=10.0.0.1 dst=2.1.2.2 spt=1232");
    CHECK(r.error == parse_error::none);
    CHECK(r.get("cef.version") == "0");
    CHECK(r.get("cef.device_vendor") == "Security");
    CHECK(r.get("cef.device_product") == "threatmanager");
    CHECK(r.get("cef.device_version") == "1.0");
    CHECK(r.get("cef.signature_id") == "100");
    CHECK(r.get("cef.name") == "worm successfully stopped");
    CHECK(r.get("cef.severity") == "10");
    CHECK(r.get("src") == "10.0.0.1");
    CHECK(r.get("dst") == "2.1.2.2");
    CHECK(r.get("spt") == "1232");
}

TEST_CASE("cef: every escape rule", "[parse][cef]") {
    // Header: \| is a pipe, \\ a backslash; anything else after a backslash stays as it is.
    auto h = parse_cef(R"(CEF:0|ven\|dor|pro\\duct|1\.0|100|a \| b|5|k=v)");
    CHECK(h.get("cef.device_vendor") == "ven|dor");
    CHECK(h.get("cef.device_product") == R"(pro\duct)");
    CHECK(h.get("cef.device_version") == R"(1\.0)");
    CHECK(h.get("cef.name") == "a | b");
    // Extension: \= and \\ and \n / \r; a bare | needs no escape; a lone backslash stays.
    auto e =
        parse_cef(R"(CEF:0|v|p|1|1|n|5|a=x\=y b=c\\d msg=line1\nline2\rend p=a | b q=lone\ here)");
    CHECK(e.error == parse_error::none);
    CHECK(e.get("a") == "x=y");
    CHECK(e.get("b") == R"(c\d)");
    CHECK(e.get("msg") == "line1\nline2\rend");
    CHECK(e.get("p") == "a | b");
    CHECK(e.get("q") == R"(lone\ here)");
    // Values hold spaces; a value ends only where " key=" begins.
    auto s = parse_cef("CEF:0|v|p|1|1|n|5|msg=User admin logged in from host x suser=admin");
    CHECK(s.get("msg") == "User admin logged in from host x");
    CHECK(s.get("suser") == "admin");
}

TEST_CASE("cef: custom labels name their values", "[parse][cef]") {
    auto r = parse_cef("CEF:0|v|p|1|1|n|5|cs1=Eicar cs1Label=Threat Name cn1=3 cn1Label=count");
    CHECK(r.get("cs1") == "Eicar");
    CHECK(r.get("cs1Label") == "Threat Name");
    CHECK(r.get("cef.label.Threat Name") == "Eicar");
    CHECK(r.get("cef.label.count") == "3");
}

TEST_CASE("cef: malformed records keep what was read, with a reason", "[parse][cef]") {
    // Fewer than 7 header fields.
    auto t = parse_cef("CEF:0|vendor|product|1.0");
    CHECK(t.error == parse_error::truncated_header);
    CHECK(t.get("cef.device_vendor") == "vendor");
    CHECK(t.get("cef.device_version") == "1.0");
    CHECK(parse_cef("CEF:0|").error == parse_error::truncated_header);
    // Seven fields without the extension's pipe is complete (upstream test cases agree).
    CHECK(parse_cef("CEF:0|v|p|1|1|n|5").error == parse_error::none);
    // Unknown version: read anyway, flagged.
    auto v = parse_cef("CEF:7|v|p|1|1|n|5|a=b");
    CHECK(v.error == parse_error::unknown_version);
    CHECK(v.get("a") == "b");
    // A trailing backslash in the header and in a value stays literal.
    auto b = parse_cef("CEF:0|v|p|1|1|n|5|a=b\\");
    CHECK(b.error == parse_error::none);
    CHECK(b.get("a") == "b\\");
    auto hb = parse_cef("CEF:0|v|p\\");
    CHECK(hb.error == parse_error::truncated_header);
    CHECK(hb.get("cef.device_product") == "p\\");
    // Text that is not key=value: the pairs around it are kept.
    auto x = parse_cef("CEF:0|v|p|1|1|n|5|garbage here a=1 b=2");
    CHECK(x.error == parse_error::bad_extension);
    CHECK(x.get("a") == "1");
    CHECK(x.get("b") == "2");
}

TEST_CASE("cef: the upstream parser test cases, header and extensions exactly",
          "[parse][cef][shared-data]") {
    std::ifstream in(std::string(VIGIL_SHARED_DATA_DIR) + "/cef-parser-testcases/cases.jsonl");
    REQUIRE(in.good());
    simdjson::dom::parser json;
    std::size_t cases = 0;
    std::size_t with_prefix = 0;
    for (std::string line; std::getline(in, line);) {
        simdjson::dom::element doc = json.parse(line);
        const std::string input{std::string_view(doc["input"])};
        const auto expected = doc["expected"];
        INFO(std::string_view(doc["case"]) << ": " << input);
        parse::record_parser_config config;
        config.rfc3164.year = 2017; // upstream assumed 2017 for prefixes without a year
        auto r = test::parse_record(input, config);
        CHECK(r.error == parse_error::none);
        CHECK(r.parser == "cef");
        CHECK(r.vendor_value("cef.version") == std::to_string(int64_t(expected["cefVersion"])));
        CHECK(r.vendor_value("cef.device_vendor") == std::string_view(expected["deviceVendor"]));
        CHECK(r.vendor_value("cef.device_product") == std::string_view(expected["deviceProduct"]));
        CHECK(r.vendor_value("cef.device_version") == std::string_view(expected["deviceVersion"]));
        CHECK(r.vendor_value("cef.signature_id") ==
              std::string_view(expected["deviceEventClassId"]));
        CHECK(r.vendor_value("cef.name") == std::string_view(expected["name"]));
        CHECK(r.vendor_value("cef.severity") == std::string_view(expected["severity"]));
        // Extensions: exactly the expected keys and values, in any order (labels aside).
        std::map<std::string, std::string> want;
        for (auto [key, value] : simdjson::dom::object(expected["extensions"])) {
            want[std::string(key)] = std::string(std::string_view(value));
        }
        std::map<std::string, std::string> got;
        for (const auto& [name, value] : r.vendor) {
            if (!name.starts_with("cef.")) {
                got[name] = value;
            }
        }
        CHECK(got == want);
        simdjson::dom::element ts;
        if (expected["timestamp"].get(ts) == simdjson::SUCCESS) {
            ++with_prefix;
            REQUIRE(r.time_ns.has_value());
            CHECK(*r.time_ns / 1'000'000 == int64_t(ts));
            CHECK(r.get("host.name") == std::string_view(expected["host"]));
        }
        ++cases;
    }
    CHECK(cases == 45);
    CHECK(with_prefix == 36);
}
