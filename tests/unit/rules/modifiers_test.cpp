// Each Sigma modifier and value form, end to end: rule text -> compiled rule set -> matcher, on
// JSON events (Windows, as the windows mapping reads them) and syslog lines.

#include "support/rule_helpers.hpp"

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <unistd.h>

using vigil::test::compile_yaml;
using vigil::test::fired;
using vigil::test::fired_json;
using vigil::test::rule_yaml;
using vigil::test::sysmon_process;

namespace {

const std::string process_creation = "{product: windows, category: process_creation}";

// Compiles one Windows process creation rule and says whether it fires on `event`.
bool fires_on(const std::string& detection, const std::string& event,
              const vigil::rules::ioc_lists& lists = {}) {
    auto c = compile_yaml(rule_yaml("r", detection, process_creation), "test.yml", lists);
    INFO(c.diags.to_string());
    REQUIRE_FALSE(c.diags.has_errors());
    REQUIRE(c.result.loaded == 1);
    return !fired_json(c.result.rules, event).empty();
}

std::string process(const std::string& image, const std::string& command_line,
                    const std::string& extra = "") {
    return sysmon_process(image, command_line, extra);
}

} // namespace

TEST_CASE("Windows events: Sigma field names meet the mapped EventData", "[modifiers][json]") {
    const auto e = process("C:\\\\Windows\\\\System32\\\\cmd.exe", "cmd.exe /c whoami",
                           R"(,"ParentImage":"C:\\Windows\\explorer.exe","User":"CORP\\alice")");
    CHECK(fires_on("  s:\n    Image|endswith: '\\cmd.exe'\n  condition: s\n", e));
    CHECK(fires_on("  s:\n    ParentImage|endswith: '\\EXPLORER.EXE'\n  condition: s\n", e));
    CHECK(fires_on("  s:\n    EventID: 1\n    Computer: ws01\n  condition: s\n", e));
    CHECK(fires_on("  s:\n    Provider_Name: Microsoft-Windows-Sysmon\n  condition: s\n", e));
    CHECK(fires_on("  s:\n    User: 'CORP\\alice'\n  condition: s\n", e));
    CHECK_FALSE(fires_on("  s:\n    Image|endswith: '\\powershell.exe'\n  condition: s\n", e));
}

TEST_CASE("windash matches every dash and slash form of a flag", "[modifiers]") {
    const std::string rule = "  s:\n    CommandLine|contains|windash: ' -enc '\n  condition: s\n";
    CHECK(fires_on(rule, process("C:\\\\p.exe", "powershell -enc AAA")));
    CHECK(fires_on(rule, process("C:\\\\p.exe", "powershell /enc AAA")));
    CHECK(fires_on(rule, process("C:\\\\p.exe", "powershell \u2013enc AAA"))); // en dash
    CHECK(fires_on(rule, process("C:\\\\p.exe", "powershell \u2015enc AAA"))); // horizontal bar
    CHECK_FALSE(fires_on(rule, process("C:\\\\p.exe", "powershell +enc AAA")));
}

TEST_CASE("base64offset finds a value inside base64 at any offset", "[modifiers]") {
    const std::string rule =
        "  s:\n    CommandLine|base64offset|contains: '/bin/bash'\n  condition: s\n";
    // base64 of "x/bin/bash -i", " /bin/bash", "ab/bin/bash" (offsets 1, 1, 2).
    CHECK(fires_on(rule, process("C:\\\\p.exe", "echo eC9iaW4vYmFzaCAtaQ== | base64 -d")));
    CHECK(fires_on(rule, process("C:\\\\p.exe", "IC9iaW4vYmFzaA==")));
    CHECK(fires_on(rule, process("C:\\\\p.exe", "YWIvYmluL2Jhc2g=")));
    CHECK_FALSE(fires_on(rule, process("C:\\\\p.exe", "L3Vzci9iaW4venNo"))); // /usr/bin/zsh
}

TEST_CASE("base64 and wide encode the value before matching", "[modifiers]") {
    CHECK(fires_on("  s:\n    CommandLine|base64|contains: 'whoami'\n  condition: s\n",
                   process("C:\\\\p.exe", "x d2hvYW1p y")));
    // -EncodedCommand payloads are base64 of UTF-16LE.
    CHECK(
        fires_on("  s:\n    CommandLine|wide|base64offset|contains: 'IEX'\n  condition: s\n",
                 process("C:\\\\p.exe", "powershell -e SQBFAFgAIAAoAE4AZQB3AC0ATwBiAGoAZQBjAHQA")));
}

