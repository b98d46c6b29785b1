#include "config/vigil_config.hpp"

#include <catch2/catch.hpp>
#include <filesystem>

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
    CHECK(shipped->syslog.max_connections_per_client == defaults.syslog.max_connections_per_client);
    CHECK_FALSE(shipped->syslog.tls.listen.has_value());
    CHECK(shipped->http.max_decompressed_bytes == defaults.http.max_decompressed_bytes);
    CHECK(shipped->http.max_compression_ratio == defaults.http.max_compression_ratio);
    CHECK(shipped->http.ingest_token.empty());
    CHECK(shipped->http.hec_token.empty());
    CHECK(shipped->min_free_disk_bytes == defaults.min_free_disk_bytes);
    CHECK(shipped->http.ack_timeout_ns == defaults.http.ack_timeout_ns);
    CHECK(shipped->syslog.max_unconfirmed_records == defaults.syslog.max_unconfirmed_records);
    CHECK(shipped->correlation.shards == defaults.correlation.shards);
    CHECK(shipped->correlation.allowed_lateness_ns == defaults.correlation.allowed_lateness_ns);
    CHECK(shipped->correlation.idle_timeout_ns == defaults.correlation.idle_timeout_ns);
    CHECK(defaults.correlation.idle_timeout_ns == 10'000'000'000);
    CHECK(shipped->correlation.max_input_lag_ns == defaults.correlation.max_input_lag_ns);
    CHECK(defaults.correlation.max_input_lag_ns == 300'000'000'000);
    CHECK_FALSE(shipped->correlation.late_events_dead_letter);
    CHECK_FALSE(defaults.correlation.late_events_dead_letter);
    CHECK(shipped->correlation.checkpoint_interval_ns ==
          defaults.correlation.checkpoint_interval_ns);
    CHECK(shipped->correlation.max_keys == defaults.correlation.max_keys);
    CHECK(shipped->correlation.max_keys_per_rule == defaults.correlation.max_keys_per_rule);
    CHECK(shipped->correlation.max_values_per_key == defaults.correlation.max_values_per_key);
    CHECK(shipped->correlation.evidence_per_alert == defaults.correlation.evidence_per_alert);
    CHECK(shipped->time.max_future_skew_ns == defaults.time.max_future_skew_ns);
    CHECK(shipped->alerts.max_age_ns == defaults.alerts.max_age_ns);
    CHECK(shipped->outputs.webhooks.empty());
    CHECK(shipped->alerts.rate_limit == defaults.alerts.rate_limit);
    CHECK(shipped->incidents.policy.matrix == defaults.incidents.policy.matrix);
    CHECK(shipped->incidents.policy.sla == defaults.incidents.policy.sla);
    CHECK(shipped->incidents.policy.default_criticality ==
          defaults.incidents.policy.default_criticality);
    CHECK(shipped->incidents.assets_dir == defaults.incidents.assets_dir);
    CHECK(shipped->incidents.escalation_interval_ns == defaults.incidents.escalation_interval_ns);
    CHECK(shipped->tenants.empty());
    CHECK(defaults.tenants.empty());
    CHECK_FALSE(shipped->outputs.kafka.has_value());
    CHECK(shipped->outputs.stdout_alerts == defaults.outputs.stdout_alerts);
    CHECK(defaults.alerts.max_age_ns == 180LL * 86'400'000'000'000);
    CHECK(shipped->alerts.max_bytes == defaults.alerts.max_bytes);
    CHECK(shipped->alerts.retention_interval_ns == defaults.alerts.retention_interval_ns);
    CHECK(defaults.time.max_future_skew_ns == 300'000'000'000);
    CHECK(shipped->time.zones == nullptr);
    REQUIRE(shipped->rules_policy.selections.size() == defaults.rules_policy.selections.size());
    for (std::size_t i = 0; i < defaults.rules_policy.selections.size(); ++i) {
        const auto& a = shipped->rules_policy.selections[i];
        const auto& b = defaults.rules_policy.selections[i];
        CHECK(a.folder == b.folder);
        CHECK(a.statuses == b.statuses);
        CHECK(a.min_level == b.min_level);
    }
    CHECK(defaults.time.zones == nullptr);
    const config::vigil_config& file = *shipped;
    for (const config::vigil_config* c : {&file, &defaults}) {
        CHECK(c->syslog.udp_zone == nullptr);
        CHECK(c->syslog.tcp_zone == nullptr);
        CHECK(c->syslog.tls.zone == nullptr);
        CHECK(c->http.zone == nullptr);
        CHECK(c->kafka.zone == nullptr);
    }
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
              max_keys_per_rule: 5, max_values_per_key: 50, evidence_per_alert: 2,
              idle_timeout: 3s, max_input_lag: 1h, late_events: dead_letter}
)",
                                  "c.yaml");
    REQUIRE(c.has_value());
    CHECK(c->correlation.idle_timeout_ns == 3'000'000'000);
    CHECK(c->correlation.max_input_lag_ns == 3'600'000'000'000);
    CHECK(c->correlation.late_events_dead_letter);
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
  late_events: drop
  idle_timeout: 0s
)",
                                  "bad.yaml");
    REQUIRE_FALSE(c.has_value());
    const std::string text = c.error().to_string();
    INFO(text);
    CHECK(c.error().error_count() == 9);
    CHECK(text.find("bad.yaml:12: 'correlation.late_events' must be apply or dead_letter") !=
          std::string::npos);
    CHECK(text.find("bad.yaml:13: 'correlation.idle_timeout' must be a duration") !=
          std::string::npos);
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
    CHECK(c.error().to_string() ==
          "/nonexistent/vigil.yaml: cannot read the configuration file: no such file\n");
}

