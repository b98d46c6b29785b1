#include "rules/condition_parser.hpp"

#include <catch2/catch.hpp>
#include <functional>
#include <string>
#include <vector>

using namespace vigil::rules;
using kind = condition_expr::kind;

namespace {

std::vector<search> searches(std::initializer_list<std::string> names) {
    std::vector<search> out;
    for (const auto& n : names) {
        search s;
        s.name = n;
        out.push_back(s);
    }
    return out;
}

// Evaluates a condition with the given search outcomes.
bool eval(const condition_expr& e, const std::vector<bool>& truth) {
    switch (e.type) {
    case kind::search_ref:
        return truth[e.search];
    case kind::negate:
        return !eval(e.children[0], truth);
    case kind::all_of:
        for (const auto& c : e.children) {
            if (!eval(c, truth)) {
                return false;
            }
        }
        return true;
    case kind::any_of:
        for (const auto& c : e.children) {
            if (eval(c, truth)) {
                return true;
            }
        }
        return false;
    }
    return false;
}

// The truth table of a condition over all outcomes of its searches.
std::vector<bool> table(const std::string& condition, const std::vector<search>& s) {
    auto parsed = parse_condition(condition, s);
    REQUIRE(parsed.has_value());
    std::vector<bool> out;
    for (unsigned bits = 0; bits < (1u << s.size()); ++bits) {
        std::vector<bool> truth;
        for (std::size_t i = 0; i < s.size(); ++i) {
            truth.push_back(((bits >> i) & 1u) != 0);
        }
        out.push_back(eval(*parsed, truth));
    }
    return out;
}

} // namespace

TEST_CASE("and binds tighter than or, not tighter than and", "[rules][condition]") {
    const auto s = searches({"a", "b", "c"});
    CHECK(table("a or b and c", s) == table("a or (b and c)", s));
    CHECK(table("not a and b", s) == table("(not a) and b", s));
    CHECK(table("a and not b or c", s) == table("(a and (not b)) or c", s));
    CHECK(table("not not a", s) == table("a", s));
}

TEST_CASE("parentheses override precedence", "[rules][condition]") {
    const auto s = searches({"a", "b", "c"});
    CHECK(table("(a or b) and c", s) != table("a or b and c", s));
}

TEST_CASE("x of patterns expand to the matching search identifiers", "[rules][condition]") {
    const auto s = searches({"selection_1", "selection_2", "filter", "_private"});
    CHECK(table("1 of selection*", s) == table("selection_1 or selection_2", s));
    CHECK(table("all of selection*", s) == table("selection_1 and selection_2", s));
    CHECK(table("1 of them", s) == table("selection_1 or selection_2 or filter", s));
    CHECK(table("all of them", s) == table("selection_1 and selection_2 and filter", s));
    CHECK(table("1 of *_2", s) == table("selection_2", s));
    CHECK(table("1 of selection* and not filter", s) ==
          table("(selection_1 or selection_2) and not filter", s));
}

TEST_CASE("condition errors say what is wrong", "[rules][condition]") {
    const auto s = searches({"selection", "filter"});
    auto check_error = [&](const std::string& text, const std::string& expected) {
        auto parsed = parse_condition(text, s);
        REQUIRE_FALSE(parsed.has_value());
        INFO(parsed.error());
        CHECK(parsed.error().find(expected) != std::string::npos);
        CHECK(parsed.error().find(text) != std::string::npos);
    };
    check_error("selection and missing", "unknown search identifier 'missing'");
    check_error("(selection", "missing ')'");
    check_error("selection and", "ends where an identifier or '(' is expected");
    check_error("1 of nothing*", "'nothing*' matches no search identifier");
    check_error("1 selection", "expected 'of' after '1'");
    check_error("selection | count() by src > 5", "write a correlation rule instead");
    check_error("selection filter", "unexpected 'filter'");
    check_error("or selection", "'or' without a left operand");
}

TEST_CASE("hostile nesting is an error, not a stack overflow", "[rules][condition]") {
    const auto s = searches({"sel"});
    // 64 levels are fine, in parentheses and in nots.
    const std::string ok = std::string(64, '(') + "sel" + std::string(64, ')');
    CHECK(parse_condition(ok, s).has_value());
    std::string nots;
    for (int i = 0; i < 64; ++i) {
        nots += "not ";
    }
    CHECK(parse_condition(nots + "sel", s).has_value());
    // Deeper, even by a hundred thousand levels: a short error naming the limit.
    for (const std::string& deep :
         {std::string(65, '(') + "sel" + std::string(65, ')'),
          std::string(100000, '(') + "sel" + std::string(100000, ')'), nots + "not sel",
          std::string(50000, '(') + "not " + std::string(50000, '(')}) {
        const auto parsed = parse_condition(deep, s);
        REQUIRE_FALSE(parsed.has_value());
        CHECK(parsed.error().find("nest more than 64 levels deep") != std::string::npos);
        CHECK(parsed.error().size() < 300);
    }
}
