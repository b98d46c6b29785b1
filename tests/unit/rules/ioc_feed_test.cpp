#include "rules/ioc_list.hpp"

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <string>
#include <unistd.h>
#include <vector>

namespace fs = std::filesystem;
using vigil::core::diagnostics;
using vigil::rules::ioc_lists;

namespace {

// A rules/lists directory of its own for one test case.
struct lists_dir {
    fs::path path =
        fs::temp_directory_path() / ("vigil-feeds-" + std::to_string(::getpid()) + "-" +
                                     std::to_string(reinterpret_cast<std::uintptr_t>(this)));
    lists_dir() { fs::create_directories(path); }
    ~lists_dir() { fs::remove_all(path); }
    void write(const std::string& name, const std::string& text) const {
        std::ofstream(path / name) << text;
    }
};

std::vector<std::string> values(const ioc_lists& lists, const std::string& name) {
    const auto* list = lists.find(name);
    REQUIRE(list != nullptr);
    return list->values;
}

} // namespace

TEST_CASE("IOC feeds: a CSV column by header name (abuse.ch style) or by position",
          "[ioc][feeds]") {
    lists_dir dir;
    // abuse.ch writes its header as the last comment line before the data.
    dir.write("feodo.csv", "################\n# Feodo Tracker\n################\n"
                           "# \"first_seen_utc\",\"dst_ip\",\"dst_port\",\"c2_status\"\n"
                           "\"2026-11-01 10:00:00\",\"198.51.100.1\",\"443\",\"online\"\n"
                           "\"2026-11-02 11:00:00\",\"198.51.100.2\",\"8080\",\"offline\"\n");
    dir.write("plain_header.csv", "indicator,kind\nevil.example,domain\nbad.example,domain\n");
    dir.write("feeds.yaml",
              "feeds:\n"
              "  - {name: feodo, file: feodo.csv, format: csv, column: dst_ip}\n"
              "  - {name: by_position, file: feodo.csv, format: csv, column: 3}\n"
              "  - {name: domains, file: plain_header.csv, format: csv, column: indicator}\n");
    diagnostics diags;
    const auto lists = ioc_lists::load(dir.path, diags);
    CHECK_FALSE(diags.has_errors());
    CHECK(values(lists, "feodo") == std::vector<std::string>{"198.51.100.1", "198.51.100.2"});
    CHECK(values(lists, "by_position") == std::vector<std::string>{"443", "8080"});
    CHECK(values(lists, "domains") == std::vector<std::string>{"evil.example", "bad.example"});
}

TEST_CASE("IOC feeds: STIX 2.1 indicators by observable, revoked and expired ones left out",
          "[ioc][feeds]") {
    lists_dir dir;
    dir.write("bundle.json", R"({"type": "bundle", "id": "bundle--1", "objects": [
      {"type": "indicator", "spec_version": "2.1", "id": "indicator--a", "pattern_type": "stix",
       "pattern": "[ipv4-addr:value = '198.51.100.7'] OR [domain-name:value = 'c2.evil.example']",
       "valid_from": "2026-01-01T00:00:00Z"},
      {"type": "indicator", "spec_version": "2.1", "id": "indicator--b", "pattern_type": "stix",
       "pattern": "[file:hashes.'SHA-256' = 'aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f']",
       "valid_from": "2026-01-01T00:00:00Z"},
      {"type": "indicator", "spec_version": "2.1", "id": "indicator--c", "pattern_type": "stix",
       "pattern": "[ipv4-addr:value = '198.51.100.8']", "revoked": true},
      {"type": "indicator", "spec_version": "2.1", "id": "indicator--d", "pattern_type": "stix",
       "pattern": "[ipv4-addr:value = '198.51.100.9']", "valid_until": "2001-01-01T00:00:00Z"},
      {"type": "indicator", "spec_version": "2.1", "id": "indicator--e", "pattern_type": "sigma",
       "pattern": "title: x"},
      {"type": "indicator", "spec_version": "2.1", "id": "indicator--f", "pattern_type": "stix",
       "pattern": "[network-traffic:dst_port > 1024]"},
      {"type": "malware", "id": "malware--1", "name": "Example"}]})");
    dir.write("feeds.yaml",
              "feeds:\n"
              "  - {name: stix_all, file: bundle.json, format: stix}\n"
              "  - {name: stix_ips, file: bundle.json, format: stix, types: [ipv4-addr]}\n");
    diagnostics diags;
    const auto lists = ioc_lists::load(dir.path, diags);
    CHECK_FALSE(diags.has_errors());
    CHECK(values(lists, "stix_all") ==
          std::vector<std::string>{
              "198.51.100.7", "c2.evil.example",
              "aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f"});
    CHECK(values(lists, "stix_ips") == std::vector<std::string>{"198.51.100.7"});
    // The comparison that is not an equality is reported with its indicator.
    CHECK(diags.to_string().find("indicator--f") != std::string::npos);
}

