#include "alert/incident_part.hpp"
#include "incident/asset_inventory.hpp"
#include "incident/grader.hpp"

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <unistd.h>

using namespace vigil;

namespace {

const char* inventory = R"(assets:
  - name: payroll database
    hosts: [DB-1, db-1.corp.example]
    networks: [10.1.2.0/24]
    owner: finance IT
    zone: datacenter
    criticality: 1
  - name: office network
    networks: [10.0.0.0/8, "2001:db8::/32"]
    owner: IT
    zone: office
    criticality: 4
  - name: jump host
    networks: 10.1.2.7
    criticality: 2
)";

alert::alert_terms terms(std::vector<std::string> hosts, std::vector<std::string> destinations,
                         std::vector<std::string> sources) {
    alert::alert_terms t;
    t.rule_id = "r";
    t.level = "high";
    t.hosts = std::move(hosts);
    t.destinations = std::move(destinations);
    t.sources = std::move(sources);
    return t;
}

} // namespace

TEST_CASE("assets by host name and by the most specific network", "[incident][assets]") {
    incident::asset_inventory assets;
    core::diagnostics diags;
    assets.add(inventory, "acme.yaml", diags);
    REQUIRE_FALSE(diags.has_errors());
    CHECK(assets.size() == 3);
    REQUIRE(assets.by_host("", "db-1") != nullptr);
    CHECK(assets.by_host("", "db-1")->name == "payroll database"); // case-insensitive
    CHECK(assets.by_host("", "DB-1.corp.example")->owner == "finance IT");
    CHECK(assets.by_host("", "db-2") == nullptr);
    CHECK(assets.by_address("", "10.1.2.7")->name == "jump host");        // /32 beats /24
    CHECK(assets.by_address("", "10.1.2.8")->name == "payroll database"); // /24 beats /8
    CHECK(assets.by_address("", "10.200.0.1")->name == "office network");
    CHECK(assets.by_address("", "2001:db8::5")->name == "office network");
    CHECK(assets.by_address("", "192.0.2.1") == nullptr);
    CHECK(assets.by_address("", "not an address") == nullptr);
    // An alert involves the most critical of its assets: hosts, destinations, sources.
    CHECK(assets.involved(terms({}, {"10.9.9.9"}, {"10.1.2.9"}))->name == "payroll database");
    CHECK(assets.involved(terms({"db-9"}, {"10.1.2.7"}, {"203.0.113.5"}))->name == "jump host");
    CHECK(assets.involved(terms({"unknown"}, {}, {"203.0.113.5"})) == nullptr);
}

TEST_CASE("an alert is graded by the criticality of its asset and carries it",
          "[incident][assets]") {
    incident::asset_inventory assets;
    core::diagnostics diags;
    assets.add(inventory, "acme.yaml", diags);
    const incident::grader grader{incident::incident_policy{}};
    auto make = [](std::vector<std::string> hosts) {
        alert::alert a;
        a.json = R"({"id":"x","rule":{"id":"r","level":"high"}})";
        a.terms = terms(std::move(hosts), {}, {});
        a.created_ns = 1'000'000'000;
        return a;
    };
    auto critical = make({"db-1"});
    grader.grade(critical, &assets);
    CHECK(critical.grade == alert::grade::I); // high on a criticality-1 asset
    auto part = alert::read_incident_part(critical.json);
    REQUIRE(part.has_value());
    REQUIRE(part->asset.has_value());
    CHECK(*part->asset ==
          alert::incident_part::asset_fields{"payroll database", "finance IT", "datacenter", 1});
    CHECK(part->response_level == 1);
    auto unknown = make({"nowhere"});
    grader.grade(unknown, &assets);
    CHECK(unknown.grade == alert::grade::II); // the default criticality, 2
    CHECK_FALSE(alert::read_incident_part(unknown.json)->asset.has_value());
}

