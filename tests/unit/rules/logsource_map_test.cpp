#include "rules/logsource_map.hpp"
#include "support/rule_helpers.hpp"

#include <catch2/catch.hpp>
#include <set>

using namespace vigil;

namespace {

std::string class_of(const rules::rule_schema& schema, core::event& e) {
    auto c = schema.logsources.classify(e);
    return c ? schema.logsources.classes()[*c].name : "<none>";
}

core::field_id id(const rules::rule_schema& schema, const char* name) {
    return *schema.catalog.find(name);
}

} // namespace

TEST_CASE("Windows events are classified by channel and event id", "[rules][logsource]") {
    auto schema = test::shipped_schema();
    core::event e;
    e.parser = "json";
    e.set(id(schema, "Channel"), "Microsoft-Windows-Sysmon/Operational");
    e.set(id(schema, "EventID"), "1");
    CHECK(class_of(schema, e) == "sysmon_process_creation");
    e.set(id(schema, "EventID"), "13");
    CHECK(class_of(schema, e) == "sysmon_registry_set");
    e.set(id(schema, "EventID"), "12");
    e.set(id(schema, "EventType"), "CreateKey");
    CHECK(class_of(schema, e) == "sysmon_registry_add");
    e.set(id(schema, "EventType"), "DeleteKey");
    CHECK(class_of(schema, e) == "sysmon_registry_delete");
    e.set(id(schema, "EventID"), "9999");
    CHECK(class_of(schema, e) == "sysmon_other");
    e.set(id(schema, "Channel"), "Security");
    e.set(id(schema, "EventID"), "4688");
    CHECK(class_of(schema, e) == "security_process_creation");
    e.set(id(schema, "EventID"), "4624");
    CHECK(class_of(schema, e) == "security");
}

TEST_CASE("syslog events are classified by program", "[rules][logsource]") {
    auto schema = test::shipped_schema();
    core::event e;
    e.parser = "rfc3164";
    e.set(core::fields::process_name, "sshd");
    CHECK(class_of(schema, e) == "syslog_sshd");
    e.set(core::fields::process_name, "nginx");
    CHECK(class_of(schema, e) == "syslog_nginx");
    e.set(core::fields::process_name, "kernel");
    CHECK(class_of(schema, e) == "syslog_linux");
    core::event json;
    json.parser = "json";
    json.set(core::fields::process_name, "sshd"); // not syslog: no syslog class
    CHECK(class_of(schema, json) == "<none>");
}

TEST_CASE("ECS events are classified by dataset and multi-valued category", "[rules][logsource]") {
    auto schema = test::shipped_schema();
    core::event e;
    e.parser = "json";
    e.set(id(schema, "event.dataset"), "aws.cloudtrail");
    CHECK(class_of(schema, e) == "aws_cloudtrail");
    core::event endpoint;
    endpoint.parser = "json";
    endpoint.set(id(schema, "host.os.type"), "macos");
    endpoint.add(id(schema, "event.category"), "host");
    endpoint.add(id(schema, "event.category"), "process");
    endpoint.set(id(schema, "event.type"), "start");
    CHECK(class_of(schema, endpoint) == "macos_ecs_process_creation");
}

TEST_CASE("a rule's log source applies to every class with its values", "[rules][logsource]") {
    auto schema = test::shipped_schema();
    auto names = [&](const rules::logsource& ls) {
        std::set<std::string> out;
        for (auto c : schema.logsources.classes_for(ls)) {
            out.insert(schema.logsources.classes()[c].name);
        }
        return out;
    };
    auto process_creation = names({"windows", "process_creation", ""});
    CHECK(process_creation ==
          std::set<std::string>{"sysmon_process_creation", "security_process_creation"});
    CHECK(names({"", "process_creation", ""}).contains("linux_sysmon_process_creation"));
    CHECK(names({"linux", "", "syslog"}).contains("syslog_sshd"));
    CHECK(names({"windows", "", "sysmon"}).size() > 20);
    CHECK(names({"plan9", "", ""}).empty());
}

