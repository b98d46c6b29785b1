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