TEST_CASE("asset files: every problem with file and line, the good assets kept",
          "[incident][assets]") {
    incident::asset_inventory assets;
    core::diagnostics diags;
    assets.add(R"(assets:
  - name: good
    hosts: [a]
  - name: bad criticality
    hosts: [b]
    criticality: 5
  - hosts: [c]
  - name: no way to find it
  - name: bad network
    networks: [10.0.0.0/99]
  - name: typo
    host: [d]
  - name: dup
    hosts: [A]
)",
               "site.yaml", diags);
    const std::string text = diags.to_string();
    CHECK(assets.size() == 2); // good, dup
    CHECK_THAT(text, Catch::Contains("site.yaml:6") &&
                         Catch::Contains("'criticality' must be a number from 1"));
    CHECK_THAT(text, Catch::Contains("site.yaml:7") && Catch::Contains("needs a 'name'"));
    CHECK_THAT(text,
               Catch::Contains("site.yaml:8") && Catch::Contains("needs 'hosts' or 'networks'"));
    CHECK_THAT(text, Catch::Contains("'10.0.0.0/99' is not a network or address"));
    CHECK_THAT(text, Catch::Contains("unknown key 'host'"));
    CHECK_THAT(text, Catch::Contains("host 'a' is already asset 'good' (site.yaml:2)"));
    CHECK(assets.by_host("", "a")->name == "good");
}

TEST_CASE("assets per tenant: a customer's own before the shared ones, never another's",
          "[incident][assets][tenant]") {
    incident::asset_inventory assets;
    core::diagnostics diags;
    assets.add("tenant: acme\nassets:\n  - name: acme payroll\n    networks: [10.0.0.0/24]\n"
               "    hosts: [db-1]\n    criticality: 1\n",
               "acme.yaml", diags);
    assets.add("tenant: globex\nassets:\n  - name: globex printers\n    networks: [10.0.0.0/24]\n"
               "    criticality: 4\n",
               "globex.yaml", diags);
    assets.add("assets:\n  - name: provider jump host\n    networks: [10.0.0.0/8]\n"
               "    criticality: 2\n",
               "shared.yaml", diags);
    REQUIRE_FALSE(diags.has_errors());
    CHECK(assets.by_address("acme", "10.0.0.5")->name == "acme payroll");
    CHECK(assets.by_address("globex", "10.0.0.5")->name == "globex printers");
    CHECK(assets.by_address("initech", "10.0.0.5")->name == "provider jump host"); // shared
    CHECK(assets.by_address("", "10.0.0.5")->name == "provider jump host");
    CHECK(assets.by_host("acme", "DB-1")->name == "acme payroll");
    CHECK(assets.by_host("globex", "db-1") == nullptr); // acme's host is not globex's
    auto t = terms({}, {"10.0.0.5"}, {});
    t.tenant = "globex";
    CHECK(assets.involved(t)->name == "globex printers"); // its own asset for that address
    t.tenant = "acme";
    CHECK(assets.involved(t)->name == "acme payroll");
    assets.add("tenant: [x]\nassets: []\nowner: y\n", "bad.yaml", diags);
    CHECK_THAT(diags.to_string(), Catch::Contains("bad.yaml:1") &&
                                      Catch::Contains("'tenant' must be a tenant's name"));
    CHECK_THAT(diags.to_string(), Catch::Contains("unknown key 'owner' (known: tenant, assets)"));
}

TEST_CASE("an asset directory: every YAML file of it", "[incident][assets]") {
    const auto dir =
        std::filesystem::temp_directory_path() / ("vigil-assets-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    std::ofstream(dir / "acme.yaml") << inventory;
    std::ofstream(dir / "globex.yml") << "assets:\n  - name: globex web\n    hosts: [www]\n";
    std::ofstream(dir / "notes.txt") << "not an asset file";
    core::diagnostics diags;
    auto assets = incident::asset_inventory::load_directory(dir, diags);
    std::filesystem::remove_all(dir);
    CHECK_FALSE(diags.has_errors());
    CHECK(assets->size() == 4);
    CHECK(assets->by_host("", "www")->name == "globex web");
}
