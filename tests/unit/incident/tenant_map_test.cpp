#include "config/vigil_config.hpp"
#include "incident/tenant_map.hpp"

#include <catch2/catch.hpp>

using namespace vigil;

namespace {

core::raw_record from(core::source_kind kind, std::string_view address, std::uint16_t tenant = 0) {
    core::raw_record r;
    r.source = kind;
    r.tenant = tenant;
    if (!address.empty()) {
        auto parsed = rules::parse_ip_address(address);
        REQUIRE(parsed.has_value());
        r.peer.known = true;
        // ip_network keeps IPv4 as mapped IPv6; a peer keeps its four bytes first.
        std::copy_n(parsed->begin() + 12, 4, r.peer.bytes.begin());
    }
    return r;
}

} // namespace

TEST_CASE("tenants from the config: by token, topic, listener, then the most specific network",
          "[incident][tenant][config]") {
    auto c = config::parse_config(R"(tenants:
  - name: acme
    networks: [10.1.0.0/16]
    ingest_tokens: [acme-ingest]
    kafka_topics: [acme-logs]
    read_token: acme-read
  - name: globex
    listeners: [syslog.tls]
    networks: [10.1.2.0/24]
    read_token: globex-read
)",
                                  "vigil.yaml");
    REQUIRE(c.has_value());
    const incident::tenant_map tenants(c->tenants);
    using core::source_kind;
    CHECK(tenants.of(from(source_kind::syslog_udp, "10.1.9.9"), nullptr) == "acme");
    CHECK(tenants.of(from(source_kind::syslog_udp, "10.1.2.9"), nullptr) == "globex"); // /24
    CHECK(tenants.of(from(source_kind::syslog_udp, "192.0.2.1"), nullptr).empty());
    CHECK(tenants.of(from(source_kind::syslog_tls, "10.1.9.9"), nullptr) == "globex"); // listener
    CHECK(tenants.of(from(source_kind::http, "10.1.2.9", 1), nullptr) == "acme");      // token
    core::kafka_origin topic{"acme-logs", "", "", 0, 0};
    CHECK(tenants.of(from(source_kind::kafka, ""), &topic) == "acme");
    core::kafka_origin other{"other", "", "", 0, 0};
    CHECK(tenants.of(from(source_kind::kafka, ""), &other).empty());
    REQUIRE(tenants.ingest_tokens().size() == 1);
    CHECK(tenants.ingest_tokens()[0] == std::pair<std::string, std::uint16_t>{"acme-ingest", 1});
    CHECK(tenants.of_read_token("globex-read") == "globex");
    CHECK_FALSE(tenants.of_read_token("acme-ingest").has_value());
    CHECK(tenants.read_tokens() == std::vector<std::string>{"acme-read", "globex-read"});
}

TEST_CASE("tenants: every mistake with its line, all at once", "[incident][tenant][config]") {
    auto c = config::parse_config(R"(tenants:
  - name: acme
    listeners: [syslog.tcp, ftp]
    networks: [10.0.0.0/33]
    read_token: same
  - name: "bad name"
  - name: globex
    listeners: [syslog.tcp]
    ingest_tokens: [same]
  - name: acme
  - networks: [10.0.0.0/8]
)",
                                  "vigil.yaml");
    REQUIRE_FALSE(c.has_value());
    const std::string text = c.error().to_string();
    CHECK_THAT(text, Catch::Contains("vigil.yaml:3") && Catch::Contains("unknown listener 'ftp'"));
    CHECK_THAT(text, Catch::Contains("'10.0.0.0/33' is not a network or address"));
    CHECK_THAT(text,
               Catch::Contains("vigil.yaml:6") && Catch::Contains("may hold only letters, digits"));
    CHECK_THAT(text, Catch::Contains("listener syslog_tcp is already tenant 'acme''s"));
    CHECK_THAT(text, Catch::Contains("tenant 'globex': a token is used twice"));
    CHECK_THAT(text, Catch::Contains("tenant 'acme' is defined twice"));
    CHECK_THAT(text,
               Catch::Contains("vigil.yaml:11") && Catch::Contains("a tenant needs a 'name'"));
}