TEST_CASE("log source map errors name file and line", "[rules][logsource]") {
    core::field_catalog catalog;
    core::diagnostics diags;
    (void)rules::logsource_map::parse(
        "classes:\n  - name: a\n    when: {x: 1}\n  - name: b\n    when: {}\n"
        "    logsource: {}\n",
        "ls.yaml", catalog, diags);
    CHECK(diags.to_string().find(
              "ls.yaml:2: each class needs 'name', a map 'when' and a map 'logsource'") !=
          std::string::npos);
    CHECK(diags.to_string().find("ls.yaml:4: class 'b' names no product, category or service") !=
          std::string::npos);
}

namespace {

// A CEF event as the generic CEF mapping leaves it (no vendor mapping read it).
core::event cef_event(const rules::rule_schema& schema, std::string_view vendor,
                      std::string_view product) {
    core::event e;
    e.parser = "cef";
    e.mapping = "cef";
    e.set(id(schema, "cef.device_vendor"), vendor);
    e.set(id(schema, "cef.device_product"), product);
    return e;
}

// The ids of the rules that fire on one record, parsed as a worker parses it.
std::vector<std::string> fired_on_record(const std::shared_ptr<const rules::rule_set>& set,
                                         const std::string& line) {
    match::matcher m(set);
    core::arena scratch;
    core::event e;
    parse::record_parser parser(parse::record_parser_config{});
    const core::raw_record record{
        line, core::source_kind::syslog_udp, 1'795'000'000'000'000'000, {}};
    (void)parser.parse(record, set->mappings(), set->catalog(), set->projection(), e, scratch);
    std::vector<std::string> ids;
    for (auto r : m.match(e)) {
        ids.push_back(set->rules()[r].id);
    }
    return ids;
}

} // namespace

TEST_CASE("log source slugs are lower case with one underscore between words",
          "[rules][logsource]") {
    CHECK(rules::logsource_slug("Acme Corp.") == "acme_corp");
    CHECK(rules::logsource_slug("Widget Firewall 3000") == "widget_firewall_3000");
    CHECK(rules::logsource_slug("  Check Point -- NGFW  ") == "check_point_ngfw");
    CHECK(rules::logsource_slug("paloalto") == "paloalto");
    CHECK(rules::logsource_slug("Zürich AG") == "z_rich_ag");
    CHECK(rules::logsource_slug("---") == "");
    CHECK(rules::logsource_slug(std::string(200, 'a')).size() == rules::max_slug_bytes);
}

TEST_CASE("CEF and LEEF of an unknown vendor get their header's log source, not Linux's",
          "[rules][logsource]") {
    auto schema = test::shipped_schema();
    core::event cef = cef_event(schema, "Acme Corp.", "Widget Firewall");
    REQUIRE(class_of(schema, cef) == "cef_leef_device");
    const auto c = *schema.logsources.classify(cef);
    const rules::logsource_class described = schema.logsources.describe(c, cef);
    CHECK(described.products == std::vector<std::string>{"acme_corp"});
    CHECK(described.services == std::vector<std::string>{"widget_firewall"});
    CHECK(described.categories.empty());
    // Even with a syslog program name that has a Linux class.
    cef.set(core::fields::process_name, "sshd");
    CHECK(class_of(schema, cef) == "cef_leef_device");

    core::event leef;
    leef.parser = "leef";
    leef.mapping = "leef";
    leef.set(id(schema, "leef.device_vendor"), "Initech");
    leef.set(id(schema, "leef.device_product"), "TPS Gateway");
    CHECK(class_of(schema, leef) == "cef_leef_device");
    const auto described_leef = schema.logsources.describe(*schema.logsources.classify(leef), leef);
    CHECK(described_leef.products == std::vector<std::string>{"initech"});
    CHECK(described_leef.services == std::vector<std::string>{"tps_gateway"});

    // A damaged record stays with the syslog catch-all, where keyword rules see it.
    core::event damaged = cef_event(schema, "Acme Corp.", "Widget Firewall");
    damaged.parse_error = "truncated_header";
    CHECK(class_of(schema, damaged) == "syslog_linux");
    core::event no_product = cef_event(schema, "Acme Corp.", "");
    CHECK(class_of(schema, no_product) == "syslog_linux");
}

