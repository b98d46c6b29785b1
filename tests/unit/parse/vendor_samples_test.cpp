// The shipped vendor mappings against real third-party samples in ../shared/data (see its
// READMEs for the facts checked here). Registered only when the shared data is present.

#include "support/record_helpers.hpp"
#include "support/text_files.hpp"

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>
#include <yaml-cpp/yaml.h>

using namespace vigil;
using parse::parse_error;
using test::parse_record;

namespace {

using vigil::test::csv_fields;
using vigil::test::read_file;
using vigil::test::read_lines;
using vigil::test::trim;

const std::string shared = VIGIL_SHARED_DATA_DIR;

} // namespace

TEST_CASE("Cisco ASA: every line yields addresses, protocol and an allow/deny action",
          "[parse][mapping][shared-data]") {
    const auto lines =
        read_lines(shared + "/elastic-integrations-samples/cisco_asa/test-sample.log");
    REQUIRE(lines.size() == 92);
    std::size_t with_destination = 0;
    std::size_t denies = 0;
    std::size_t botnet = 0;
    for (const auto& line : lines) {
        INFO(line);
        auto r = parse_record(line, test::with_year(2018));
        CHECK(r.mapping == "cisco_asa");
        CHECK(r.logsource_class == "mapping:cisco_asa");
        CHECK(r.has("source.ip"));
        CHECK(r.has("network.transport"));
        const std::string action = r.get("event.action");
        CHECK((action == "allow" || action == "deny"));
        with_destination += r.has("destination.ip") ? 1U : 0U;
        denies += action == "deny" ? 1U : 0U;
        const std::string id = r.get("asa.message_id");
        if (line.find("category: Malware") != std::string::npos) {
            CHECK(r.vendor_value("asa.threat_category") == "Malware");
        }
        for (const char* deny_id :
             {"106023", "106006", "106007", "106015", "106016", "313001", "313004", "338008"}) {
            if (id == deny_id) {
                CHECK(action == "deny");
            }
        }
        botnet += id.starts_with("3380") ? 1U : 0U;
    }
    CHECK(with_destination == 91); // 313001 names no destination: the ASA itself was the target
    CHECK(denies == 28);
    CHECK(botnet == 3);
}

TEST_CASE("iptables: every line yields addresses and protocol, 15 are drops",
          "[parse][mapping][shared-data]") {
    const auto lines =
        read_lines(shared + "/elastic-integrations-samples/iptables/test-iptables-raw.log");
    REQUIRE(lines.size() == 24);
    std::size_t drops = 0;
    std::size_t from_81 = 0;
    for (const auto& line : lines) {
        INFO(line);
        auto r = parse_record(line, test::with_year(2021));
        CHECK(r.mapping == "iptables");
        CHECK(r.has("source.ip"));
        CHECK(r.has("destination.ip"));
        CHECK(r.has("network.transport"));
        drops += r.get("event.action") == "deny" ? 1U : 0U;
        if (r.get("source.ip") == "81.2.69.143" && r.get("event.action") == "deny") {
            ++from_81;
        }
    }
    CHECK(drops == 15);
    CHECK(from_81 == 4); // the README's repeated-deny case
}

TEST_CASE("Suricata EVE: every alert maps with addresses, signature and time",
          "[parse][mapping][shared-data]") {
    std::size_t web_attacks = 0;
    std::size_t total = 0;
    for (const char* set : {"first-org-conf-2015", "wrccdc-2018"}) {
        for (const auto& line :
             read_lines(shared + "/suricata-sample-data/" + set + "/alerts-only.eve.jsonl")) {
            INFO(line.substr(0, 200));
            auto r = parse_record(line);
            CHECK(r.error == parse_error::none);
            CHECK(r.mapping == "suricata");
            CHECK(r.has("source.ip"));
            CHECK(r.has("destination.ip"));
            CHECK(r.has("rule.name"));
            CHECK(r.time_ns.has_value());
            if (std::string(set) == "first-org-conf-2015" &&
                r.get("rule.category") == "Web Application Attack") {
                ++web_attacks;
            }
            ++total;
        }
    }
    CHECK(total == 343);
    CHECK(web_attacks == 27);
}

TEST_CASE("Zeek JSON: every record maps, the RDP sweep has one source and 19 hosts",
          "[parse][mapping][shared-data]") {
    std::size_t records = 0;
    for (const auto& entry :
         std::filesystem::directory_iterator(shared + "/zeek-sample-data/zeek-json")) {
        for (const auto& line : read_lines(entry.path().string())) {
            auto r = parse_record(line);
            INFO(entry.path().filename().string() << ": " << line.substr(0, 160));
            CHECK(r.mapping == "zeek");
            CHECK(r.time_ns.has_value());
            CHECK_FALSE(r.logsource_class.empty());
            ++records;
        }
    }
    CHECK(records == 6088);
    std::size_t rdp = 0;
    std::size_t from_sweeper = 0;
    std::set<std::string> swept;
    for (const auto& line : read_lines(shared + "/zeek-sample-data/zeek-json/rdp.json")) {
        auto r = parse_record(line);
        REQUIRE(r.has("source.ip"));
        REQUIRE(r.has("destination.ip"));
        ++rdp;
        if (r.get("source.ip") == "10.164.94.120") {
            ++from_sweeper;
            swept.insert(r.get("destination.ip"));
        }
    }
    CHECK(rdp == 4122);
    CHECK(from_sweeper == 4116);
    CHECK(swept.size() == 19);
}

