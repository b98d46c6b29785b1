#pragma once

#include "core/defaults.hpp"
#include "core/diagnostic.hpp"
#include "core/listen_address.hpp"
#include "core/log.hpp"
#include "core/raw_record.hpp"
#include "core/time_zone.hpp"
#include "incident/incident_policy.hpp"
#include "incident/tenant_map.hpp"
#include "parse/local_time.hpp"
#include "parse/record_parser.hpp"
#include "parse/source_zone_rules.hpp"
#include "rules/rule_policy.hpp"

#include <cstddef>
#include <cstdint>
#include <expected>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace vigil::config {

// The whole daemon configuration (packaging/vigil.yaml documents every key). Immutable once
// loaded; each stage takes the part it needs. Relative paths are relative to the working
// directory of the process.
struct vigil_config {
    std::filesystem::path data_dir;
    // The alert store stops writing (and the sources are pushed back) while the file system of
    // data_dir has less free space than this, so that RocksDB never meets a full disk.
    std::uint64_t min_free_disk_bytes = 256ull * 1024 * 1024;
    std::filesystem::path rules_dir;
    std::filesystem::path schemas_dir;       // fields.yaml, logsources.yaml, mappings/
    bool rules_watch = true;                 // reload when files under rules_dir change
    unsigned rules_watch_debounce_ms = 1000; // ... after this long without further changes
    // Which rules under rules_dir run, by folder, status and level.
    rules::rule_policy rules_policy = rules::rule_policy::shipped_default();
    unsigned workers = 0; // 0 = one per CPU core
    core::log_level log_level = core::log_level::info;

    struct syslog_section {
        std::optional<core::listen_address> udp; // nothing = listener off
        std::optional<core::listen_address> tcp;
        std::size_t max_frame_bytes = 0;
        int udp_receive_buffer_bytes = 0;
        std::size_t max_connections = defaults::syslog_max_connections; // per listener (TCP, TLS)
        std::size_t max_connections_per_client = defaults::syslog_max_connections_per_client;
        // TCP/TLS: close after this long silent.
        std::int64_t idle_timeout_ns = defaults::syslog_idle_timeout_ns;
        // TCP/TLS: records read but not yet durable, at most (the loss window of a crash).
        std::size_t max_unconfirmed_records = defaults::syslog_max_unconfirmed_records;
        std::optional<std::int64_t> rfc3164_year; // nothing = "auto"
        // The zone of the syslog listeners' zone-less timestamps unless a listener names its own.
        std::string rfc3164_timezone;
        std::shared_ptr<const core::time_zone> rfc3164_zone;
        // `udp: {listen: ..., timezone: ...}`: the listener's own zone; null = rfc3164_zone.
        std::shared_ptr<const core::time_zone> udp_zone;
        std::shared_ptr<const core::time_zone> tcp_zone;
        parse::record_format format = parse::record_format::auto_detect;  // a record
        parse::record_format payload = parse::record_format::auto_detect; // a syslog message
        // Syslog over TLS (RFC 5425, octet counting). Off unless `listen` and a certificate
        // are given; with `client_ca`, clients must present a certificate signed by it.
        struct tls_section {
            std::optional<core::listen_address> listen;
            std::string certificate; // PEM: the server certificate (chain)
            std::string private_key; // PEM
            std::string client_ca;   // PEM; empty = clients are not asked for certificates
            std::shared_ptr<const core::time_zone> zone; // null = syslog.rfc3164.timezone
        } tls;
    } syslog;

    struct http_section {
        std::optional<core::listen_address> listen;
        std::size_t max_connections = defaults::http_max_connections;
        std::size_t max_connections_per_client = defaults::http_max_connections_per_client;
        std::size_t max_body_bytes = defaults::http_max_body_bytes; // 413 beyond
        // gzip bodies: 413 beyond.
        std::size_t max_decompressed_bytes = defaults::http_max_decompressed_bytes;
        std::size_t max_compression_ratio = defaults::http_max_compression_ratio;
        // Ingest: 503 when not durable by then.
        std::int64_t ack_timeout_ns = defaults::http_ack_timeout_ns;
        // A connection sends a whole request within this, from its start or its last answer.
        std::int64_t request_timeout_ns = defaults::http_request_timeout_ns;
        std::string ingest_token; // POST /ingest: "Authorization: Bearer <token>"; empty = none
        std::string hec_token;    // POST /services/collector/event: "Splunk <token>"; empty = none
        // The control plane (api::access_policy): once any token is set, GET /api/v1/* needs
        // api_read_token (or the write token), POST /api/v1/* api_write_token, /metrics
        // metrics_token; /healthz stays open.
        std::string api_read_token;
        std::string api_write_token;
        std::string metrics_token;
        // HTTPS when certificate and private_key are set (reloaded on SIGHUP).
        struct tls_section {
            std::string certificate;
            std::string private_key;
            std::string client_ca;
        } tls;
        std::shared_ptr<const core::time_zone> zone; // zone-less times; null = UTC
    } http;

    // The Kafka source: off unless brokers and topics are given.
    struct kafka_section {
        std::string brokers;
        std::string group_id = std::string(defaults::kafka_group_id);
        std::vector<std::string> topics;
        std::int64_t commit_interval_ns = defaults::kafka_commit_interval_ns;
        std::size_t max_message_bytes = defaults::kafka_max_message_bytes;
        std::size_t dead_letter_cap = 10000;                         // dead letters kept (newest)
        std::vector<std::pair<std::string, std::string>> properties; // librdkafka settings
        std::shared_ptr<const core::time_zone> zone;                 // zone-less times; null = UTC
    } kafka;

