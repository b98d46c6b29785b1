#include "core/json_writer.hpp"

#include <catch2/catch.hpp>
#include <string>
#include <utility>
#include <vector>

using vigil::core::json_writer;

TEST_CASE("json writer places commas and nests containers", "[core][json]") {
    std::string out;
    json_writer w(out);
    w.begin_object();
    w.field("a", 1).field("b", "two");
    w.key("list").begin_array().value(true).null().value(std::uint64_t{3}).end_array();
    w.key("empty").begin_object().end_object();
    w.end_object();
    CHECK(out == R"({"a":1,"b":"two","list":[true,null,3],"empty":{}})");
}

TEST_CASE("json writer places commas right in containers nested past 64 levels", "[core][json]") {
    // Each level holds a number, the next level and another number: [1,[1,...,2],2].
    constexpr int depth = 70;
    std::string out;
    json_writer w(out);
    for (int level = 0; level < depth; ++level) {
        w.begin_array().value(1);
    }
    for (int level = 0; level < depth; ++level) {
        w.value(2).end_array();
    }
    std::string expected;
    for (int level = 0; level < depth; ++level) {
        expected += level == 0 ? "[1" : ",[1";
    }
    for (int level = 0; level < depth; ++level) {
        expected += ",2]";
    }
    CHECK(out == expected);
}

TEST_CASE("json writer escapes quotes, backslashes and control characters", "[core][json]") {
    std::string out;
    json_writer::escape(out, "a\"b\\c\nd\te\x01");
    CHECK(out == R"(a\"b\\c\nd\te\u0001)");
}

TEST_CASE("json writer escapes a special byte at every place of a long plain run", "[core][json]") {
    // Plain runs are scanned eight bytes at a time: a special byte is found in any lane.
    const std::string plain(40, 'x');
    const std::vector<std::pair<std::string, std::string>> specials = {
        {"\"", "\\\""}, {"\\", "\\\\"},           {"\x1f", "\\u001f"}, {"\x7f", "\x7f"},
        {" ", " "},     {"\xC3\xA9", "\xC3\xA9"}, {"\xFF", "\\ufffd"}};
    for (std::size_t at = 0; at <= plain.size(); ++at) {
        for (const auto& [special, escaped] : specials) {
            std::string out;
            json_writer::escape(out, plain.substr(0, at) + special + plain.substr(at));
            CHECK(out == plain.substr(0, at) + escaped + plain.substr(at));
        }
    }
}

TEST_CASE("json writer keeps valid UTF-8 and replaces invalid bytes", "[core][json]") {
    std::string out;
    json_writer::escape(out, "caf\xC3\xA9 \xE6\x97\xA5");
    CHECK(out == "caf\xC3\xA9 \xE6\x97\xA5");
    out.clear();
    json_writer::escape(out, "bad \xFF\xC3 end");
    CHECK(out == "bad \\ufffd\\ufffd end");
    out.clear();
    json_writer::escape(out, "\xC0\xAF"); // overlong '/'
    CHECK(out == "\\ufffd\\ufffd");
    out.clear();
    json_writer::escape(out, "\xED\xA0\x80"); // a UTF-16 surrogate
    CHECK(out == "\\ufffd\\ufffd\\ufffd");
}

TEST_CASE("utf-8 validation", "[core][json]") {
    CHECK(vigil::core::is_valid_utf8("plain"));
    CHECK(vigil::core::is_valid_utf8("\xF0\x9F\x98\x80"));
    CHECK_FALSE(vigil::core::is_valid_utf8("\xF0\x9F\x98"));
    CHECK_FALSE(vigil::core::is_valid_utf8("\xF4\x90\x80\x80")); // past U+10FFFF
}

TEST_CASE("json writer continues a complete object with more members", "[core][json]") {
    std::string out = R"({"a":1,"b":{"c":[2]}})";
    vigil::core::json_writer w(out);
    w.reopen_object().field("d", "x").key("e").begin_array().value(3).end_array().end_object();
    CHECK(out == R"({"a":1,"b":{"c":[2]},"d":"x","e":[3]})");

    std::string empty = "{}";
    vigil::core::json_writer e(empty);
    e.reopen_object().field("d", std::int64_t{4}).end_object();
    CHECK(empty == R"({"d":4})");
}