TEST_CASE("missing TLS files are errors at their keys' lines, all of them", "[config]") {
    auto c = config::parse_config(R"(syslog:
  tls:
    listen: 127.0.0.1:6514
    certificate: /nonexistent/server.pem
    private_key: /nonexistent/server.key
    client_ca: /
)",
                                  "tls.yaml");
    REQUIRE_FALSE(c.has_value());
    const std::string text = c.error().to_string();
    INFO(text);
    CHECK(c.error().error_count() == 3);
    CHECK(text.find("tls.yaml:4: 'syslog.tls.certificate': no such file /nonexistent/server.pem") !=
          std::string::npos);
    CHECK(text.find("tls.yaml:5: 'syslog.tls.private_key': no such file /nonexistent/server.key") !=
          std::string::npos);
    CHECK(text.find("tls.yaml:6: 'syslog.tls.client_ca': cannot read /") != std::string::npos);
}

TEST_CASE("a key given twice is an error at the second one, in any section", "[config]") {
    auto c = config::parse_config("data_dir: ./a\nhttp:\n  listen: off\n  listen: 127.0.0.1:1\n"
                                  "data_dir: ./b\n",
                                  "dup.yaml");
    REQUIRE_FALSE(c.has_value());
    const std::string text = c.error().to_string();
    INFO(text);
    CHECK(c.error().error_count() == 2);
    CHECK(text.find("dup.yaml:4:3: duplicate key 'listen' (first at line 3)") != std::string::npos);
    CHECK(text.find("dup.yaml:5:1: duplicate key 'data_dir' (first at line 1)") !=
          std::string::npos);
}

TEST_CASE("a configuration path that is a directory is an error, not the defaults", "[config]") {
    const auto dir = std::filesystem::temp_directory_path();
    auto c = config::load_config_file(dir);
    REQUIRE_FALSE(c.has_value());
    CHECK(c.error().to_string() ==
          dir.string() + ": cannot read the configuration file: it is a directory\n");
}