TEST_CASE("IOC feeds: MISP event attributes marked to_ids, composite values split",
          "[ioc][feeds]") {
    lists_dir dir;
    dir.write("event.json", R"({"Event": {"info": "Example C2", "Attribute": [
      {"type": "ip-dst", "value": "203.0.113.77", "to_ids": true},
      {"type": "domain|ip", "value": "evil.example|203.0.113.78", "to_ids": true},
      {"type": "ip-dst|port", "value": "203.0.113.79|8443", "to_ids": true},
      {"type": "ip-dst", "value": "203.0.113.80", "to_ids": false},
      {"type": "comment", "value": "not an indicator", "to_ids": true}],
      "Object": [{"name": "file", "Attribute": [
        {"type": "sha256", "value": "aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f", "to_ids": "1"}]}]}})");
    dir.write("feeds.yaml",
              "feeds:\n  - {name: misp, file: event.json, format: misp}\n"
              "  - {name: misp_ips, file: event.json, format: misp, types: [ip-dst]}\n");
    diagnostics diags;
    const auto lists = ioc_lists::load(dir.path, diags);
    CHECK_FALSE(diags.has_errors());
    CHECK(values(lists, "misp") ==
          std::vector<std::string>{
              "203.0.113.77", "evil.example", "203.0.113.78", "203.0.113.79",
              "aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f"});
    CHECK(values(lists, "misp_ips") == std::vector<std::string>{"203.0.113.77"});
}

TEST_CASE("IOC feeds: every mistake named with file, line and reason, all at once",
          "[ioc][feeds]") {
    lists_dir dir;
    dir.write("c2.txt", "192.0.2.1\n");
    dir.write("a.csv", "x,y\n1,2\n");
    dir.write("broken.json", "{not json");
    dir.write("feeds.yaml", "feeds:\n"
                            "  - {name: c2, file: a.csv, format: csv, column: x}\n"
                            "  - {name: nocol, file: a.csv, format: csv}\n"
                            "  - {name: wrongcol, file: a.csv, format: csv, column: z}\n"
                            "  - {name: fmt, file: a.csv, format: xml}\n"
                            "  - {name: gone, file: missing.txt}\n"
                            "  - {name: broken, file: broken.json, format: stix}\n");
    diagnostics diags;
    const auto lists = ioc_lists::load(dir.path, diags);
    const std::string text = diags.to_string();
    CHECK(text.find("feeds.yaml:2: feed 'c2': a list of that name exists already") !=
          std::string::npos);
    CHECK(text.find("feeds.yaml:3: feed 'nocol': a csv feed needs 'column'") != std::string::npos);
    CHECK(text.find("a.csv:1: no column named 'z'") != std::string::npos);
    CHECK(text.find("feeds.yaml:5: feed 'fmt': unknown format 'xml'") != std::string::npos);
    CHECK(text.find("missing.txt") != std::string::npos);
    CHECK(text.find("broken.json") != std::string::npos);
    // The plain list of the same name is kept.
    CHECK(values(lists, "c2") == std::vector<std::string>{"192.0.2.1"});
}
