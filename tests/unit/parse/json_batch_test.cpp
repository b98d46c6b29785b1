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
    // Security Hub's findings in an EventBridge event: the envelope's members come first.
    const std::string securityhub =
        R"({"version":"0","id":"e1","detail-type":"Security Hub Findings - Imported",)"
        R"("source":"aws.securityhub","account":"111122223333","resources":["arn:a","arn:b"],)"
        R"("detail":{"findings":[{"SchemaVersion":"2018-10-08","Title":"a, \"b\"","Resources":[{"Id":"arn:a"}]},)"
        R"( {"SchemaVersion":"2018-10-08","Title":"c"}]}})";
    REQUIRE(split_json_batch(securityhub, out));
    REQUIRE(out.size() == 2);
    CHECK(out[0] ==
          R"({"SchemaVersion":"2018-10-08","Title":"a, \"b\"","Resources":[{"Id":"arn:a"}]})");
    CHECK(out[1] == R"({"SchemaVersion":"2018-10-08","Title":"c"})");
}

TEST_CASE("documents that are not batches stay whole", "[parse][json-batch]") {
    std::vector<std::string_view> out{"stale"};
    const char* whole[] = {
        R"({"eventName":"ConsoleLogin"})",                  // an ordinary record
        R"({"Records":[]})",                                // nothing to split
        R"({"Records":[{"a":1}],"more":true})",             // another key beside the array
        R"({"detail":{"Records":[{"a":1}]}})",              // not at the top
        R"({"Records":[{"a":1},2]})",                       // an element that is not an object
        R"({"Records":[{"a":"unterminated}]})",             // not well-formed
        R"({"Records":[{"a":1}]} trailing)",                // text after the document
        R"({"Records":{"a":1}})",                           // not an array
        "<13>Nov 21 10:00:00 host app: {\"Records\":[{}]}", // syslog carrying JSON
        // EventBridge: a GuardDuty finding is the detail itself; findings beside another key;
        // not an EventBridge event; the envelope broken after the findings.
        R"({"detail-type":"GuardDuty Finding","detail":{"id":"f","findings":[{"a":1}]}})",
        R"({"detail-type":"x","detail":{"findings":[{"a":1}],"more":1}})",
        R"({"detail":{"findings":[{"a":1}]}})",
        R"({"detail-type":"x","detail":{"findings":[{"a":1}]},"region":})",
        R"({"detail-type":"x","detail":{"findings":[{"a":1} {"b":2}]}})",
        "",
    };
    for (const char* text : whole) {
        INFO(text);
        CHECK_FALSE(split_json_batch(text, out));
        CHECK(out.empty());
    }
}