TEST_CASE("OpenSSH: failed and accepted passwords carry user, source and outcome",
          "[parse][mapping][shared-data]") {
    std::size_t failed = 0;
    std::size_t accepted = 0;
    std::map<std::string, std::size_t> failures_by_source;
    for (const auto& line : read_lines(shared + "/loghub/OpenSSH/OpenSSH_2k.log")) {
        if (line.find("Failed password") == std::string::npos &&
            line.find("Accepted password") == std::string::npos) {
            continue;
        }
        INFO(line);
        auto r = parse_record(line, test::with_year(2017));
        CHECK(r.mapping == "linux_auth");
        CHECK(r.logsource_class == "syslog_sshd");
        CHECK(r.has("user.name"));
        CHECK(r.has("source.ip"));
        if (line.find("Accepted password") != std::string::npos) {
            ++accepted;
            CHECK(r.get("user.name") == "fztu");
            CHECK(r.get("source.ip") == "119.137.62.142");
            CHECK(r.get("event.outcome") == "success");
        } else {
            ++failed;
            CHECK(r.get("event.outcome") == "failure");
            ++failures_by_source[r.get("source.ip")];
        }
    }
    // 518 lines start with "Failed password"; 2 more repeat one ("message repeated 2 times").
    CHECK(failed == 520);
    CHECK(accepted == 1);
    CHECK(failures_by_source.size() == 23);
    CHECK(failures_by_source["183.62.140.253"] == 286);
}

TEST_CASE("loghub text logs: fields equal loghub's structured columns",
          "[parse][mapping][shared-data]") {
    struct system_case {
        std::string name;
        std::string mapping;
        // CSV column -> vendor field
        std::vector<std::pair<std::size_t, std::string>> columns;
    };
    const std::vector<system_case> systems{
        // LineId,Time,Level,Content,EventId,EventTemplate
        {"Apache",
         "apache_error",
         {{1, "apache.time"}, {2, "apache.level"}, {3, "apache.content"}}},
        // LineId,Time,Program,Content,EventId,EventTemplate
        {"Proxifier",
         "proxifier",
         {{1, "proxifier.time"}, {2, "proxifier.program"}, {3, "proxifier.content"}}},
        // LineId,Date,Time,Level,Component,Content,EventId,EventTemplate
        {"Windows",
         "windows_cbs",
         {{1, "cbs.date"},
          {2, "cbs.time"},
          {3, "cbs.level"},
          {4, "cbs.component"},
          {5, "cbs.content"}}},
        // LineId,Label,Timestamp,Date,User,Month,Day,Time,Location,Component,PID,Content,...
        {"Thunderbird",
         "thunderbird",
         {{2, "thunderbird.timestamp"},
          {3, "thunderbird.date"},
          {4, "thunderbird.user"},
          {9, "thunderbird.component"},
          {11, "thunderbird.content"}}},
    };
    for (const auto& sys : systems) {
        const auto lines = read_lines(shared + "/loghub/" + sys.name + "/" + sys.name + "_2k.log");
        const auto csv =
            read_lines(shared + "/loghub/" + sys.name + "/" + sys.name + "_2k.log_structured.csv");
        REQUIRE(lines.size() == 2000);
        REQUIRE(csv.size() == 2001);
        std::size_t mismatches = 0;
        for (std::size_t i = 0; i < lines.size(); ++i) {
            const auto row = csv_fields(csv[i + 1]);
            auto r = parse_record(lines[i], test::with_year(2005));
            bool same = r.mapping == sys.mapping;
            for (const auto& [column, field] : sys.columns) {
                same = same && trim(r.vendor_value(field)) == trim(row[column]);
            }
            if (!same) {
                ++mismatches;
                UNSCOPED_INFO(sys.name << " line " << i + 1 << ": " << lines[i]);
            }
        }
        INFO(sys.name);
        CHECK(mismatches == 0);
    }
}