TEST_CASE("cidr matches IPv4 and IPv6 networks", "[modifiers]") {
    const auto event = [](const std::string& ip) {
        return process("C:\\\\p.exe", "x", R"(,"DestinationIp":")" + ip + "\"");
    };
    const std::string rule =
        "  s:\n    DestinationIp|cidr:\n      - 10.0.0.0/8\n      - 2001:db8::/32\n"
        "  condition: s\n";
    CHECK(fires_on(rule, event("10.20.30.40")));
    CHECK(fires_on(rule, event("2001:db8:1::7")));
    CHECK_FALSE(fires_on(rule, event("192.0.2.1")));
    CHECK_FALSE(fires_on(rule, event("2001:db9::1")));
    CHECK_FALSE(fires_on(rule, event("not an address")));
    CHECK(fires_on("  s:\n    DestinationIp|cidr|neq: 10.0.0.0/8\n  condition: s\n",
                   event("192.0.2.1")));
}

TEST_CASE("lt, lte, gt and gte compare numbers", "[modifiers]") {
    const auto event = [](const std::string& n) {
        return process("C:\\\\p.exe", "x", R"(,"TerminalSessionId":")" + n + "\"");
    };
    CHECK(fires_on("  s:\n    TerminalSessionId|gt: 1\n  condition: s\n", event("2")));
    CHECK_FALSE(fires_on("  s:\n    TerminalSessionId|gt: 2\n  condition: s\n", event("2")));
    CHECK(fires_on("  s:\n    TerminalSessionId|gte: 2\n  condition: s\n", event("2")));
    CHECK(fires_on("  s:\n    TerminalSessionId|lt: 0x10\n  condition: s\n", event("15")));
    CHECK(fires_on("  s:\n    TerminalSessionId|lte: -1.5\n  condition: s\n", event("-2")));
    CHECK_FALSE(fires_on("  s:\n    TerminalSessionId|lt: 5\n  condition: s\n", event("three")));
}

TEST_CASE("neq is the negation of equality", "[modifiers]") {
    const auto e = process("C:\\\\Windows\\\\cmd.exe", "cmd");
    CHECK(fires_on("  s:\n    Computer|neq: ws02\n  condition: s\n", e));
    CHECK_FALSE(
        fires_on("  s:\n    Computer|neq:\n      - ws01\n      - ws02\n  condition: s\n", e));
}

TEST_CASE("fieldref compares two fields of the event", "[modifiers]") {
    const std::string same = process("C:\\\\a.exe", "x", R"(,"ParentImage":"C:\\A.EXE")");
    const std::string other = process("C:\\\\a.exe", "x", R"(,"ParentImage":"C:\\b.exe")");
    CHECK(fires_on("  s:\n    Image|fieldref: ParentImage\n  condition: s\n", same));
    CHECK_FALSE(fires_on("  s:\n    Image|fieldref: ParentImage\n  condition: s\n", other));
    CHECK(fires_on("  s:\n    Image|fieldref|neq: ParentImage\n  condition: s\n", other));
    CHECK_FALSE(fires_on("  s:\n    Image|fieldref|cased: ParentImage\n  condition: s\n", same));
    CHECK(fires_on("  s:\n    CommandLine|fieldref|startswith: Computer\n  condition: s\n",
                   process("C:\\\\a.exe", "ws01 says hello")));
}

TEST_CASE("exists, null and empty values", "[modifiers]") {
    const auto e = process("C:\\\\a.exe", "", R"(,"ParentImage":null)");
    CHECK(fires_on("  s:\n    ParentImage|exists: true\n  condition: s\n", e)); // null is present
    CHECK(fires_on("  s:\n    ParentImage: null\n  condition: s\n", e));        // ... and empty
    CHECK(fires_on("  s:\n    OriginalFileName: null\n  condition: s\n", e));   // absent
    CHECK(fires_on("  s:\n    CommandLine: ''\n  condition: s\n", e));
    CHECK_FALSE(fires_on("  s:\n    OriginalFileName|exists: true\n  condition: s\n", e));
}

TEST_CASE("expand looks IOC lists up by kind: network, domain suffix, exact", "[modifiers][ioc]") {
    namespace fs = std::filesystem;
    const fs::path dir = fs::temp_directory_path() / ("vigil-lists-" + std::to_string(::getpid()));
    fs::create_directories(dir);
    std::ofstream(dir / "c2.txt")
        << "# C2 infrastructure\n203.0.113.0/24\n198.51.100.7\n"
           "evil.example   # and its subdomains\nDEADBEEFDEADBEEFDEADBEEFDEADBEEF\n";
    vigil::core::diagnostics diags;
    const auto lists = vigil::rules::ioc_lists::load(dir, diags);
    fs::remove_all(dir);
    REQUIRE(lists.find("c2") != nullptr);
    CHECK(lists.entries() == 4);
    const auto event = [](const std::string& field, const std::string& value) {
        return process("C:\\\\a.exe", "x", ",\"" + field + "\":\"" + value + "\"");
    };
    const std::string ip_rule = "  s:\n    DestinationIp|expand: '%c2%'\n  condition: s\n";
    CHECK(fires_on(ip_rule, event("DestinationIp", "203.0.113.99"), lists));
    CHECK(fires_on(ip_rule, event("DestinationIp", "198.51.100.7"), lists));
    CHECK_FALSE(fires_on(ip_rule, event("DestinationIp", "198.51.100.8"), lists));
    const std::string host_rule = "  s:\n    DestinationHostname|expand: '%c2%'\n  condition: s\n";
    CHECK(fires_on(host_rule, event("DestinationHostname", "cdn.EVIL.example"), lists));
    CHECK(fires_on(host_rule, event("DestinationHostname", "evil.example"), lists));
    CHECK_FALSE(fires_on(host_rule, event("DestinationHostname", "notevil.example"), lists));
    const std::string hash_rule = "  s:\n    Hashes|expand: '%c2%'\n  condition: s\n";
    CHECK(fires_on(hash_rule, event("Hashes", "deadbeefdeadbeefdeadbeefdeadbeef"), lists));
    // Embedded in a longer value, the entries become patterns.
    CHECK(fires_on("  s:\n    CommandLine|contains|expand: 'curl http://%c2%'\n  condition: s\n",
                   process("C:\\\\a.exe", "curl http://evil.example/x"), lists));
}

