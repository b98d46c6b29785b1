#include "parse/json_batch.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using vigil::parse::split_json_batch;

TEST_CASE("batch documents split into their records", "[parse][json-batch]") {
    std::vector<std::string_view> out;
    // CloudTrail's S3 log file shape.
    const std::string cloudtrail =
        R"({"Records":[{"eventName":"ConsoleLogin","a":{"b":[1,2,{"c":"}"}]}},)"
        "\n  "
        R"({"eventName":"DeleteTrail","note":"a \"quoted\" ]} brace"}]})";
    REQUIRE(split_json_batch(cloudtrail, out));
    REQUIRE(out.size() == 2);
    CHECK(out[0] == R"({"eventName":"ConsoleLogin","a":{"b":[1,2,{"c":"}"}]}})");
    CHECK(out[1] == R"({"eventName":"DeleteTrail","note":"a \"quoted\" ]} brace"})");
    // Azure Monitor's diagnostic export, with space around everything.
    REQUIRE(split_json_batch(" { \"records\" : [ {\"category\":\"SignInLogs\"} ] }\r\n", out));
    REQUIRE(out.size() == 1);
    CHECK(out[0] == R"({"category":"SignInLogs"})");
}

TEST_CASE("documents that are not batches stay whole", "[parse][json-batch]") {
    std::vector<std::string_view> out{"stale"};
    const char* whole[] = {
        R"({"eventName":"ConsoleLogin"})",                // an ordinary record
        R"({"Records":[]})",                               // nothing to split
        R"({"Records":[{"a":1}],"more":true})",            // another key beside the array
        R"({"detail":{"Records":[{"a":1}]}})",             // not at the top
        R"({"Records":[{"a":1},2]})",                      // an element that is not an object
        R"({"Records":[{"a":"unterminated}]})",            // not well-formed
        R"({"Records":[{"a":1}]} trailing)",               // text after the document
        R"({"Records":{"a":1}})",                          // not an array
        "<13>Nov 21 10:00:00 host app: {\"Records\":[{}]}", // syslog carrying JSON
        "",
    };
    for (const char* text : whole) {
        INFO(text);
        CHECK_FALSE(split_json_batch(text, out));
        CHECK(out.empty());
    }
}