namespace {

// The UTC offset in force in January 2026 of the zone a listener of `kind` gives its records.
std::int32_t listener_offset(const config::vigil_config& c, core::source_kind kind) {
    return config::local_time_for(c, kind).zone->offset_at(1'767'225'600);
}

} // namespace

TEST_CASE("listeners take a time zone of their own", "[config][time-zone]") {
    auto c = config::parse_config(R"(syslog:
  udp: {listen: "127.0.0.1:1514", timezone: "+08:00"}
  tcp: 127.0.0.1:1515
  rfc3164: {timezone: "-05:00"}
  tls: {timezone: Asia/Tokyo}
http: {timezone: Europe/Berlin}
kafka: {timezone: "-0330"}
)",
                                  "zones.yaml");
    INFO((c ? std::string() : c.error().to_string()));
    REQUIRE(c.has_value());
    CHECK(c->syslog.udp->to_string() == "127.0.0.1:1514");
    CHECK(c->syslog.tcp->to_string() == "127.0.0.1:1515");
    CHECK(listener_offset(*c, core::source_kind::syslog_udp) == 8 * 3600);
    // The TCP listener names no zone: syslog.rfc3164.timezone, wherever it stands in the file.
    CHECK(listener_offset(*c, core::source_kind::syslog_tcp) == -5 * 3600);
    CHECK(listener_offset(*c, core::source_kind::syslog_tls) == 9 * 3600);
    CHECK(listener_offset(*c, core::source_kind::http) == 3600);
    CHECK(listener_offset(*c, core::source_kind::kafka) == -(3 * 3600 + 1800));
}

TEST_CASE("listeners without a zone: syslog.rfc3164.timezone for syslog, UTC for the others",
          "[config][time-zone]") {
    auto c = config::parse_config("syslog: {rfc3164: {timezone: \"+02:00\"}}\n", "d.yaml");
    REQUIRE(c.has_value());
    for (auto kind : {core::source_kind::syslog_udp, core::source_kind::syslog_tcp,
                      core::source_kind::syslog_tls}) {
        CHECK(listener_offset(*c, kind) == 2 * 3600);
    }
    for (auto kind : {core::source_kind::http, core::source_kind::kafka, core::source_kind::file}) {
        CHECK(listener_offset(*c, kind) == 0);
    }
    // The map form without `listen` keeps the default address.
    auto m = config::parse_config("syslog: {udp: {timezone: UTC}}\n", "m.yaml");
    REQUIRE(m.has_value());
    CHECK(m->syslog.udp->to_string() == "127.0.0.1:5514");
    auto off = config::parse_config("syslog: {udp: {listen: off, timezone: UTC}}\n", "o.yaml");
    REQUIRE(off.has_value());
    CHECK_FALSE(off->syslog.udp.has_value());
}

