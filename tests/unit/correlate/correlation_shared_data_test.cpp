// Correlation over real third-party logs (../shared/data): the correlator's answer must equal
// the one a plain reference implementation in the test computes from the same file.
#include "core/civil_time.hpp"
#include "replay/replay_session.hpp"
#include "rules/rule_compiler.hpp"
#include "support/rule_helpers.hpp"
#include "support/text_files.hpp"

#include <algorithm>
#include <catch2/catch.hpp>
#include <map>
#include <regex>
#include <set>
#include <simdjson.h>
#include <string>
#include <vector>

namespace vigil {
namespace {

const std::string shared = VIGIL_SHARED_DATA_DIR;
constexpr std::int64_t second = 1'000'000'000;

std::set<std::string> alerted_keys(const std::vector<alert::alert>& alerts,
                                   const std::string& rule_id, const char* key_pointer) {
    std::set<std::string> keys;
    simdjson::dom::parser parser;
    for (const auto& a : alerts) {
        if (a.terms.rule_id == rule_id) {
            keys.insert(
                std::string(parser.parse(a.json).at_pointer(key_pointer).get_string().value()));
        }
    }
    return keys;
}

std::int64_t month_number(const std::string& name) {
    static const std::vector<std::string> months{"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                 "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    return std::find(months.begin(), months.end(), name) - months.begin() + 1;
}

} // namespace

TEST_CASE("loghub OpenSSH: 8 failed passwords from one address in 120 s finds exactly the "
          "reference's addresses, brute force then success does not fire",
          "[correlate][shared-data]") {
    const std::string id = "d0000000-0000-4000-8000-000000000001";
    auto compiled = test::compile_yaml(R"(
title: ssh failed password
id: d0000000-0000-4000-8000-000000000002
name: failed_password
logsource: {product: linux, service: sshd}
detection:
  selection: {event.action: ssh_login, event.outcome: failure}
  condition: selection
---
title: eight failed passwords from one address within 120 s
id: )" + id + R"(
level: high
correlation:
  type: event_count
  rules: [failed_password]
  group-by: [source.ip]
  timespan: 120s
  condition: {gte: 8}
)");
    INFO(compiled.diags.to_string());
    REQUIRE_FALSE(compiled.diags.has_errors());

    // The shipped pack too: its brute-force-then-success rule must stay silent on this file.
    core::diagnostics diags;
    auto shipped =
        rules::rule_compiler::load_directory(std::string(VIGIL_SOURCE_DIR) + "/rules",
                                             std::string(VIGIL_SOURCE_DIR) + "/schemas", 1, diags);
    REQUIRE_FALSE(diags.has_errors());

    parse::record_parser_config parsing;
    parsing.rfc3164.year = 2017;
    core::manual_clock clock(1'800'000'000'000'000'000);
    replay::replay_options options;
    options.parsing = parsing;
    replay::replay_session session(compiled.result.rules, clock, options);
    replay::replay_session pack(shipped.rules, clock, options);
    session.begin_input("OpenSSH_2k.log");
    pack.begin_input("OpenSSH_2k.log");

    // Reference: failure times per address, read with a regular expression.
    const std::regex failed(
        R"(^(\w{3}) +(\d+) (\d\d):(\d\d):(\d\d) .*sshd\[\d+\]: (?:message repeated \d+ times: \[ )?Failed password for (?:invalid user )?\S+ from (\S+) port)");
    std::map<std::string, std::vector<std::int64_t>> times;
    std::size_t lines = 0;
    for (const auto& line : test::read_lines(shared + "/loghub/OpenSSH/OpenSSH_2k.log")) {
        ++lines;
        session.feed(line);
        pack.feed(line);
        std::smatch m;
        if (std::regex_search(line, m, failed)) {
            const std::int64_t day =
                core::days_from_civil(2017, static_cast<unsigned>(month_number(m[1])),
                                      static_cast<unsigned>(std::stoi(m[2])));
            times[m[6]].push_back(day * 86400 + std::stoll(m[3]) * 3600 + std::stoll(m[4]) * 60 +
                                  std::stoll(m[5]));
        }
    }
    REQUIRE(lines == 2000);
    std::set<std::string> expected;
    for (auto& [ip, t] : times) {
        std::sort(t.begin(), t.end());
        for (std::size_t i = 0; i + 7 < t.size(); ++i) {
            if (t[i + 7] - t[i] <= 120) {
                expected.insert(ip);
                break;
            }
        }
    }
    session.finish(3600 * second);
    pack.finish(3600 * second);
    const auto found = alerted_keys(session.alerts(), id, "/key/source.ip");
    INFO("reference: " << expected.size() << " addresses");
    CHECK_FALSE(expected.empty());
    CHECK(found == expected);
    CHECK(session.shard().counters().late == 0);

    std::size_t then_success = 0;
    for (const auto& a : pack.alerts()) {
        if (a.json.find("\"type\":\"temporal_ordered\"") != std::string::npos) {
            ++then_success;
        }
    }
    CHECK(then_success == 0);
}

TEST_CASE("Zeek RDP: a distinct-hosts rule flags only the source the reference finds",
          "[correlate][shared-data]") {
    const std::string id = "d0000000-0000-4000-8000-000000000003";
    auto compiled = test::compile_yaml(R"(
title: zeek rdp connection
id: d0000000-0000-4000-8000-000000000004
name: rdp_connection
logsource: {product: zeek, service: rdp}
detection:
  selection: {_path: rdp}
  condition: selection
---
title: one source talks RDP to 10 or more hosts within 10 minutes
id: )" + id + R"(
level: high
correlation:
  type: value_count
  rules: [rdp_connection]
  group-by: [source.ip]
  timespan: 10m
  condition: {field: destination.ip, gte: 10}
)");
    INFO(compiled.diags.to_string());
    REQUIRE_FALSE(compiled.diags.has_errors());
    core::manual_clock clock(1'800'000'000'000'000'000);
    replay::replay_options options;
    options.limits.time.allowed_lateness_ns = 60 * second;
    replay::replay_session session(compiled.result.rules, clock, options);
    session.begin_input("rdp.json");

    // Reference: per source, (time, destination) pairs; any 10-minute window with 10 distinct
    // destinations flags the source.
    struct seen {
        std::int64_t t;
        std::string destination;
    };
    std::map<std::string, std::vector<seen>> by_source;
    simdjson::dom::parser parser;
    for (const auto& line : test::read_lines(shared + "/zeek-sample-data/zeek-json/rdp.json")) {
        session.feed(line);
        auto doc = parser.parse(line).value();
        const std::string ts(doc["ts"].get_string().value());
        const std::int64_t day = core::days_from_civil(
            std::stoll(ts.substr(0, 4)), static_cast<unsigned>(std::stoi(ts.substr(5, 2))),
            static_cast<unsigned>(std::stoi(ts.substr(8, 2))));
        const std::int64_t t = (day * 86400 + std::stoll(ts.substr(11, 2)) * 3600 +
                                std::stoll(ts.substr(14, 2)) * 60 + std::stoll(ts.substr(17, 2))) *
                                   second +
                               std::stoll(ts.substr(20, 6)) * 1000;
        by_source[std::string(doc["id.orig_h"].get_string().value())].push_back(
            {t, std::string(doc["id.resp_h"].get_string().value())});
    }
    std::set<std::string> expected;
    for (auto& [source, events] : by_source) {
        std::sort(events.begin(), events.end(),
                  [](const seen& a, const seen& b) { return a.t < b.t; });
        for (std::size_t end = 0; end < events.size() && !expected.contains(source); ++end) {
            std::set<std::string> distinct;
            for (std::size_t i = 0; i <= end; ++i) {
                if (events[end].t - events[i].t <= 600 * second) {
                    distinct.insert(events[i].destination);
                }
            }
            if (distinct.size() >= 10) {
                expected.insert(source);
            }
        }
    }
    session.finish(3600 * second);
    const auto found = alerted_keys(session.alerts(), id, "/key/source.ip");
    CHECK(expected == std::set<std::string>{"10.164.94.120"});
    CHECK(found == expected);
}

} // namespace vigil
