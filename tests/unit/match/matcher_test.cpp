#include "support/rule_helpers.hpp"

#include <catch2/catch.hpp>

using vigil::test::compile_yaml;
using vigil::test::fired;
using vigil::test::rule_yaml;

namespace {

// Compiles one rule with `detection` and says whether it fires on `line`.
bool fires(const std::string& detection, const std::string& line) {
    auto c = compile_yaml(rule_yaml("r", detection));
    INFO(c.diags.to_string());
    REQUIRE_FALSE(c.diags.has_errors());
    return !fired(c.result.rules, line).empty();
}

const std::string sshd_line =
    "<38>Nov 21 10:02:11 bastion sshd[24200]: Invalid user Admin from 203.0.113.7";

} // namespace

TEST_CASE("keywords match anywhere in the message, case-insensitively", "[match][keywords]") {
    CHECK(fires("  k:\n    - 'invalid USER'\n  condition: k\n", sshd_line));
    CHECK(fires("  k:\n    - nothing\n    - '203.0.113'\n  condition: k\n", sshd_line));
    CHECK_FALSE(fires("  k:\n    - bastion\n  condition: k\n", sshd_line)); // host, not message
    CHECK(fires("  k:\n    '|all':\n      - invalid\n      - admin\n  condition: k\n", sshd_line));
    CHECK_FALSE(
        fires("  k:\n    '|all':\n      - invalid\n      - root\n  condition: k\n", sshd_line));
}

TEST_CASE("plain field values match the whole value with wildcards", "[match][modifiers]") {
    CHECK(fires("  s:\n    process.name: SSHD\n  condition: s\n", sshd_line));
    CHECK_FALSE(fires("  s:\n    process.name: ssh\n  condition: s\n", sshd_line));
    CHECK(fires("  s:\n    process.name: 's?hd'\n  condition: s\n", sshd_line));
    CHECK(fires("  s:\n    host.name: 'bas*'\n  condition: s\n", sshd_line));
    CHECK(fires("  s:\n    process.pid: 24200\n  condition: s\n", sshd_line));
    // A lone * accepts any value of a present field, empty included.
    CHECK(fires("  s:\n    message: '*'\n  condition: s\n", sshd_line));
    CHECK(fires("  s:\n    message: '*'\n  condition: s\n", "<13>Nov 21 10:00:00 host app:"));
    CHECK_FALSE(fires("  s:\n    log.syslog.msgid: '*'\n  condition: s\n", sshd_line));
    CHECK(fires("  s:\n    log.syslog.severity.code: 6\n  condition: s\n", sshd_line));
    CHECK(fires("  s:\n    log.syslog.facility.code: 4\n  condition: s\n", sshd_line));
}

TEST_CASE("contains, startswith and endswith", "[match][modifiers]") {
    CHECK(fires("  s:\n    message|contains: 'user admin'\n  condition: s\n", sshd_line));
    CHECK(fires("  s:\n    message|startswith: 'Invalid user'\n  condition: s\n", sshd_line));
    CHECK_FALSE(fires("  s:\n    message|startswith: 'user'\n  condition: s\n", sshd_line));
    CHECK(fires("  s:\n    message|endswith: '.7'\n  condition: s\n", sshd_line));
    CHECK_FALSE(fires("  s:\n    message|endswith: '203.0'\n  condition: s\n", sshd_line));
}

TEST_CASE("value lists are ORed, |all lists ANDed", "[match][modifiers]") {
    CHECK(fires("  s:\n    message|contains:\n      - nope\n      - admin\n  condition: s\n",
                sshd_line));
    CHECK(fires("  s:\n    message|contains|all:\n      - invalid\n      - admin\n  condition: s\n",
                sshd_line));
    CHECK_FALSE(
        fires("  s:\n    message|contains|all:\n      - invalid\n      - nope\n  condition: s\n",
              sshd_line));
}

TEST_CASE("cased comparisons respect case", "[match][modifiers]") {
    CHECK(fires("  s:\n    message|contains|cased: 'Admin'\n  condition: s\n", sshd_line));
    CHECK_FALSE(fires("  s:\n    message|contains|cased: 'admin'\n  condition: s\n", sshd_line));
}