    // Event time (issue 12): how far a year-less timestamp may lie ahead of its receipt, and the
    // zones of particular senders. Read by the parsers and the correlator.
    struct time_section {
        std::int64_t max_future_skew_ns = parse::default_max_future_skew_ns;
        // time.zones, in file order, zones resolved; null = no rules.
        std::shared_ptr<const parse::source_zone_rules> zones;
    } time;

    // Correlation (DESIGN.md §2, §8): shards, event-time lateness, state limits, checkpoints.
    struct correlation_section {
        unsigned shards = 0; // 0 = as many as workers
        // Event time (ARCHITECTURE.md, "Time"): disorder allowed per input, when an input
        // stops holding time back, how far behind the leading input an input may fall, and
        // whether late matches are applied or kept as dead letters.
        std::int64_t allowed_lateness_ns = 30'000'000'000;
        std::int64_t idle_timeout_ns = 10'000'000'000;
        std::int64_t max_input_lag_ns = 300'000'000'000;
        bool late_events_dead_letter = false;
        std::int64_t checkpoint_interval_ns = 5'000'000'000;
        std::size_t max_keys = 4'000'000;          // all correlations, all shards
        std::size_t max_keys_per_rule = 1'000'000; // per correlation and shard
        std::size_t max_values_per_key = 1000;
        std::size_t evidence_per_alert = 5;
    } correlation;

    // The alert store (ARCHITECTURE.md §6): how long and how much it keeps.
    struct alerts_section {
        // Alerts about events older than this are deleted (0 = kept for ever); by the event
        // time in the alert id (§4.9).
        std::int64_t max_age_ns = 180LL * 86'400'000'000'000;
        std::uint64_t max_bytes = 0; // the oldest go while the documents take more (0 = no limit)
        std::int64_t retention_interval_ns = 60'000'000'000; // how often retention runs
        // New alerts of one rule per minute of event time stored one by one; the rest of the
        // minute is one summary alert (0 = no limit).
        std::uint64_t rate_limit = 1000;
    } alerts;

    // Where alerts are delivered besides the store (ARCHITECTURE.md, "Outputs"): each
    // destination takes the new alerts its filter selects from the durable outbox.
    struct destination_section {
        std::string name;                 // unique; the metrics' destination label
        std::string min_level;            // only alerts of this Sigma level and above ("" = all)
        std::vector<std::string> rules;   // only alerts of these rule ids (empty = all)
        std::vector<std::string> tags;    // only alerts whose rule has one of these tags
        bool escalations = false;         // also the escalations of missed SLA deadlines
        std::vector<std::string> tenants; // only alerts of these tenants (empty = all)
        std::size_t concurrency = 2;      // sends in flight at once
        std::int64_t max_age_ns = 86'400'000'000'000;    // still failing after this: dead letter
        std::int64_t initial_backoff_ns = 1'000'000'000; // first retry after about this
        std::int64_t max_backoff_ns = 300'000'000'000;   // the doubling stops here
    };
    struct webhook_section {
        destination_section delivery;
        std::string url;                // http:// or https://
        std::string format = "generic"; // generic, slack, wecom, dingtalk, feishu
        std::string secret;             // generic: whsec_<base64>; dingtalk/feishu: theirs
        bool allow_private = false;     // may reach loopback/private/link-local addresses
        std::string ca_file;            // https: trust this PEM too
        std::int64_t timeout_ns = 10'000'000'000; // per request
    };
    struct kafka_alerts_section {
        destination_section delivery;
        std::string brokers;
        std::string topic;
        std::vector<std::pair<std::string, std::string>> properties; // librdkafka producer
    };
    // How alerts become incidents (ARCHITECTURE.md §6): the grade matrix, the SLA per grade and
    // the asset inventory.
    struct incidents_section {
        incident::incident_policy policy;
        std::string assets_dir; // YAML asset files (incident::asset_inventory); "" = none
        std::int64_t escalation_interval_ns = 1'000'000'000; // how often deadlines are checked
    } incidents;

    // Customers (ARCHITECTURE.md §2, "Tenants"): how each one's records are recognised; empty =
    // one customer, no tenant labels.
    std::vector<incident::tenant_definition> tenants;

    struct outputs_section {
        bool stdout_alerts = false; // print every alert to stdout as one JSON line
        std::vector<webhook_section> webhooks;
        std::optional<kafka_alerts_section> kafka; // nothing = off
    } outputs;
};

// The built-in defaults (the same values as packaging/vigil.yaml).
[[nodiscard]] vigil_config default_config();

// How the records of listener `kind` complete zone- and year-less timestamps: the listener's
// zone (or its default: syslog.rfc3164.timezone for the syslog listeners, UTC for the others),
// time.zones, syslog.rfc3164.year and time.max_future_skew. For parse::record_parser_config.
[[nodiscard]] parse::local_time_config local_time_for(const vigil_config& config,
                                                      core::source_kind kind);

// Reads a configuration file. Keys that are left out keep their defaults; unknown keys and bad
// values are errors, all reported together with file and line.
[[nodiscard]] std::expected<vigil_config, core::diagnostics>
load_config_file(const std::filesystem::path& file);
[[nodiscard]] std::expected<vigil_config, core::diagnostics>
parse_config(std::string_view yaml, const std::string& file_name);

// Where vigild and vigil look for the configuration when --config is not given: the checkout's
// packaging/vigil.yaml, then /etc/vigil/vigil.yaml; nothing means built-in defaults.
[[nodiscard]] std::optional<std::filesystem::path> default_config_path();

} // namespace vigil::config
