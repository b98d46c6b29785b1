#include "support/rule_helpers.hpp"

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <unistd.h>

using vigil::test::compile_yaml;
using vigil::test::rule_yaml;

namespace {

bool has(const vigil::core::diagnostics& d, const std::string& text) {
    for (const auto& item : d.items()) {
        if (item.to_string() == text) {
            return true;
        }
    }
    return false;
}

} // namespace

TEST_CASE("a valid rule loads with its metadata", "[rules][loader]") {
    auto c = compile_yaml(R"(title: SSH invalid user
id: r1
status: stable
description: d
author: Jane Doe
level: low
tags: [attack.t1110, attack.credential-access]
logsource: {product: linux, service: sshd}
detection:
  selection:
    process.name: sshd
  condition: selection
)");
    REQUIRE(c.diags.empty());
    REQUIRE(c.result.loaded == 1);
    const auto& r = c.result.rules->rules()[0];
    CHECK(r.id == "r1");
    CHECK(r.title == "SSH invalid user");
    CHECK(r.author == "Jane Doe");
    CHECK(r.level == "low");
    CHECK(r.tags == std::vector<std::string>{"attack.t1110", "attack.credential-access"});
    CHECK(r.source.product == "linux");
    CHECK(r.source.service == "sshd");
    CHECK(r.file == "test.yml");
    CHECK(r.line == 1);
}

TEST_CASE("every problem of a rule is reported with file, line, rule id and reason",
          "[rules][loader]") {
    auto c = compile_yaml(R"(title: broken
id: bad-1
level: severe
detection:
  selection:
    Image|endswith|minute: '\evil.exe'
    message|sha256|contains: foo
    host.name|contains|startswith: x
    process.pid:
      - 1
      - null
  condition: selection and not filter
)",
                          "rules/broken.yml");
    INFO(c.diags.to_string());
    CHECK(c.result.loaded == 0);
    CHECK(c.load_rejected == 1);
    CHECK(has(c.diags, "rules/broken.yml:3: bad-1: unknown level 'severe' (expected "
                       "informational, low, medium, high or critical)"));
    CHECK(has(c.diags, "rules/broken.yml:6: bad-1: time modifier 'minute' in "
                       "'Image|endswith|minute' is not supported"));
    CHECK(has(c.diags, "rules/broken.yml:7: bad-1: unsupported modifier 'sha256' in "
                       "'message|sha256|contains'"));
    CHECK(has(c.diags, "rules/broken.yml:8: bad-1: modifier 'startswith' conflicts with an "
                       "earlier one in 'host.name|contains|startswith'"));
    CHECK(has(c.diags, "rules/broken.yml:11: bad-1: null cannot be part of a list of values; put "
                       "it in a selection of its own"));
    CHECK(has(c.diags, "rules/broken.yml:12: bad-1: condition 'selection and not filter': "
                       "unknown search identifier 'filter'"));
}

TEST_CASE("missing id, title, detection and condition are errors", "[rules][loader]") {
    auto c = compile_yaml("title: t\ndetection:\n  sel:\n    message: x\n");
    INFO(c.diags.to_string());
    CHECK(has(c.diags, "test.yml:1: missing 'id' (every rule needs a unique id)"));
    CHECK(has(c.diags, "test.yml:3: missing 'detection.condition'"));
    auto d = compile_yaml("id: x\nlevel: low\n");
    CHECK(has(d.diags, "test.yml:1: x: missing 'title'"));
    CHECK(has(d.diags, "test.yml:1: x: missing 'detection'"));
}

