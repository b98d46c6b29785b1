#pragma once

#include "core/diagnostic.hpp"
#include "match/matcher.hpp"
#include "parse/record_parser.hpp"
#include "rules/rule_compiler.hpp"
#include "rules/sigma_loader.hpp"
#include "support/parse_helpers.hpp"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

namespace vigil::test {

// The shipped schemas (fields.yaml, logsources.yaml, mappings/).
inline rules::rule_schema shipped_schema() {
    core::diagnostics diags;
    auto schema = rules::load_rule_schema(std::string(VIGIL_SOURCE_DIR) + "/schemas", diags);
    REQUIRE_FALSE(diags.has_errors());
    return schema;
}

// Loads and compiles rules from YAML text against the shipped schemas, as `vigil rules check`
// would from a file.
struct compiled_rules {
    core::diagnostics diags;
    rules::compile_result result;
    std::size_t load_rejected = 0;
};

inline compiled_rules compile_yaml(const std::string& yaml, const std::string& file = "test.yml",
                                   const rules::ioc_lists& lists = {}) {
    compiled_rules out;
    rules::rule_schema schema = shipped_schema();
    rules::sigma_loader loader(schema.catalog);
    auto loaded = loader.load_text(yaml, file, out.diags);
    out.load_rejected = loaded.rejected;
    out.result = rules::rule_compiler::compile(std::move(loaded.rules), std::move(schema), lists, 1,
                                               out.diags, std::move(loaded.correlations));
    return out;
}

// The ids of the rules that fire on one syslog line.
inline std::vector<std::string> fired(const std::shared_ptr<const rules::rule_set>& set,
                                      const std::string& line) {
    match::matcher m(set);
    core::arena scratch;
    core::event e;
    parse::syslog_parser parser{parse::rfc3164_config{}};
    core::raw_record record{line, core::source_kind::file, 1'795'000'000'000'000'000, {}};
    (void)parser.parse(record, e, scratch);
    std::vector<std::string> ids;
    for (auto r : m.match(e)) {
        ids.push_back(set->rules()[r].id);
    }
    return ids;
}

// The ids of the rules that fire on one JSON document.
inline std::vector<std::string> fired_json(const std::shared_ptr<const rules::rule_set>& set,
                                           const std::string& json) {
    match::matcher m(set);
    core::arena scratch;
    core::event e;
    parse::record_parser_config config;
    config.format = parse::record_format::json;
    parse::record_parser parser(config);
    core::raw_record record{json, core::source_kind::file, 1'795'000'000'000'000'000, {}};
    (void)parser.parse(record, set->mappings(), set->catalog(), parse::field_projection{}, e,
                       scratch);
    std::vector<std::string> ids;
    for (auto r : m.match(e)) {
        ids.push_back(set->rules()[r].id);
    }
    return ids;
}

// A rule document around a detection block (indented by the caller with two spaces); the log
// source defaults to Linux syslog, which every syslog line the tests send belongs to.
inline std::string rule_yaml(const std::string& id, const std::string& detection,
                             const std::string& logsource = "{product: linux}") {
    return "title: test rule " + id + "\nid: " + id +
           "\nlevel: high\nauthor: tests\nlogsource: " + logsource + "\ndetection:\n" + detection;
}

// A Sysmon process creation event as the windows mapping reads it (values are JSON-escaped by
// the caller).
inline std::string sysmon_process(const std::string& image, const std::string& command_line,
                                  const std::string& extra = "") {
    return R"({"Event":{"System":{"EventID":1,"Channel":"Microsoft-Windows-Sysmon/Operational",)"
           R"("Computer":"ws01","Provider":{"#attributes":{"Name":"Microsoft-Windows-Sysmon"}}},)"
           R"("EventData":{"Image":")" +
           image + R"(","CommandLine":")" + command_line + "\"" + extra + "}}}";
}

} // namespace vigil::test