TEST_CASE("loghub macOS: host, program with spaces, pid, address and content",
          "[parse][mapping][shared-data]") {
    const auto lines = read_lines(shared + "/loghub/Mac/Mac_2k.log");
    const auto csv = read_lines(shared + "/loghub/Mac/Mac_2k.log_structured.csv");
    REQUIRE(lines.size() == 2000);
    REQUIRE(csv.size() == 2001);
    std::size_t mismatches = 0;
    std::size_t spaced = 0;
    for (std::size_t i = 0; i < lines.size(); ++i) {
        // LineId,Month,Date,Time,User,Component,PID,Address,Content,EventId,EventTemplate
        const auto row = csv_fields(csv[i + 1]);
        auto r = parse_record(lines[i], test::with_year(2017));
        const std::string address = r.vendor_value("macos.address");
        const bool same =
            r.error == parse_error::none && r.get("host.name") == row[4] &&
            r.get("process.name") == row[5] &&
            (row[6].empty() ? !r.has("process.pid") : r.get("process.pid") == row[6]) &&
            (row[7].empty() ? address == "<absent>" : address == row[7]) &&
            trim(r.get("message")) == trim(row[8]);
        spaced += row[5].find(' ') != std::string::npos ? 1U : 0U;
        if (!same) {
            ++mismatches;
            UNSCOPED_INFO("line " << i + 1 << ": " << lines[i]);
        }
    }
    CHECK(mismatches == 0);
    CHECK(spaced == 78); // "Microsoft Word[14463]:", "Google Chrome[...]:", ...
}

TEST_CASE("SigmaHQ regression events land in a log source class their rule applies to",
          "[parse][mapping][shared-data]") {
    const auto& schema = test::shipped_parse_schema();
    const std::filesystem::path root = shared + "/sigmahq-sigma";
    // Rule files by id (regression folders are named after the rule file, which may have been
    // renamed since).
    std::map<std::string, std::string> rule_files;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(root)) {
        if (entry.path().extension() != ".yml" ||
            entry.path().string().find("/regression_data/") != std::string::npos) {
            continue;
        }
        std::ifstream in(entry.path());
        for (std::string line; std::getline(in, line);) {
            if (line.starts_with("id: ")) {
                rule_files[trim(line.substr(4))] = entry.path().string();
                break;
            }
        }
    }
    parse::record_parser json{parse::record_parser_config{}};
    core::arena scratch;
    std::size_t events = 0;
    std::size_t misplaced = 0;
    for (const auto& entry :
         std::filesystem::recursive_directory_iterator(root / "regression_data")) {
        if (entry.path().filename() != "info.yml") {
            continue;
        }
        const YAML::Node info = YAML::LoadFile(entry.path().string());
        const std::string id = info["rule_metadata"][0]["id"].Scalar();
        REQUIRE(rule_files.contains(id));
        const YAML::Node rule = YAML::LoadFile(rule_files[id]);
        rules::logsource source;
        if (const auto ls = rule["logsource"]) {
            source.product = ls["product"] ? ls["product"].Scalar() : "";
            source.category = ls["category"] ? ls["category"].Scalar() : "";
            source.service = ls["service"] ? ls["service"].Scalar() : "";
        }
        const auto allowed = schema.logsources.classes_for(source);
        for (const auto& file : std::filesystem::directory_iterator(entry.path().parent_path())) {
            if (file.path().extension() != ".json") {
                continue;
            }
            json.parse_documents(
                read_file(file.path().string()), 0, schema.mappings, schema.catalog, scratch,
                [&](core::event& e, parse::parse_error error) {
                    ++events;
                    const auto c = schema.logsources.classify(e);
                    const bool ok = error == parse::parse_error::none && c &&
                                    std::find(allowed.begin(), allowed.end(), *c) != allowed.end();
                    if (!ok) {
                        ++misplaced;
                        UNSCOPED_INFO(file.path().string());
                    }
                });
        }
    }
    CHECK(events >= 144);
    CHECK(misplaced == 0);
}

TEST_CASE("Palo Alto CSV behind a syslog header: columns are named after the header fields",
          "[parse][mapping]") {
    // Regression: the layout's columns were counted from the syslog header's seeded fields, so
    // no column got its name and the events had no addresses.
    std::size_t records = 0;
    for (const auto& line :
         read_lines(std::string(VIGIL_SOURCE_DIR) + "/tests/data/parse/paloalto.log")) {
        if (line.empty() || line.starts_with('#')) {
            continue;
        }
        INFO(line.substr(0, 120));
        auto r = parse_record(line);
        CHECK(r.mapping == "paloalto");
        CHECK(r.has("source.ip"));
        CHECK(r.has("destination.ip"));
        CHECK(r.has("destination.port"));
        CHECK(r.has("event.action"));
        ++records;
    }
    CHECK(records >= 3);
    auto first = parse_record(
        read_lines(std::string(VIGIL_SOURCE_DIR) + "/tests/data/parse/paloalto.log").front());
    CHECK(first.get("source.ip") == "10.1.1.10");
    CHECK(first.get("destination.port") == "443");
    CHECK(first.get("user.name") == "corp\\alice");
}