TEST_CASE("constructs vigil does not support are rejected, not ignored", "[rules][loader]") {
    auto timeframe = compile_yaml(
        rule_yaml("t1", "  timeframe: 5m\n  sel:\n    message: x\n  condition: sel\n"));
    CHECK(has(timeframe.diags, "test.yml:7: t1: 'timeframe' is not supported in detection rules; "
                               "write a correlation rule with a timespan instead"));
    auto aggregation =
        compile_yaml(rule_yaml("t2", "  sel:\n    message: x\n  condition: sel | count() > 5\n"));
    CHECK(aggregation.result.loaded == 0);
    CHECK(aggregation.diags.to_string().find("aggregation expressions") != std::string::npos);
    // An incomplete correlation rule names what it lacks.
    auto correlation = compile_yaml("title: c\nid: c1\ncorrelation:\n  type: event_count\n");
    CHECK(has(correlation.diags,
              "test.yml:4: c1: missing 'correlation.rules' (the rules to correlate)"));
    CHECK(correlation.diags.to_string().find("missing 'correlation.timespan'") !=
          std::string::npos);
    auto mixed = compile_yaml(
        rule_yaml("t3", "  sel:\n    - keyword\n    - message: x\n  condition: sel\n"));
    CHECK(has(mixed.diags, "test.yml:8: t3: search identifier 'sel' mixes keywords and field maps "
                           "in one list"));
}

TEST_CASE("a level is optional and defaults to medium with a warning", "[rules][loader]") {
    auto c = compile_yaml(
        "title: t\nid: t1\nlogsource: {product: linux}\ndetection:\n  k: [x]\n  condition: k\n");
    CHECK_FALSE(c.diags.has_errors());
    CHECK(has(c.diags, "test.yml:1: t1: warning: no 'level'; using medium"));
    REQUIRE(c.result.loaded == 1);
    CHECK(c.result.rules->rules()[0].level == "medium");
}

TEST_CASE("invalid YAML names the file and line", "[rules][loader]") {
    auto c = compile_yaml("title: t\nid: [unclosed\n", "rules/bad.yml");
    REQUIRE(c.diags.error_count() == 1);
    CHECK(c.diags.items()[0].to_string().starts_with("rules/bad.yml:"));
    CHECK(c.diags.items()[0].reason.starts_with("invalid YAML: "));
}

TEST_CASE("YAML nested without end is a located error, not a stack overflow", "[rules][loader]") {
    const std::string deep = std::string(100000, '[') + std::string(100000, ']');
    auto c = compile_yaml("title: t\nid: t1\ndetection:\n  sel: " + deep + "\n  condition: sel\n",
                          "rules/deep.yml");
    REQUIRE(c.diags.error_count() == 1);
    CHECK(c.diags.items()[0].to_string().starts_with("rules/deep.yml:4:"));
    CHECK(c.diags.items()[0].reason == "invalid YAML: nested more than 2000 levels deep");
    // A condition too deep is the rule's error, with its id.
    auto k = compile_yaml(rule_yaml("k1", "  k: [x]\n  condition: " + std::string(70, '(') + "k" +
                                              std::string(70, ')') + "\n"),
                          "rules/deep.yml");
    REQUIRE(k.diags.error_count() == 1);
    CHECK(k.diags.items()[0].to_string().find("k1: condition '((((") != std::string::npos);
    CHECK(k.diags.items()[0].reason.ends_with("nest more than 64 levels deep"));
}

TEST_CASE("a rule set holds at most max_values_per_set values, the rules past it are left out "
          "with a located error",
          "[rules][loader]") {
    // Seven rules of 20,000 exact values each: within the per-rule limit, beyond the set's.
    std::string yaml;
    for (int r = 0; r < 7; ++r) {
        yaml += r > 0 ? "---\n" : "";
        yaml += rule_yaml("big" + std::to_string(r), "  sel:\n    user.name:\n");
        std::string& doc = yaml;
        for (int i = 0; i < 20000; ++i) {
            doc += "      - u" + std::to_string(r) + "_" + std::to_string(i) + "\n";
        }
        doc += "  condition: sel\n";
    }
    auto c = compile_yaml(yaml, "rules/big.yml");
    CHECK(c.result.loaded == 6);
    REQUIRE(c.diags.error_count() == 1);
    const auto& d = c.diags.items()[0];
    CHECK(d.code == "limit");
    CHECK(d.rule_id == "big6");
    CHECK(d.reason.starts_with("the rule set would hold more than 125000 values"));
}