TEST_CASE("the condition examples of the Sigma specification", "[modifiers][spec]") {
    const auto e = process("C:\\\\x\\\\ev.exe", "mimikatz privilege::debug");
    const std::string searches =
        "  keywords1:\n    - mimikatz\n  keywords2:\n    - nothing\n"
        "  selection1:\n    Image|endswith: ev.exe\n  selection2:\n    Computer: nope\n"
        "  filters:\n    CommandLine|contains: sekurlsa\n";
    CHECK(fires_on(searches + "  condition: keywords1 or keywords2\n", e));
    CHECK(fires_on(searches + "  condition: keywords1 and not filters\n", e));
    CHECK(fires_on(searches + "  condition: selection1 and (keywords1 or keywords2)\n", e));
    CHECK(fires_on(searches + "  condition: 1 of selection* and keywords1\n", e));
    CHECK_FALSE(fires_on(searches + "  condition: all of selection*\n", e));
    CHECK(fires_on(searches + "  condition: 1 of selection* and not 1 of filter*\n", e));
    CHECK(fires_on(searches + "  condition: 1 of them\n", e));
    CHECK_FALSE(fires_on(searches + "  condition: all of them\n", e));
}

TEST_CASE("keywords of a JSON event search the whole record", "[modifiers][json]") {
    CHECK(fires_on("  keywords:\n    - 'privilege::debug'\n  condition: keywords\n",
                   process("C:\\\\a.exe", "mimikatz privilege::debug")));
}

TEST_CASE("every rejection reason is reported", "[modifiers][rejections]") {
    auto reason = [](const std::string& detection,
                     const std::string& logsource = process_creation) {
        auto c = compile_yaml(rule_yaml("bad", detection, logsource));
        REQUIRE(c.diags.has_errors());
        return c.diags.to_string();
    };
    CHECK(reason("  s:\n    Image|contains|re: x\n  condition: s\n")
              .find("conflicts with an earlier one") != std::string::npos);
    CHECK(reason("  s:\n    Image|re|base64: x\n  condition: s\n")
              .find("value encodings (base64, utf16, windash) cannot be combined with") !=
          std::string::npos);
    CHECK(reason("  s:\n    Image|fieldref|re: x\n  condition: s\n")
              .find("'fieldref' combines only with") != std::string::npos);
    CHECK(reason("  s:\n    Image|base64: 'a*b'\n  condition: s\n")
              .find("has wildcards, which cannot be encoded") != std::string::npos);
    CHECK(reason("  s:\n    DestinationIp|cidr: 10.0.0.300/8\n  condition: s\n")
              .find("'10.0.0.300/8' is not an IPv4 or IPv6 address or network") !=
          std::string::npos);
    CHECK(reason("  s:\n    Count|gt: many\n  condition: s\n").find("'many' is not a number") !=
          std::string::npos);
    CHECK(reason("  s:\n    CommandLine|re: 'a{0,32767}'\n  condition: s\n")
              .find("bounded repeat {0,32767} is larger than 1000") != std::string::npos);
    CHECK(
        reason("  s:\n    CommandLine|re: '(a)\\1'\n  condition: s\n").find("cannot be compiled") !=
        std::string::npos);
    CHECK(reason("  s:\n    User|expand: '%admins%'\n  condition: s\n")
              .find("placeholder %admins% has no IOC list (rules/lists/admins.txt)") !=
          std::string::npos);
    CHECK(reason("  s:\n    Image: x\n  condition: s\n", "{product: amiga}")
              .find("log source (product: amiga) has no mapping in schemas/logsources.yaml") !=
          std::string::npos);
    CHECK(reason("  s:\n    Image|exists: maybe\n  condition: s\n")
              .find("'exists' takes true or false") != std::string::npos);
    CHECK(reason("  s:\n    '|cidr': 10.0.0.0/8\n  condition: s\n")
              .find("keywords take only string modifiers") != std::string::npos);
}
