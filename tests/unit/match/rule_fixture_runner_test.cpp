#include "match/rule_fixture_runner.hpp"
#include "support/rule_helpers.hpp"

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <unistd.h>

namespace fs = std::filesystem;
using vigil::match::rule_fixture_runner;

namespace {

struct temp_dir {
    fs::path path = fs::temp_directory_path() / ("vigil-fixtures-" + std::to_string(::getpid()) +
                                                 "-" + std::to_string(++count));
    temp_dir() { fs::create_directories(path); }
    ~temp_dir() { fs::remove_all(path); }
    void write(const std::string& name, const std::string& text) const {
        std::ofstream(path / name) << text;
    }
    static inline int count = 0;
};

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
    rule_fixture_runner runner(c.result.rules);
    auto report = runner.run_directory(dir.path);
    REQUIRE(report.fixtures.size() == 2);
    CHECK(report.failed() == 1);
    const auto& bad = report.fixtures[0]; // bad.yml sorts first
    CHECK(bad.rule_id == "r1");
    CHECK(bad.checked == 2);
    REQUIRE(bad.failures.size() == 2);
    CHECK(bad.failures[0].line == 3);
    CHECK(bad.failures[0].reason == "should match but did not: <13>Nov 21 10:00:00 h a: missing");
    CHECK(bad.failures[1].line == 5);
    CHECK(bad.failures[1].reason == "should not match but did: <13>Nov 21 10:00:00 h a: token");
    CHECK(report.fixtures[1].failures.empty());
    CHECK(report.rules_without_fixtures == std::vector<std::string>{"r2"});
}

TEST_CASE("fixture runner reports fixtures it cannot use", "[match][fixtures]") {
    auto c =
        vigil::test::compile_yaml(vigil::test::rule_yaml("r1", "  k: [token]\n  condition: k\n"));
    temp_dir dir;
    dir.write("a.yml", "rule: nope\nmatch: ['x']\n");
    dir.write("b.yml", "match: ['x']\n");
    dir.write("c.yml", "rule: [broken\n");
    rule_fixture_runner runner(c.result.rules);
    auto report = runner.run_directory(dir.path);
    INFO(report.errors.to_string());
    CHECK(report.errors.error_count() == 3);
    CHECK(report.errors.to_string().find("a.yml:1: nope: no loaded rule has this id") !=
          std::string::npos);
    CHECK(report.errors.to_string().find("a fixture needs 'rule: <rule id>'") != std::string::npos);
    CHECK(report.errors.to_string().find("c.yml:") != std::string::npos);
}