TEST_CASE("a key given twice refuses the file at the second key's line and column",
          "[rules][loader]") {
    // yaml-cpp keeps the first value: the second condition was silently ignored.
    auto c = compile_yaml(rule_yaml("d1", "  k: [x]\n  j: [y]\n  condition: k\n  condition: j\n"),
                          "rules/dup.yml");
    CHECK(c.result.loaded == 0);
    REQUIRE(c.diags.error_count() == 1);
    const auto& d = c.diags.items()[0];
    CHECK(d.code == "duplicate_key");
    CHECK(d.to_string().starts_with("rules/dup.yml:" + std::to_string(d.line) +
                                    ":3: duplicate key "
                                    "'condition' (first at line " +
                                    std::to_string(d.line - 1) + ")"));
}

TEST_CASE("one file can hold several rules, ids must be unique", "[rules][loader]") {
    auto c = compile_yaml(rule_yaml("a", "  k: [x]\n  condition: k\n") + "---\n" +
                          rule_yaml("b", "  k: [y]\n  condition: k\n") + "---\n" +
                          rule_yaml("a", "  k: [z]\n  condition: k\n"));
    CHECK(c.result.loaded == 2);
    CHECK(c.diags.to_string().find("a: duplicate rule id in the same file") != std::string::npos);
}

TEST_CASE("a Hyperscan-invalid regex rejects its rule and names the value", "[rules][loader]") {
    auto c = compile_yaml(
        rule_yaml("re1", "  sel:\n    message|re: '(?<=look)behind'\n  condition: sel\n") +
        "---\n" + rule_yaml("ok", "  k: [x]\n  condition: k\n"));
    INFO(c.diags.to_string());
    CHECK(c.result.loaded == 1);
    CHECK(c.result.rejected == 1);
    REQUIRE(c.diags.error_count() == 1);
    const auto& d = c.diags.items()[0];
    CHECK(d.line == 8);
    CHECK(d.rule_id == "re1");
    CHECK(d.reason.starts_with("value '(?<=look)behind' cannot be compiled: "));
}

TEST_CASE("a directory load skips tests/ and lists/ and finds duplicate ids across files",
          "[rules][loader]") {
    namespace fs = std::filesystem;
    const fs::path dir = fs::temp_directory_path() / ("vigil-loader-" + std::to_string(::getpid()));
    fs::remove_all(dir);
    fs::create_directories(dir / "detection");
    fs::create_directories(dir / "tests");
    fs::create_directories(dir / "lists");
    std::ofstream(dir / "detection/a.yml") << rule_yaml("dup", "  k: [x]\n  condition: k\n");
    std::ofstream(dir / "detection/b.yaml") << rule_yaml("dup", "  k: [y]\n  condition: k\n");
    std::ofstream(dir / "tests/a.yml") << "rule: dup\nmatch: [x]\n";
    std::ofstream(dir / "lists/ips.yml") << "not: a rule\n";
    vigil::core::diagnostics diags;
    auto result = vigil::rules::rule_compiler::load_directory(
        dir, std::string(VIGIL_SOURCE_DIR) + "/schemas", 1, diags);
    CHECK(result.files == 2);
    CHECK(result.loaded == 1);
    CHECK(result.rejected == 1);
    CHECK(diags.to_string().find("b.yaml:1: dup: duplicate rule id (another rule file already "
                                 "uses it)") != std::string::npos);
    fs::remove_all(dir);
}