TEST_CASE("time: max_future_skew and per-source zones", "[config][time-zone]") {
    auto c = config::parse_config(R"(time:
  max_future_skew: 90s
  zones:
    - {source: 10.1.0.0/16, timezone: Asia/Tokyo}
    - {host: "fw-ny-*", timezone: America/New_York}
    - {source: "2001:db8::/32", timezone: "+01:00"}
syslog: {rfc3164: {year: 2030}}
)",
                                  "time.yaml");
    INFO((c ? std::string() : c.error().to_string()));
    REQUIRE(c.has_value());
    CHECK(c->time.max_future_skew_ns == 90'000'000'000);
    REQUIRE(c->time.zones != nullptr);
    CHECK(c->time.zones->size() == 3);
    CHECK(c->time.zones->tests_hosts());
    const auto local = config::local_time_for(*c, core::source_kind::syslog_udp);
    CHECK(local.max_future_skew_ns == 90'000'000'000);
    CHECK(local.source_zones == c->time.zones);
    CHECK(local.year == 2030);
    core::peer_address tokyo_peer;
    tokyo_peer.known = true;
    tokyo_peer.bytes = {10, 1, 2, 3};
    CHECK(c->time.zones->find(tokyo_peer, "")->name() == "Asia/Tokyo");
    CHECK(c->time.zones->find(core::peer_address{}, "FW-NY-7")->name() == "America/New_York");
    CHECK(c->time.zones->find(core::peer_address{}, "web1") == nullptr);
    auto zero = config::parse_config("time: {max_future_skew: 0s}\n", "z.yaml");
    REQUIRE(zero.has_value());
    CHECK(zero->time.max_future_skew_ns == 0);
}

TEST_CASE("every bad time zone setting is a located error, all at once", "[config][time-zone]") {
    auto c = config::parse_config(R"(syslog:
  udp: {listen: 127.0.0.1:1514, timezone: Mars/Base}
  tcp: {listen: nowhere, tz: UTC}
  tls: {timezone: ""}
http: {timezone: "+25:00"}
kafka: {timezone: [UTC]}
time:
  max_future_skew: soon
  zones:
    - {source: 10.0.0.0/33, timezone: UTC}
    - {host: "fw-*"}
    - {source: 10.0.0.0/8, host: "fw-*", timezone: UTC}
    - {timezone: UTC}
    - {host: "", timezone: UTC}
    - {host: "web*", timezone: Atlantis/Capital}
    - {host: "web*", timezone: UTC, zone: UTC}
    - just-a-string
)",
                                  "tz.yaml");
    REQUIRE_FALSE(c.has_value());
    const std::string text = c.error().to_string();
    INFO(text);
    const char* expected[] = {
        "tz.yaml:2: 'syslog.udp.timezone': unknown time zone 'Mars/Base': use UTC, an offset "
        "such as +08:00, local, or an IANA name such as Europe/Berlin",
        "tz.yaml:3: 'syslog.tcp.listen': invalid listen address 'nowhere'",
        "tz.yaml:3: unknown key 'syslog.tcp.tz' (known here: listen, timezone)",
        "tz.yaml:4: 'syslog.tls.timezone' must be a time zone such as UTC, +08:00, local or "
        "Europe/Berlin",
        "tz.yaml:5: 'http.timezone': unknown time zone '+25:00'",
        "tz.yaml:6: 'kafka.timezone' must be a time zone",
        "tz.yaml:8: 'time.max_future_skew' must be a duration such as 500ms, 5s or 2m",
        "tz.yaml:10: 'time.zones[0]': '10.0.0.0/33' is not an address or a network such as "
        "10.0.0.0/8 or 2001:db8::/32",
        "tz.yaml:11: 'time.zones[1]' needs 'timezone'",
        "tz.yaml:12: 'time.zones[2]' takes 'source' or 'host', not both",
        "tz.yaml:13: 'time.zones[3]' needs 'source' (an address or network) or 'host' (a host "
        "name pattern)",
        "tz.yaml:14: 'time.zones[4]': a host pattern must not be empty",
        "tz.yaml:15: 'time.zones[5]': unknown time zone 'Atlantis/Capital'",
        "tz.yaml:16: 'time.zones[6]': unknown key 'zone' (known here: host, source, timezone)",
        "tz.yaml:17: 'time.zones[7]' must be a map {source: CIDR, timezone: ZONE} or {host: "
        "GLOB, timezone: ZONE}",
    };
    for (const char* e : expected) {
        INFO(e);
        CHECK(text.find(e) != std::string::npos);
    }
    CHECK(c.error().error_count() == std::size(expected));
}

TEST_CASE("rules_policy: selections by folder, status and level, errors located", "[config]") {
    auto c = config::parse_config(R"(rules_policy:
  - {folder: sigmahq/windows, status: [stable], min_level: high}
  - {folder: ""}
)",
                                  "policy.yaml");
    INFO((c ? std::string() : c.error().to_string()));
    REQUIRE(c.has_value());
    REQUIRE(c->rules_policy.selections.size() == 2);
    CHECK(c->rules_policy.selections[0].folder == "sigmahq/windows");
    CHECK(c->rules_policy.selections[0].statuses == std::vector<std::string>{"stable"});
    CHECK(c->rules_policy.selections[0].min_level == "high");
    CHECK(c->rules_policy.selections[1].min_level == "informational");
    auto none = config::parse_config("rules_policy: []\n", "p.yaml");
    REQUIRE(none.has_value());
    CHECK(none->rules_policy.selections.empty());

    auto bad = config::parse_config(R"(rules_policy:
  - {folder: a, status: [stabel]}
  - {folder: b, min_level: severe}
  - {folder: c, levels: [high]}
  - just-a-string
)",
                                    "bad.yaml");
    REQUIRE_FALSE(bad.has_value());
    const std::string text = bad.error().to_string();
    INFO(text);
    CHECK(text.find("bad.yaml:2: 'rules_policy' (folder 'a'): unknown status 'stabel'") !=
          std::string::npos);
    CHECK(text.find("bad.yaml:3: 'rules_policy' (folder 'b'): unknown level 'severe'") !=
          std::string::npos);
    CHECK(text.find("bad.yaml:4: 'rules_policy': unknown key or wrong type 'levels'") !=
          std::string::npos);
    CHECK(text.find("bad.yaml:5: 'rules_policy' must be a list of") != std::string::npos);
}

