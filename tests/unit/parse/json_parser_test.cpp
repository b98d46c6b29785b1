#include "core/arena.hpp"
#include "core/civil_time.hpp"
#include "parse/field_schema.hpp"
#include "parse/record_parser.hpp"

#include <catch2/catch.hpp>
#include <map>
#include <string>
#include <vector>

using namespace vigil;
using parse::parse_error;

namespace {

struct parsed_json {
    parse_error error = parse_error::none;
    std::string mapping;
    std::optional<std::int64_t> time_ns;
    std::multimap<std::string, std::string> fields;
};

// A catalog with the shipped schema plus the vendor names the tests ask for.
core::field_catalog test_catalog() {
    core::diagnostics diags;
    auto catalog =
        parse::load_field_catalog(std::string(VIGIL_SOURCE_DIR) + "/schemas/fields.yaml", diags);
    REQUIRE_FALSE(diags.has_errors());
    for (const char* vendor : {"ThreatName", "a.b.c", "list", "tags", "flag", "nothing", "deep"}) {
        catalog->add(vendor);
    }
    return *catalog;
}

parse::vendor_mapping_set test_mappings() {
    core::diagnostics diags;
    core::field_catalog catalog = test_catalog();
    auto set = parse::load_vendor_mappings(std::string(VIGIL_SOURCE_DIR) + "/schemas/mappings",
                                           catalog, diags);
    REQUIRE_FALSE(diags.has_errors());
    return set;
}

parsed_json parse_one(const std::string& json, parse::parse_limits limits = {}) {
    static const core::field_catalog catalog = test_catalog();
    static const parse::vendor_mapping_set mappings = test_mappings();
    parse::record_parser_config config;
    config.format = parse::record_format::json;
    config.limits = limits;
    parse::record_parser parser(config);
    core::arena scratch;
    core::event e;
    core::raw_record record{json, core::source_kind::file, 0, {}};
    parsed_json out;
    out.error = parser.parse(record, mappings, catalog, parse::field_projection{}, e, scratch);
    out.mapping = std::string(e.mapping);
    out.time_ns = e.time_ns;
    for (const auto& f : e.fields()) {
        out.fields.emplace(std::string(catalog.name(f.id)), std::string(f.value));
    }
    return out;
}

std::string one(const parsed_json& p, const std::string& name) {
    auto it = p.fields.find(name);
    return it == p.fields.end() ? "<absent>" : it->second;
}

} // namespace

TEST_CASE("json: nested objects flatten to dotted paths, scalars keep their text",
          "[parse][json]") {
    auto p = parse_one(R"({"a":{"b":{"c":"x"}},"flag":true,"nothing":null,"user":{"name":"alice"},)"
                       R"("source":{"port":4431}})");
    CHECK(p.error == parse_error::none);
    CHECK(p.mapping == "json");
    CHECK(one(p, "a.b.c") == "x");
    CHECK(one(p, "flag") == "true");
    CHECK(one(p, "nothing").empty());
    CHECK(one(p, "user.name") == "alice");
    CHECK(one(p, "source.port") == "4431");
    CHECK(one(p, "event.original").starts_with("{\"a\""));
}

TEST_CASE("json: array elements are values of one field", "[parse][json]") {
    auto p = parse_one(R"({"tags":["a","b",3],"list":[{"x":1},{"x":2}]})");
    auto tags = p.fields.equal_range("tags");
    std::vector<std::string> values;
    for (auto it = tags.first; it != tags.second; ++it) {
        values.push_back(it->second);
    }
    CHECK(values == std::vector<std::string>{"a", "b", "3"});
}

TEST_CASE("json: string escapes are decoded", "[parse][json]") {
    auto p = parse_one(R"({"message":"a\"b\\c\u00e9\n"})");
    CHECK(one(p, "message") == "a\"b\\c\xC3\xA9\n");
}

TEST_CASE("json: ECS @timestamp becomes the event time", "[parse][json]") {
    auto p = parse_one(R"({"@timestamp":"2026-11-21T10:00:00.5Z","message":"m"})");
    REQUIRE(p.time_ns.has_value());
    CHECK(core::format_rfc3339(*p.time_ns) == "2026-11-21T10:00:00.500Z");
}

TEST_CASE("json: Windows events go through the windows mapping", "[parse][json]") {
    auto p = parse_one(
        R"({"Event":{"System":{"Provider":{"#attributes":{"Name":"Microsoft-Windows-Windows Defender"}},)"
        R"("EventID":1119,"Channel":"Microsoft-Windows-Windows Defender/Operational","Computer":"ws1",)"
        R"("TimeCreated":{"#attributes":{"SystemTime":"2026-04-17T04:14:33.653414Z"}}},)"
        R"("EventData":{"Threat Name":"Virus:DOS/EICAR_Test_File","Image":"C:\\x.exe"}}})");
    CHECK(p.mapping == "windows");
    CHECK(one(p, "event.code") == "1119");
    CHECK(one(p, "winlog.channel") == "Microsoft-Windows-Windows Defender/Operational");
    CHECK(one(p, "winlog.provider_name") == "Microsoft-Windows-Windows Defender");
    CHECK(one(p, "host.name") == "ws1");
    CHECK(one(p, "process.executable") == "C:\\x.exe");
    CHECK(one(p, "ThreatName") == "Virus:DOS/EICAR_Test_File"); // spaces stripped
    REQUIRE(p.time_ns.has_value());
    CHECK(core::format_rfc3339(*p.time_ns) == "2026-04-17T04:14:33.653414Z");
}