TEST_CASE("rule files and rules past the size limits are located errors", "[rules][loader]") {
    namespace fs = std::filesystem;
    // Values: 20,000 load, 20,001 are the rule's error (with its id and line).
    auto values = [](std::size_t n) {
        std::string list = "  k:\n";
        for (std::size_t i = 0; i < n; ++i) {
            list += "    - v" + std::to_string(i) + "\n";
        }
        return list + "  condition: k\n";
    };
    auto ok = compile_yaml(rule_yaml("many", values(20'000)), "rules/many.yml");
    CHECK(ok.result.loaded == 1);
    auto over = compile_yaml(rule_yaml("toomany", values(20'001)), "rules/many.yml");
    CHECK(over.result.loaded == 0);
    REQUIRE(over.diags.error_count() == 1);
    CHECK(over.diags.items()[0].to_string().starts_with("rules/many.yml:"));
    CHECK(over.diags.items()[0].rule_id == "toomany");
    CHECK(over.diags.items()[0].reason.starts_with(
        "the detection has 20001 values; a rule may have at most 20000"));
    // A file over 4 MiB is not even read.
    const fs::path dir = fs::temp_directory_path() / ("vigil-limits-" + std::to_string(::getpid()));
    fs::remove_all(dir);
    fs::create_directories(dir);
    std::ofstream(dir / "good.yml") << rule_yaml("good", "  k: [x]\n  condition: k\n");
    std::ofstream(dir / "huge.yml") << "# " << std::string(4 * 1024 * 1024, 'x') << "\n";
    vigil::core::diagnostics diags;
    auto result = vigil::rules::rule_compiler::load_directory(
        dir, std::string(VIGIL_SOURCE_DIR) + "/schemas", 1, diags);
    CHECK(result.loaded == 1);
    CHECK(result.rejected == 1);
    CHECK(diags.to_string().find("huge.yml: the file is 4194307 bytes; a rule file may have at "
                                 "most 4194304") != std::string::npos);
    fs::remove_all(dir);
}

TEST_CASE("a misspelt Sigma key refuses its rule with a suggestion, other keys are custom "
          "attributes",
          "[rules][loader]") {
    // `levle` would have run the rule at the default level, `categroy` without its category.
    auto c = compile_yaml(R"(title: misspelt
id: m1
levle: high
logsource: {product: linux, categroy: process_creation}
detection:
  k: [x]
  condition: k
---
title: custom attributes
id: m2
level: low
simulation: atomic-red-team T1110
regression_tests_path: regression_data/m2
logsource: {product: linux}
detection:
  k: [y]
  condition: k
)",
                          "rules/keys.yml");
    INFO(c.diags.to_string());
    CHECK(c.result.loaded == 1);
    CHECK(c.load_rejected == 1);
    REQUIRE(c.diags.error_count() == 2);
    const auto& level = c.diags.items()[0];
    CHECK(level.code == "unknown_key");
    CHECK(level.rule_id == "m1");
    CHECK(level.to_string() ==
          "rules/keys.yml:3:1: m1: unknown key 'levle' in a rule (did you mean 'level'? other "
          "unknown keys are taken as custom attributes)");
    CHECK(c.diags.items()[1].to_string().starts_with(
        "rules/keys.yml:4:29: m1: unknown key 'categroy' in 'logsource' (did you mean "
        "'category'?"));
}

TEST_CASE("a rule file yaml-cpp would parse for ever is refused at once", "[rules][loader]") {
    // yaml-cpp 0.7 loops on this, allocating nodes until memory runs out: the rules reloader
    // (and `vigil rules check`) never finished.
    auto c = compile_yaml("- a\n,\n{", "rules/loop.yml");
    CHECK(c.result.loaded == 0);
    REQUIRE(c.diags.error_count() == 1);
    CHECK(c.diags.items()[0].code == "yaml");
    CHECK(c.diags.items()[0].to_string().starts_with("rules/loop.yml:"));
    CHECK(c.diags.items()[0].reason.find("does not advance") != std::string::npos);
}