TEST_CASE("re is case-sensitive unless re|i", "[match][modifiers]") {
    CHECK(
        fires("  s:\n    message|re: 'user [A-Z]dmin from \\d+\\.'\n  condition: s\n", sshd_line));
    CHECK_FALSE(fires("  s:\n    message|re: 'INVALID'\n  condition: s\n", sshd_line));
    CHECK(fires("  s:\n    message|re|i: 'INVALID'\n  condition: s\n", sshd_line));
    CHECK(fires("  s:\n    message|re: '^Invalid.*7$'\n  condition: s\n", sshd_line));
}

TEST_CASE("exists and null test presence", "[match][modifiers]") {
    CHECK(fires("  s:\n    process.pid|exists: true\n  condition: s\n", sshd_line));
    CHECK_FALSE(fires("  s:\n    log.syslog.msgid|exists: true\n  condition: s\n", sshd_line));
    CHECK(fires("  s:\n    log.syslog.msgid|exists: false\n  condition: s\n", sshd_line));
    CHECK(fires("  s:\n    log.syslog.msgid: null\n  condition: s\n", sshd_line));
    CHECK_FALSE(fires("  s:\n    host.name: null\n  condition: s\n", sshd_line));
    CHECK(fires("  s:\n    message: ''\n  condition: s\n", "<13>Nov 21 10:00:00 host app:"));
}

TEST_CASE("a map ANDs its fields, a list of maps ORs them", "[match][conditions]") {
    CHECK(
        fires("  s:\n    process.name: sshd\n    host.name: bastion\n  condition: s\n", sshd_line));
    CHECK_FALSE(
        fires("  s:\n    process.name: sshd\n    host.name: other\n  condition: s\n", sshd_line));
    CHECK(fires("  s:\n    - host.name: other\n    - process.name: sshd\n  condition: s\n",
                sshd_line));
}

TEST_CASE("conditions: and, or, not, parentheses, x of", "[match][conditions]") {
    const std::string searches = "  a:\n    process.name: sshd\n  b:\n    host.name: other\n"
                                 "  c:\n    message|contains: admin\n";
    CHECK(fires(searches + "  condition: a and not b\n", sshd_line));
    CHECK_FALSE(fires(searches + "  condition: a and b\n", sshd_line));
    CHECK(fires(searches + "  condition: b or c\n", sshd_line));
    CHECK_FALSE(fires(searches + "  condition: not (a or b)\n", sshd_line));
    CHECK(fires(searches + "  condition: 1 of them\n", sshd_line));
    CHECK_FALSE(fires(searches + "  condition: all of them\n", sshd_line));
    CHECK(fires(searches + "  condition: all of a* and 1 of c\n", sshd_line));
    CHECK(fires(searches + "  condition:\n    - b\n    - c\n", sshd_line)); // a list is OR
}

TEST_CASE("a rule that holds with no hit is evaluated for every event", "[match][conditions]") {
    // `not filter` is true for events the filter does not touch at all.
    auto c = compile_yaml(
        rule_yaml("neg", "  filter:\n    process.name: cron\n  condition: not filter\n"));
    REQUIRE(c.result.loaded == 1);
    // In every class program the rule is in (all Linux syslog classes), it is always evaluated.
    std::size_t programs_with_rule = 0;
    std::size_t always = 0;
    for (const auto& program : c.result.rules->programs()) {
        programs_with_rule += program.rules.size();
        always += program.always_evaluated.size();
    }
    CHECK(programs_with_rule > 1);
    CHECK(always == programs_with_rule);
    CHECK(fired(c.result.rules, sshd_line) == std::vector<std::string>{"neg"});
    CHECK(fired(c.result.rules, "<13>Nov 21 10:00:00 host cron[1]: job").empty());
}

TEST_CASE("identical tests of different rules share one predicate", "[match][compile]") {
    auto c = compile_yaml(
        rule_yaml("one", "  s:\n    process.name: sshd\n  condition: s\n") + "---\n" +
        rule_yaml("two",
                  "  s:\n    process.name: sshd\n    message|contains: x\n  condition: s\n"));
    REQUIRE(c.result.loaded == 2);
    // process.name = sshd is one exact-value predicate shared by both rules, plus the contains.
    CHECK(c.result.rules->max_predicates() == 2);
    CHECK(c.result.rules->stats().exact_values == 1);
    CHECK(c.result.rules->stats().patterns_per_field.at("message") == 1);
}

