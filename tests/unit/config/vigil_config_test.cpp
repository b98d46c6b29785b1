#include "config/vigil_config.hpp"

#include <catch2/catch.hpp>

using namespace vigil;

TEST_CASE("the shipped packaging/vigil.yaml equals the built-in defaults", "[config]") {
    auto shipped =
        config::load_config_file(std::string(VIGIL_SOURCE_DIR) + "/packaging/vigil.yaml");
    INFO((shipped ? std::string() : shipped.error().to_string()));
    REQUIRE(shipped.has_value());
    const auto defaults = config::default_config();
    CHECK(shipped->data_dir == defaults.data_dir);
    CHECK(shipped->rules_dir == defaults.rules_dir);
    CHECK(shipped->schemas_dir == defaults.schemas_dir);
    CHECK(shipped->workers == defaults.workers);
    CHECK(shipped->rules_watch == defaults.rules_watch);
    CHECK(shipped->rules_watch_debounce_ms == defaults.rules_watch_debounce_ms);
    CHECK(shipped->log_level == defaults.log_level);
    CHECK(shipped->syslog.udp->to_string() == defaults.syslog.udp->to_string());
    CHECK(shipped->syslog.tcp->to_string() == defaults.syslog.tcp->to_string());
    CHECK(shipped->syslog.max_frame_bytes == defaults.syslog.max_frame_bytes);
    CHECK(shipped->syslog.udp_receive_buffer_bytes == defaults.syslog.udp_receive_buffer_bytes);
    CHECK(shipped->syslog.rfc3164_year == defaults.syslog.rfc3164_year);
    CHECK(shipped->syslog.rfc3164_timezone == defaults.syslog.rfc3164_timezone);
    CHECK(shipped->http.listen->to_string() == defaults.http.listen->to_string());
    CHECK(shipped->outputs.stdout_alerts == defaults.outputs.stdout_alerts);
    CHECK(shipped->http.max_body_bytes == defaults.http.max_body_bytes);
    CHECK(shipped->http.max_connections == defaults.http.max_connections);
    CHECK(shipped->http.max_connections_per_client == defaults.http.max_connections_per_client);
    CHECK(shipped->syslog.max_connections == defaults.syslog.max_connections);
    CHECK(shipped->syslog.max_connections_per_client ==
          defaults.syslog.max_connections_per_client);
    CHECK_FALSE(shipped->syslog.tls.listen.has_value());
    CHECK(shipped->http.max_decompressed_bytes == defaults.http.max_decompressed_bytes);
    CHECK(shipped->http.max_compression_ratio == defaults.http.max_compression_ratio);
    CHECK(shipped->http.ingest_token.empty());
    CHECK(shipped->http.hec_token.empty());
    CHECK(shipped->correlation.shards == defaults.correlation.shards);
    CHECK(shipped->correlation.allowed_lateness_ns == defaults.correlation.allowed_lateness_ns);
    CHECK(shipped->correlation.checkpoint_interval_ns ==
          defaults.correlation.checkpoint_interval_ns);
    CHECK(shipped->correlation.max_keys == defaults.correlation.max_keys);
    CHECK(shipped->correlation.max_keys_per_rule == defaults.correlation.max_keys_per_rule);
    CHECK(shipped->correlation.max_values_per_key == defaults.correlation.max_values_per_key);
    CHECK(shipped->correlation.evidence_per_alert == defaults.correlation.evidence_per_alert);
    CHECK(defaults.correlation.checkpoint_interval_ns == 5'000'000'000);
    CHECK(defaults.syslog.udp->to_string() == "127.0.0.1:5514");
    CHECK(defaults.http.listen->to_string() == "127.0.0.1:8080");
    CHECK(defaults.data_dir == "./var");
}

TEST_CASE("configuration values override the defaults", "[config]") {
    auto c = config::parse_config(R"(data_dir: /srv/vigil
workers: 3
syslog:
  udp: off
  tcp: 0.0.0.0:6514
  max_frame_bytes: 1024
  rfc3164: {year: 2017, timezone: "+08:00"}
http:
  listen: "[::1]:0"
outputs:
  stdout: true
correlation: {shards: 4, allowed_lateness: 2m, checkpoint_interval: 500ms, max_keys: 10,
              max_keys_per_rule: 5, max_values_per_key: 50, evidence_per_alert: 2}
)",
                                  "c.yaml");
    REQUIRE(c.has_value());
    CHECK(c->correlation.shards == 4);
    CHECK(c->correlation.allowed_lateness_ns == 120'000'000'000);
    CHECK(c->correlation.checkpoint_interval_ns == 500'000'000);
    CHECK(c->correlation.max_keys == 10);
    CHECK(c->correlation.max_keys_per_rule == 5);
    CHECK(c->correlation.max_values_per_key == 50);
    CHECK(c->correlation.evidence_per_alert == 2);
    CHECK(c->data_dir == "/srv/vigil");
    CHECK(c->workers == 3);
    CHECK_FALSE(c->syslog.udp.has_value());
    CHECK(c->syslog.tcp->to_string() == "0.0.0.0:6514");
    CHECK(c->syslog.max_frame_bytes == 1024);
    CHECK(c->syslog.rfc3164_year == 2017);
    CHECK(c->syslog.rfc3164_zone->offset_at(0) == 8 * 3600);
    CHECK(c->http.listen->port == 0);
    CHECK(c->outputs.stdout_alerts);
}

TEST_CASE("every configuration error is reported with its line", "[config]") {
    auto c = config::parse_config(R"(data_dir: ./var
wrokers: 2
syslog:
  udp: nowhere
  max_frame_bytes: 12
  rfc3164:
    timezone: Mars/Base
log_level: loud
correlation:
  checkpoint_interval: 0s
  max_keys: lots
)",
                                  "bad.yaml");
    REQUIRE_FALSE(c.has_value());
    const std::string text = c.error().to_string();
    INFO(text);
    CHECK(c.error().error_count() == 7);
    CHECK(text.find("bad.yaml:10: 'correlation.checkpoint_interval' must be a duration") !=
          std::string::npos);
    CHECK(text.find("bad.yaml:11: 'correlation.max_keys' must be a whole number of at least 1") !=
          std::string::npos);
    CHECK(text.find("bad.yaml:2: unknown key 'wrokers'") != std::string::npos);
    CHECK(text.find("bad.yaml:4: 'syslog.udp': invalid listen address 'nowhere': no port") !=
          std::string::npos);
    CHECK(text.find("bad.yaml:5: 'syslog.max_frame_bytes' must be a number from 256") !=
          std::string::npos);
    CHECK(text.find("bad.yaml:7: 'syslog.rfc3164.timezone': unknown time zone 'Mars/Base'") !=
          std::string::npos);
    CHECK(text.find("bad.yaml:8: 'log_level' must be debug, info, warning or error") !=
          std::string::npos);
}

TEST_CASE("a missing configuration file is an error that names it", "[config]") {
    auto c = config::load_config_file("/nonexistent/vigil.yaml");
    REQUIRE_FALSE(c.has_value());
    CHECK(c.error().to_string() == "/nonexistent/vigil.yaml: cannot read the configuration file\n");
}