TEST_CASE("outputs: webhooks and the Kafka alert topic, every error located at once",
          "[config][outputs]") {
    auto good = config::parse_config(R"(outputs:
  webhooks:
    - name: soc
      url: https://soar.example/hooks/vigil
      secret: whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw
      min_level: high
      tags: [attack.t1110]
      max_age: 2h
    - name: chat
      url: https://oapi.dingtalk.com/robot/send?access_token=x
      format: dingtalk
      secret: SEC123
      allow_private: true
      concurrency: 4
  kafka:
    brokers: 127.0.0.1:9092
    topic: vigil-alerts
    rules: [r1, r2]
)",
                                     "good.yaml");
    REQUIRE(good.has_value());
    REQUIRE(good->outputs.webhooks.size() == 2);
    const auto& soc = good->outputs.webhooks[0];
    CHECK(soc.delivery.name == "soc");
    CHECK(soc.format == "generic");
    CHECK(soc.delivery.min_level == "high");
    CHECK(soc.delivery.tags == std::vector<std::string>{"attack.t1110"});
    CHECK(soc.delivery.max_age_ns == 7'200'000'000'000);
    CHECK_FALSE(soc.allow_private);
    CHECK(good->outputs.webhooks[1].format == "dingtalk");
    CHECK(good->outputs.webhooks[1].allow_private);
    CHECK(good->outputs.webhooks[1].delivery.concurrency == 4);
    REQUIRE(good->outputs.kafka.has_value());
    CHECK(good->outputs.kafka->delivery.name == "kafka");
    CHECK(good->outputs.kafka->topic == "vigil-alerts");
    CHECK(good->outputs.kafka->delivery.rules == std::vector<std::string>{"r1", "r2"});

    auto bad = config::parse_config(R"(outputs:
  webhooks:
    - name: soc
      url: ftp://soar.example/
      format: teams
      secret: not-whsec
      min_level: severe
    - name: soc
      url: https://b.example/
      retries: 3
    - url: https://c.example/
    - name: "soc chat"
      url: https://d.example/
  kafka:
    topic: alerts
)",
                                    "bad.yaml");
    REQUIRE_FALSE(bad.has_value());
    const std::string text = bad.error().to_string();
    INFO(text);
    for (const char* expected :
         {"bad.yaml:4: 'outputs.webhooks[0].url' must be an http:// or https:// URL",
          "bad.yaml:5: 'outputs.webhooks[0].format' must be generic, slack, wecom, dingtalk or "
          "feishu",
          "bad.yaml:7: 'outputs.webhooks[0].min_level' must be informational",
          "bad.yaml:10: unknown key 'outputs.webhooks[1].retries'",
          "'outputs.webhooks[1]': the name 'soc' is taken by another output",
          "'outputs.webhooks[2]' needs a 'name'",
          "'outputs.webhooks[3]': the name 'soc chat' may hold only letters, digits",
          "'outputs.kafka' needs 'brokers' and 'topic'"}) {
        CHECK(text.find(expected) != std::string::npos);
    }
    CHECK(text.find("'outputs.webhooks[0].secret' must be whsec_") != std::string::npos);
}
