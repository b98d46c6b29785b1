#include "core/diagnostic.hpp"
#include "core/field_catalog.hpp"
#include "parse/vendor_fields.hpp"
#include "parse/vendor_mapping.hpp"
#include "parse/yaml_reader.hpp"

#include <catch2/catch.hpp>
#include <string>

using namespace vigil;

namespace {

// Whether the one mapping of `yaml` (format kv) detects a record whose `message` is `text`.
bool detects(const std::string& yaml, std::string_view text) {
    core::field_catalog catalog;
    core::diagnostics diags;
    const auto set = parse::parse_vendor_mapping(yaml, "test.yaml", catalog, diags);
    REQUIRE_FALSE(diags.has_errors());
    parse::vendor_fields fields;
    fields.add("message", text);
    return set.detect("kv", fields) != nullptr;
}

} // namespace

TEST_CASE("equals and starts_with tests reject by first byte and length, and still match",
          "[parse][vendor_mapping]") {
    const std::string equals = R"y(
name: t
formats: [kv]
detect: {equals: {message: [sshd, sudo, su, "sshd(pam_unix)"]}}
)y";
    CHECK(detects(equals, "sshd"));
    CHECK(detects(equals, "su"));
    CHECK(detects(equals, "sshd(pam_unix)"));
    CHECK_FALSE(detects(equals, "sshd2")); // a length no value has
    CHECK_FALSE(detects(equals, "ssh"));   // a length one has, but no value
    CHECK_FALSE(detects(equals, "Sudo"));  // a first byte no value has
    CHECK_FALSE(detects(equals, ""));
    const std::string empty = R"y(
name: t
formats: [kv]
detect: {equals: {message: ["", x]}}
)y";
    CHECK(detects(empty, ""));
    CHECK(detects(empty, "x"));
    CHECK_FALSE(detects(empty, "y"));
    const std::string starts = R"y(
name: t
formats: [kv]
detect: {starts_with: {message: ["[Mon ", "MSWinEventLog", "(AB"]}}
)y";
    CHECK(detects(starts, "[Mon Nov 20 09:00:00 2026] [error]"));
    CHECK(detects(starts, "MSWinEventLog\t1\tSecurity"));
    CHECK(detects(starts, "(AB"));
    CHECK_FALSE(detects(starts, "(A")); // shorter than every value
    CHECK_FALSE(detects(starts, "Mon Nov"));
    CHECK_FALSE(detects(starts, "[Tue Nov 20"));
}

TEST_CASE("contains tests find any value, searched by a shared start, end or each value",
          "[parse][mapping]") {
    // " GET /", " POST /", ...: only " /" is shared, at the end.
    const std::string methods = R"(name: m
formats: [kv]
detect: {contains: {message: [" GET /", " POST /", " PROPFIND /"]}}
)";
    CHECK(detects(methods, "2026-11-21 10:00:00 10.0.0.1 GET /index.html - 80"));
    CHECK(detects(methods, "x POST /a"));
    CHECK(detects(methods, " PROPFIND /"));
    CHECK(detects(methods, "a /b / POST /")); // the shared end occurs first where no value ends
    CHECK_FALSE(detects(methods, "GET /index.html")); // no space before
    CHECK_FALSE(detects(methods, "x  /y POST/ GET"));
    CHECK_FALSE(detects(methods, "/"));
    // "type=SYSCALL", "type=EXECVE": "type=" is shared at the start.
    const std::string types = R"(name: t
formats: [kv]
detect: {contains: {message: ["type=SYSCALL", "type=EXECVE"]}}
)";
    CHECK(detects(types, "node=a type=type=EXECVE msg=audit(1:2)"));
    CHECK_FALSE(detects(types, "type=PATH type=CWD"));
    // Nothing shared: each value searched on its own.
    const std::string apart = R"(name: a
formats: [kv]
detect: {contains: {message: ["%ASA-", "SRC="]}}
)";
    CHECK(detects(apart, "kernel: IN=eth0 SRC=1.2.3.4"));
    CHECK(detects(apart, ": %ASA-4-106023: Deny"));
    CHECK_FALSE(detects(apart, "plain text"));
}

TEST_CASE("every key a mapping does not know is an error at its line and column, with a "
          "suggestion when it is a misspelling",
          "[parse][vendor_mapping]") {
    core::field_catalog catalog;
    core::diagnostics diags;
    const auto set = parse::parse_vendor_mapping(R"y(name: t
formats: [kv]
detcet: [devname]
detect: [devname]
extract:
  - from: msg
    dissect: '%{a} %{b}'
    whne: {exists: [a]}
translate:
  - {from: a, to: event.action, values: {x: y}, otherwize: z}
)y",
                                                 "m.yaml", catalog, diags);
    INFO(diags.to_string());
    REQUIRE(diags.error_count() == 3);
    CHECK(diags.items()[0].to_string().starts_with(
        "m.yaml:3:1: unknown key 'detcet' in a mapping (did you mean 'detect'?; known here: "
        "name formats detect"));
    CHECK(diags.items()[0].code == "unknown_key");
    CHECK(diags.items()[1].to_string().starts_with(
        "m.yaml:8:5: unknown key 'whne' in an extract step (did you mean 'when'?"));
    CHECK(diags.items()[2].to_string().starts_with(
        "m.yaml:10:49: unknown key 'otherwize' in a translation (did you mean 'otherwise'?"));
    CHECK(set.mappings.size() == 6); // the built-in generic ones only: `t` was refused
}

TEST_CASE("a key far from every known one gets no suggestion", "[parse][vendor_mapping]") {
    CHECK(parse::misspelling_of("levle", {"level", "tags"}) == "level");
    CHECK(parse::misspelling_of("falsepositive", {"falsepositives", "fields"}) == "falsepositives");
    CHECK(parse::misspelling_of("simulation", {"level", "status", "description"}) == std::nullopt);
    CHECK(parse::misspelling_of("tag", {"tags"}) == "tags");
    CHECK(parse::misspelling_of("ab", {"id"}) == std::nullopt); // too short to guess from
}