TEST_CASE("a rule naming a device's product and service gets a class for it",
          "[rules][logsource]") {
    auto schema = test::shipped_schema();
    const std::size_t before = schema.logsources.classes().size();
    const auto ids = schema.logsources.classes_for({"acme_corp", "", "widget_firewall"});
    REQUIRE(ids.size() == 1);
    CHECK(schema.logsources.classes()[ids[0]].name == "cef_leef_device:acme_corp/widget_firewall");
    CHECK(schema.logsources.classes().size() == before + 1);
    // Asked again: the same class.
    CHECK(schema.logsources.classes_for({"acme_corp", "", "widget_firewall"}) == ids);
    // That device's events are in it; other unknown devices are not.
    core::event acme = cef_event(schema, "ACME CORP", "Widget-Firewall");
    CHECK(class_of(schema, acme) == "cef_leef_device:acme_corp/widget_firewall");
    core::event other = cef_event(schema, "Acme Corp.", "Mail Gateway");
    CHECK(class_of(schema, other) == "cef_leef_device");
    // Linux rules never meet either.
    for (auto c : schema.logsources.classes_for({"linux", "", ""})) {
        CHECK(schema.logsources.classes()[c].name.find("cef_leef_device") == std::string::npos);
    }
    // No derived class for a product alone (a typo must stay an error), for values that are not
    // slugs, or with a category (vigil cannot know what an unknown device logs).
    CHECK(schema.logsources.classes_for({"acme_corp", "", ""}).empty());
    CHECK(schema.logsources.classes_for({"Acme Corp", "", "widget_firewall"}).empty());
    CHECK(schema.logsources.classes_for({"acme_corp", "firewall", "widget_firewall"}).empty());
    // A log source the file already has is not derived.
    const auto asa = schema.logsources.classes_for({"cisco", "", "asa"});
    REQUIRE_FALSE(asa.empty());
    for (auto c : asa) {
        CHECK_FALSE(schema.logsources.classes()[c].derives());
        CHECK(schema.logsources.classes()[c].name.find("cef_leef_device") == std::string::npos);
    }
    CHECK(schema.logsources.classes().size() == before + 1);
}

TEST_CASE("an unknown vendor's CEF meets its own rules and not Linux rules", "[rules][logsource]") {
    const std::string linux_id = "11111111-1111-4111-8111-111111111111";
    const std::string device_id = "22222222-2222-4222-8222-222222222222";
    const auto detection = "  keywords: ['Blocked']\n  condition: keywords\n";
    auto compiled = test::compile_yaml(
        test::rule_yaml(linux_id, detection) + "---\n" +
        test::rule_yaml(device_id, detection, "{product: acme_corp, service: widget_firewall}"));
    INFO(compiled.diags.to_string());
    REQUIRE(compiled.result.loaded == 2);
    const auto& set = compiled.result.rules;
    CHECK(fired_on_record(set, "<134>Nov 21 10:00:00 fw1 CEF:0|Acme Corp.|Widget Firewall|1.0|"
                               "100|Blocked|7|src=10.0.0.1 dst=10.0.0.2") ==
          std::vector<std::string>{device_id});
    // Another unknown device: neither rule.
    CHECK(fired_on_record(set, "<134>Nov 21 10:00:00 fw2 CEF:0|Initech|TPS Gateway|1.0|100|"
                               "Blocked|7|src=10.0.0.1")
              .empty());
    // A Linux line: the Linux rule only.
    CHECK(fired_on_record(set, "<13>Nov 21 10:00:00 host kernel: Blocked") ==
          std::vector<std::string>{linux_id});
}
