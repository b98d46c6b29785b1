#include "replay/rule_test_runner.hpp"
#include "support/rule_helpers.hpp"

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <unistd.h>

namespace fs = std::filesystem;
using vigil::replay::rule_test_outcome;
using vigil::replay::rule_test_report;
using vigil::replay::rule_test_runner;

namespace {

struct temp_dir {
    fs::path path = fs::temp_directory_path() / ("vigil-fixtures-" + std::to_string(::getpid()) +
                                                 "-" + std::to_string(++count));
    temp_dir() { fs::create_directories(path); }
    ~temp_dir() { fs::remove_all(path); }
    void write(const fs::path& name, const std::string& text) const {
        fs::create_directories((path / name).parent_path());
        std::ofstream(path / name) << text;
    }
    static inline int count = 0;
};

const std::string windows_rule = R"(title: Encoded PowerShell
id: win-1
level: high
logsource: {product: windows, category: process_creation}
detection:
  sel:
    Image|endswith: '\powershell.exe'
    CommandLine|contains|windash: ' -enc '
  condition: sel
)";

} // namespace

TEST_CASE("fixture runner passes, fails and names the failing record", "[match][fixtures]") {
    auto c = vigil::test::compile_yaml(
        vigil::test::rule_yaml("r1", "  k: [token]\n  condition: k\n") + "---\n" +
        vigil::test::rule_yaml("r2", "  k: [other]\n  condition: k\n"));
    temp_dir dir;
    dir.write("good.yml", "rule: r1\nmatch:\n  - '<13>Nov 21 10:00:00 h a: a token here'\n"
                          "no_match:\n  - '<13>Nov 21 10:00:00 h a: nothing'\n");
    dir.write("bad.yml", "rule: r1\nmatch:\n  - '<13>Nov 21 10:00:00 h a: missing'\n"
                         "no_match:\n  - '<13>Nov 21 10:00:00 h a: token'\n");
    rule_test_runner runner(c.result.rules);
    rule_test_report report;
    runner.run_fixtures(dir.path, report);
    runner.find_untested(report);
    REQUIRE(report.outcomes.size() == 2);
    CHECK(report.failed() == 1);
    const auto& bad = report.outcomes[0]; // bad.yml sorts first
    CHECK(bad.rule_id == "r1");
    CHECK(bad.checked == 2);
    REQUIRE(bad.failures.size() == 2);
    CHECK(bad.failures[0].line == 3);
    CHECK(bad.failures[0].reason == "should match but did not: <13>Nov 21 10:00:00 h a: missing");
    CHECK(bad.failures[1].line == 5);
    CHECK(bad.failures[1].reason == "should not match but did: <13>Nov 21 10:00:00 h a: token");
    CHECK(report.outcomes[1].passed());
    CHECK(report.rules_without_tests == std::vector<std::string>{"r2"});
}

TEST_CASE("fixtures may give JSON events as maps or as text", "[match][fixtures]") {
    auto c = vigil::test::compile_yaml(windows_rule);
    REQUIRE(c.result.loaded == 1);
    temp_dir dir;
    dir.write("win.yml", R"(rule: win-1
match:
  - {Event: {System: {EventID: 1, Channel: Microsoft-Windows-Sysmon/Operational}, EventData: {Image: 'C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe', CommandLine: 'powershell.exe /enc SQBFAFgA'}}}
  - '{"Event":{"System":{"EventID":1,"Channel":"Microsoft-Windows-Sysmon/Operational"},"EventData":{"Image":"C:\\x\\POWERSHELL.EXE","CommandLine":"powershell -enc AAA"}}}'
no_match:
  # Same command line in a Sysmon network event: not a process creation.
  - {Event: {System: {EventID: 3, Channel: Microsoft-Windows-Sysmon/Operational}, EventData: {Image: 'C:\powershell.exe', CommandLine: 'powershell -enc AAA'}}}
  - {Event: {System: {EventID: 1, Channel: Microsoft-Windows-Sysmon/Operational}, EventData: {Image: 'C:\powershell.exe', CommandLine: 'powershell -encode AAA'}}}
)");
    rule_test_runner runner(c.result.rules);
    rule_test_report report;
    runner.run_fixtures(dir.path, report);
    INFO(report.errors.to_string());
    REQUIRE(report.outcomes.size() == 1);
    INFO((report.outcomes[0].failures.empty() ? "" : report.outcomes[0].failures[0].reason));
    CHECK(report.outcomes[0].passed());
    CHECK(report.outcomes[0].checked == 4);
}

TEST_CASE("regression data: a rule must reach its match_count", "[match][regression]") {
    auto c = vigil::test::compile_yaml(windows_rule);
    temp_dir tree;
    const std::string hit =
        vigil::test::sysmon_process("C:\\\\powershell.exe", "powershell -enc AAA");
    const std::string miss = vigil::test::sysmon_process("C:\\\\cmd.exe", "cmd /c dir");
    tree.write(
        "regression_data/a/info.yml",
        "rule_metadata:\n  - id: win-1\nregression_tests_info:\n  - name: t\n    match_count: 2\n"
        "    path: regression_data/a/win-1.evtx\n");
    tree.write("regression_data/a/win-1.json", hit + "\n" + miss + hit); // concatenated documents
    tree.write(
        "regression_data/b/info.yml",
        "rule_metadata:\n  - id: win-1\nregression_tests_info:\n  - name: t\n    match_count: 3\n"
        "    path: regression_data/b/win-1.evtx\n");
    tree.write("regression_data/b/win-1.json", hit);
    tree.write("regression_data/c/info.yml",
               "rule_metadata:\n  - id: missing-rule\nregression_tests_info:\n  - name: t\n");
    rule_test_runner runner(c.result.rules);
    rule_test_report report;
    runner.run_regression(tree.path, report);
    REQUIRE(report.outcomes.size() == 3);
    const auto& a = report.outcomes[0];
    CHECK(a.type == rule_test_outcome::kind::regression);
    CHECK(a.passed());
    CHECK(a.checked == 3);
    CHECK(a.matched == 2);
    const auto& b = report.outcomes[1];
    CHECK_FALSE(b.passed());
    CHECK(b.failures[0].reason.starts_with("matched 1 of 1 events, expected at least 3"));
    const auto& missing = report.outcomes[2];
    CHECK_FALSE(missing.passed());
    CHECK(missing.failures[0].reason == "the rule was not loaded (see vigil rules check)");
}

TEST_CASE("fixture runner reports fixtures it cannot use", "[match][fixtures]") {
    auto c =
        vigil::test::compile_yaml(vigil::test::rule_yaml("r1", "  k: [token]\n  condition: k\n"));
    temp_dir dir;
    dir.write("a.yml", "rule: nope\nmatch: ['x']\n");
    dir.write("b.yml", "match: ['x']\n");
    dir.write("c.yml", "rule: [broken\n");
    rule_test_runner runner(c.result.rules);
    rule_test_report report;
    runner.run_fixtures(dir.path, report);
    INFO(report.errors.to_string());
    CHECK(report.errors.error_count() == 3);
    CHECK(report.errors.to_string().find("a.yml:1: nope: no loaded rule has this id") !=
          std::string::npos);
    CHECK(report.errors.to_string().find("a fixture needs 'rule: <rule id>'") != std::string::npos);
    CHECK(report.errors.to_string().find("c.yml:") != std::string::npos);
}
