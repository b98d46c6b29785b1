#include "core/diagnostic.hpp"
#include "core/listen_address.hpp"
#include "core/metrics.hpp"

#include <catch2/catch.hpp>

using namespace vigil::core;

TEST_CASE("metrics registry returns one series per name and labels", "[core][metrics]") {
    metrics_registry registry;
    counter& a = registry.make_counter("x_total", "help", {{"reason", "a"}});
    counter& b = registry.make_counter("x_total", "help", {{"reason", "b"}});
    counter& a_again = registry.make_counter("x_total", "help", {{"reason", "a"}});
    CHECK(&a == &a_again);
    CHECK(&a != &b);
    a.add(3);
    b.add();
    CHECK(registry.value("x_total", {{"reason", "a"}}) == 3);
    CHECK(registry.value("x_total", {{"reason", "b"}}) == 1);
    CHECK(registry.value("missing") == 0);
}

TEST_CASE("metrics registry refuses one name with two types", "[core][metrics]") {
    metrics_registry registry;
    (void)registry.make_counter("y", "help");
    CHECK_THROWS(registry.make_gauge("y", "help"));
}

TEST_CASE("diagnostics print file, line, rule and reason", "[core][diagnostic]") {
    diagnostics d;
    d.error("rules/a.yml", 12, "rule-1", "unknown field 'Imag'");
    d.warning("rules/a.yml", 3, "rule-1", "no 'level'; using medium");
    d.error("rules/b.yml", 0, "", "invalid YAML");
    CHECK(d.error_count() == 2);
    CHECK(d.warning_count() == 1);
    CHECK(d.items()[0].to_string() == "rules/a.yml:12: rule-1: unknown field 'Imag'");
    CHECK(d.items()[1].to_string() == "rules/a.yml:3: rule-1: warning: no 'level'; using medium");
    CHECK(d.items()[2].to_string() == "rules/b.yml: invalid YAML");
}

TEST_CASE("listen addresses parse host and port", "[core][listen-address]") {
    auto v4 = listen_address::parse("127.0.0.1:5514");
    REQUIRE(v4.has_value());
    CHECK(v4->host == "127.0.0.1");
    CHECK(v4->port == 5514);
    auto v6 = listen_address::parse("[::1]:0");
    REQUIRE(v6.has_value());
    CHECK(v6->host == "::1");
    CHECK(v6->to_string() == "[::1]:0");
    CHECK(listen_address::parse("127.0.0.1").error().find("no port") != std::string::npos);
    CHECK(listen_address::parse("127.0.0.1:70000").error().find("0 to 65535") != std::string::npos);
    CHECK_FALSE(listen_address::parse(":514").has_value());
}