TEST_CASE("json: invalid documents are kept with a reason", "[parse][json]") {
    for (const std::string bad : {R"({"a":)", R"({"a" 1})", "not json"}) {
        INFO(bad);
        auto p = parse_one(bad);
        CHECK(p.error == parse_error::invalid_json);
        CHECK(one(p, "error.type") == "invalid_json");
        CHECK(one(p, "event.original") == bad);
        CHECK(one(p, "message") == bad);
    }
    for (const std::string bad : {R"("just a string")", "[1,2]", "42", "null"}) {
        INFO(bad);
        auto p = parse_one(bad);
        CHECK(p.error == parse_error::not_an_object);
        CHECK(one(p, "error.type") == "not_an_object");
        CHECK(one(p, "message") == bad);
    }
}

TEST_CASE("json: depth and field limits stop reading, with a reason", "[parse][json]") {
    std::string deep = R"({"deep":)";
    for (int i = 0; i < 10; ++i) {
        deep += R"({"x":)";
    }
    deep += "1" + std::string(10, '}') + ",\"message\":\"after\"}";
    parse::parse_limits limits;
    limits.max_depth = 5;
    auto p = parse_one(deep, limits);
    CHECK(p.error == parse_error::too_deep);
    CHECK(one(p, "error.type") == "too_deep");

    limits = {};
    limits.max_fields = 2;
    auto q = parse_one(R"({"a":{"b":{"c":"1"}},"flag":"2","message":"3"})", limits);
    CHECK(q.error == parse_error::too_many_fields);
    CHECK(one(q, "flag") == "2");
    CHECK(one(q, "message") != "3");
}

TEST_CASE("json: a buffer of concatenated and line-separated documents", "[parse][json]") {
    static const core::field_catalog catalog = test_catalog();
    parse::record_parser parser{parse::record_parser_config{}};
    core::arena scratch;
    std::vector<std::string> messages;
    std::vector<parse_error> errors;
    parser.parse_documents(R"({"message":"a"}{"message":"b"})"
                           "\n"
                           R"({"message":"c"} {"message":)",
                           0, parse::vendor_mapping_set::generic_only(), catalog, scratch,
                           [&](core::event& e, parse_error error) {
                               messages.emplace_back(e.get(core::fields::message).value_or(""));
                               errors.push_back(error);
                           });
    REQUIRE(messages.size() >= 3);
    CHECK(messages[0] == "a");
    CHECK(messages[1] == "b");
    CHECK(messages[2] == "c");
    CHECK(errors[0] == parse_error::none);
}

TEST_CASE("json: a batch document in a buffer gives one event per record, in order",
          "[parse][json]") {
    static const core::field_catalog catalog = test_catalog();
    parse::record_parser parser{parse::record_parser_config{}};
    core::arena scratch;
    std::vector<std::string> messages;
    parser.parse_documents(R"({"message":"a"})"
                           "\n"
                           R"({"Records":[{"message":"b"},{"message":"c"}]} {"message":"d"})",
                           0, parse::vendor_mapping_set::generic_only(), catalog, scratch,
                           [&](core::event& e, parse_error error) {
                               CHECK(error == parse_error::none);
                               messages.emplace_back(e.get(core::fields::message).value_or(""));
                           });
    CHECK(messages == std::vector<std::string>{"a", "b", "c", "d"});
}

TEST_CASE("field schema: canonical names, aliases and their errors", "[parse][schema]") {
    core::diagnostics diags;
    auto catalog =
        parse::load_field_catalog(std::string(VIGIL_SOURCE_DIR) + "/schemas/fields.yaml", diags);
    INFO(diags.to_string());
    REQUIRE_FALSE(diags.has_errors());
    CHECK(catalog->find("Image") == catalog->find("process.executable"));
    CHECK(catalog->find("CommandLine") == catalog->find("process.command_line"));
    CHECK(catalog->find("SourceIp") == catalog->find("source.ip"));
    CHECK(catalog->type(*catalog->find("source.ip")) == core::field_type::ip);
    CHECK(catalog->find("message") == core::fields::message);
    CHECK(catalog->few_values(*catalog->find("Company")));
    CHECK_FALSE(catalog->few_values(*catalog->find("CommandLine")));
    CHECK(catalog->evidence(*catalog->find("source.ip")));
    CHECK_FALSE(catalog->evidence(*catalog->find("Company")));

    core::diagnostics bad;
    (void)parse::parse_field_catalog("fields:\n  - {name: host.name}\n", "f.yaml", bad);
    CHECK(bad.to_string().find("f.yaml:2: the built-in syslog fields must come first, in order: "
                               "expected 'message' here, found 'host.name'") != std::string::npos);
    core::diagnostics clash;
    std::string yaml = "fields:\n";
    for (std::size_t i = 0; i < core::fields::builtin_count; ++i) {
        yaml += "  - {name: " +
                std::string(core::field_catalog::builtin().name(static_cast<core::field_id>(i))) +
                "}\n";
    }
    yaml +=
        "  - {name: a.one, type: ip, aliases: [x]}\n  - {name: b.two, type: weird, aliases: [x]}\n"
        "  - {name: c.three, values: some}\n  - {name: d.four, evidence: maybe}\n";
    (void)parse::parse_field_catalog(yaml, "f.yaml", clash);
    CHECK(clash.to_string().find("f.yaml:17: field 'b.two': unknown type 'weird'") !=
          std::string::npos);
    CHECK(clash.to_string().find("alias 'x' of 'b.two' already names field 'a.one'") !=
          std::string::npos);
    CHECK(clash.to_string().find("f.yaml:18: field 'c.three': 'values' is 'few' or 'many'") !=
          std::string::npos);
    CHECK(clash.to_string().find("f.yaml:19: field 'd.four': 'evidence' is true or false") !=
          std::string::npos);
}