TEST_CASE("several rules fire on one event, in rule order", "[match][compile]") {
    auto c = compile_yaml(rule_yaml("first", "  k: [admin]\n  condition: k\n") + "---\n" +
                          rule_yaml("second", "  s:\n    process.name: sshd\n  condition: s\n") +
                          "---\n" + rule_yaml("third", "  k: [nothing]\n  condition: k\n"));
    CHECK(fired(c.result.rules, sshd_line) == std::vector<std::string>{"first", "second"});
}

TEST_CASE("empty records and empty messages are scanned without error", "[match][conditions]") {
    auto c =
        compile_yaml(rule_yaml("empty", "  s:\n    error.type: empty_record\n  condition: s\n") +
                     "---\n" + rule_yaml("k", "  k: [x]\n  condition: k\n"));
    CHECK(fired(c.result.rules, "") == std::vector<std::string>{"empty"});
    CHECK(fired(c.result.rules, "<13>Nov 21 10:00:00 host app:").empty());
}

TEST_CASE("parse errors stay visible to rules", "[match][conditions]") {
    auto c = compile_yaml(rule_yaml(
        "perr", "  s:\n    error.type: pri_out_of_range\n  k: [token]\n  condition: s and k\n"));
    CHECK(fired(c.result.rules, "<999>Nov 21 10:00:00 host app: token").size() == 1);
}

TEST_CASE("a regular expression runs only after its required literal, and still decides",
          "[match][two-stage]") {
    // "invalid" is found by the first stage; the expression then decides the rule.
    CHECK(fires("  s:\n    message|re: 'Invalid user \\w+ from'\n  condition: s\n", sshd_line));
    CHECK_FALSE(fires("  s:\n    message|re: 'Invalid user root'\n  condition: s\n", sshd_line));
    CHECK_FALSE(
        fires("  s:\n    message|re: 'invalid user'\n  condition: s\n", sshd_line)); // cased
    CHECK(fires("  s:\n    message|re|i: 'invalid user'\n  condition: s\n", sshd_line));
}

TEST_CASE("predicates a candidate needs are decided once, whichever rule asks",
          "[match][two-stage]") {
    // `a` triggers on the long literal; `b` shares its short literal and regex with `a` but
    // triggers on something else; `c` filters with the shared predicates under `not`.
    const std::string a =
        rule_yaml("a", "  s:\n    message|contains: 'from 203.0.113'\n    message|re: 'user "
                       "[A-Z]'\n    process.name: sshd\n  condition: s\n");
    const std::string b =
        rule_yaml("b", "  s:\n    process.name: sshd\n  f:\n    message|re: 'user [A-Z]'\n  "
                       "condition: s and not f\n");
    const std::string c =
        rule_yaml("c", "  s:\n    message|contains: Invalid\n  f:\n    message|contains: "
                       "'from 203.0.113'\n  condition: s and not f\n");
    auto set = compile_yaml(a + "---\n" + b + "---\n" + c);
    REQUIRE(set.result.loaded == 3);
    CHECK(fired(set.result.rules, sshd_line) == std::vector<std::string>{"a"});
    CHECK(fired(set.result.rules,
                "<38>Nov 21 10:02:11 bastion sshd[1]: Invalid user admin from 198.51.100.1") ==
          std::vector<std::string>{"b", "c"});
}

TEST_CASE("a field with few values is not what makes a rule a candidate", "[match][two-stage]") {
    // Both tests must hold; the compiler triggers on the process name, not on the severity,
    // which most events share. Either way the answer is the same.
    auto set = compile_yaml(rule_yaml(
        "few", "  s:\n    log.syslog.severity.code: 6\n    process.name: sshd\n  condition: s\n"));
    REQUIRE(set.result.loaded == 1);
    std::size_t triggers_on_severity = 0;
    std::size_t triggers = 0;
    for (const auto& program : set.result.rules->programs()) {
        for (std::size_t p = 0; p < program.predicate_count; ++p) {
            if (!program.rules_using(static_cast<vigil::rules::predicate_id>(p)).empty()) {
                ++triggers;
                if (program.tests[p].field == vigil::core::fields::syslog_severity_code) {
                    ++triggers_on_severity;
                }
            }
        }
    }
    CHECK(triggers > 0);
    CHECK(triggers_on_severity == 0);
    CHECK(fired(set.result.rules, sshd_line) == std::vector<std::string>{"few"});
    CHECK(fired(set.result.rules, "<37>Nov 21 10:02:11 bastion sshd[1]: x").empty());
}
