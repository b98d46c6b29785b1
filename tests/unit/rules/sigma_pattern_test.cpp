#include "rules/sigma_pattern.hpp"

#include <catch2/catch.hpp>
#include <hs.h>

using namespace vigil::rules;

namespace {
hs_expression build(match_kind kind, const std::string& value, bool cased = false) {
    return build_expression(parse_wildcards(value), kind, cased);
}
} // namespace

TEST_CASE("plain values become escaped, anchored, caseless expressions", "[rules][pattern]") {
    auto eq = build(match_kind::equals, "sshd");
    CHECK(eq.pattern == "\\Asshd\\z");
    CHECK((eq.flags & HS_FLAG_CASELESS) != 0);
    CHECK((eq.flags & HS_FLAG_SINGLEMATCH) != 0);
    CHECK(build(match_kind::contains, "a.b").pattern == "a\\x2eb");
    CHECK(build(match_kind::startswith, "Invalid user ").pattern == "\\AInvalid\\x20user\\x20");
    CHECK(build(match_kind::endswith, ".exe").pattern == "\\x2eexe\\z");
}

TEST_CASE("sigma wildcards become regex wildcards and leading/trailing runs are dropped",
          "[rules][pattern]") {
    CHECK(build(match_kind::equals, "*evil*").pattern == "evil");
    // In Sigma "\\*" is a backslash then a wildcard ("\*" alone would be a literal star).
    CHECK(build(match_kind::equals, "C:\\Windows\\\\*.exe").pattern ==
          "\\AC\\x3a\\x5cWindows\\x5c.*\\x2eexe\\z");
    CHECK(build(match_kind::equals, "a?c").pattern == "\\Aa.c\\z");
    CHECK(build(match_kind::startswith, "*x").pattern == "x");
    CHECK(build(match_kind::equals, "*").pattern.empty());
}

TEST_CASE("sigma backslash escapes follow the specification", "[rules][pattern]") {
    // \* and \? are literal; \\ before a wildcard is a backslash; \\\* is backslash + star.
    CHECK(build(match_kind::equals, "a\\*b").pattern == "\\Aa\\x2ab\\z");
    CHECK(build(match_kind::equals, "a\\?b").pattern == "\\Aa\\x3fb\\z");
    CHECK(build(match_kind::equals, "a\\\\*").pattern == "\\Aa\\x5c");
    CHECK(build(match_kind::equals, "a\\\\\\*").pattern == "\\Aa\\x5c\\x2a\\z");
    // A lone backslash not before a wildcard stands for itself.
    CHECK(build(match_kind::equals, "a\\b").pattern == "\\Aa\\x5cb\\z");
}

TEST_CASE("cased values match case-sensitively, regexes are case-sensitive unless |i",
          "[rules][pattern]") {
    CHECK((build(match_kind::contains, "x", true).flags & HS_FLAG_CASELESS) == 0);
    regex_flags flags;
    auto plain = build_regex("a+b", flags);
    CHECK(plain.pattern == "a+b");
    CHECK((plain.flags & HS_FLAG_CASELESS) == 0);
    flags.caseless = true;
    flags.multiline = true;
    flags.dotall = true;
    auto flagged = build_regex("a+b", flags);
    CHECK((flagged.flags & HS_FLAG_CASELESS) != 0);
    CHECK((flagged.flags & HS_FLAG_MULTILINE) != 0);
    CHECK((flagged.flags & HS_FLAG_DOTALL) != 0);
}

TEST_CASE("expressions that are plain byte strings are recognised as literals",
          "[rules][pattern]") {
    auto lit = as_literal(build(match_kind::endswith, "\\Cmd.EXE"));
    REQUIRE(lit);
    CHECK(lit->bytes == "\\cmd.exe"); // caseless: lower-cased
    CHECK_FALSE(lit->cased);
    CHECK(lit->anchor_end);
    CHECK_FALSE(lit->anchor_start);

    lit = as_literal(build(match_kind::equals, "Admin", true));
    REQUIRE(lit);
    CHECK(lit->bytes == "Admin");
    CHECK(lit->cased);
    CHECK((lit->anchor_start && lit->anchor_end));

    lit = as_literal(build(match_kind::contains, ""));
    REQUIRE(lit);
    CHECK(lit->bytes.empty());

    // Wildcards, dash classes and regular expressions are not literals.
    CHECK_FALSE(as_literal(build(match_kind::contains, "a*b")));
    CHECK_FALSE(as_literal(build(match_kind::contains, "a?b")));
    CHECK_FALSE(as_literal(build_regex("ab\\d", {})));
    CHECK_FALSE(as_literal(build_regex("a\\\\z", {}))); // a backslash then z, not \z
    // A regex that happens to be a plain word is one.
    lit = as_literal(build_regex("mimikatz", {}));
    REQUIRE(lit);
    CHECK(lit->cased);
    CHECK(lit->bytes == "mimikatz");
}

TEST_CASE("a regular expression's required literal is a substring of every match",
          "[rules][pattern]") {
    auto req = [](const std::string& pattern) {
        return required_literal(build_regex(pattern, {}));
    };
    CHECK(req("ipconfig\\s+/all") == "ipconfig");
    CHECK(req("Net\\.WebClient.*DownloadString") == "downloadstring"); // lower-cased
    CHECK(req("(?i)invoke-mimikatz") == "invoke-mimikatz");
    CHECK(req("[a-z]{3}evil\\.exe") == "evil.exe");
    CHECK(req("abc*def") == "def"); // c may be absent: "ab", then "def"
    CHECK(req("x{2,9}yz") == "yz");
    CHECK(req("(foo|bar)bazz") == "bazz");
    CHECK(req("a\\x41bc") == "aabc");
    CHECK(req("\\$env:comspec") == "$env:comspec");
    // No byte is common to all matches.
    CHECK_FALSE(req("foo|bar"));
    CHECK_FALSE(req("\\d+\\s*"));
    CHECK_FALSE(req("(unterminated"));
    // Sigma wildcards: the longest literal between them.
    CHECK(required_literal(build(match_kind::contains, "cmd*/c*whoami")) == "whoami");
    CHECK(required_literal(build(match_kind::contains, "-enc*")) == "-enc");
}
