#include "api/health_summary.hpp"

#include "core/json_writer.hpp"

#include <algorithm>
#include <map>
#include <string_view>
#include <vector>

namespace vigil::api {
namespace {

using std::string_view;

// How the series of one metric that fall into the same row combine: counters and depths add
// up; a watermark is only as far as its slowest shard.
enum class combine { sum, min };

struct column {
    string_view metric;
    string_view field;
    combine how = combine::sum;
};

// A part of the summary: one row per distinct value of its key labels (none: one object).
struct section {
    string_view name;
    std::vector<string_view> keys;
    std::vector<column> columns;
};

const std::vector<section>& sections() {
    static const std::vector<section> all = {
        {"sources",
         {"source"},
         {{"vigil_received_total", "received"},
          {"vigil_received_bytes_total", "bytes"},
          {"vigil_connections_total", "connections"},
          {"vigil_open_connections", "open_connections"},
          {"vigil_backpressure_waits_total", "backpressure_waits"},
          {"vigil_dropped_total", "dropped"}}},
        {"kafka_partitions",
         {"topic", "partition"},
         {{"vigil_kafka_consumer_lag", "lag"},
          {"vigil_kafka_committed_offset", "committed_offset"}}},
        {"queues", {"ring", "index"}, {{"vigil_ring_occupancy", "batches"}}},
        {"destinations",
         {"destination"},
         {{"vigil_delivery_sent_total", "sent"},
          {"vigil_delivery_failed_total", "failed"},
          {"vigil_delivery_retried_total", "retried"},
          {"vigil_delivery_dead_total", "dead"},
          {"vigil_delivery_queue_depth", "queue_depth"},
          {"vigil_delivery_oldest_pending_seconds", "oldest_pending_seconds"},
          {"vigil_delivery_latency_microseconds_sum", "latency_microseconds_sum"},
          {"vigil_delivery_latency_microseconds_count", "latency_microseconds_count"}}},
        {"drops", {"reason"}, {{"vigil_dropped_total", "count"}}},
        {"dead_letters", {"reason"}, {{"vigil_dead_letters_total", "count"}}},
        {"pipeline",
         {},
         {{"vigil_events_parsed_total", "events_parsed"},
          {"vigil_rule_matches_total", "rule_matches"},
          {"vigil_alerts_total", "alerts"},
          {"vigil_alerts_stored_total", "alerts_stored"},
          {"vigil_escalations_total", "escalations"},
          {"vigil_rules_loaded", "rules_loaded"},
          {"vigil_rule_set_version", "rule_set_version"},
          {"vigil_correlation_keys", "correlation_keys"},
          {"vigil_correlation_watermark_seconds", "watermark_seconds", combine::min}}},
        {"store",
         {},
         {{"vigil_alert_store_bytes", "bytes"},
          {"vigil_store_free_bytes", "free_bytes"},
          {"vigil_store_disk_full", "disk_full"},
          {"vigil_alert_store_errors_total", "errors"},
          {"vigil_alerts_expired_total", "expired"}}},
    };
    return all;
}

// The values of a section's key labels; a row's cells by column index (so in column order).
using row_key = std::vector<std::string>;
using row = std::map<std::size_t, std::int64_t>;
using section_rows = std::map<row_key, row>;

const std::string* label(const core::metric_labels& labels, string_view name) {
    for (const auto& [k, v] : labels) {
        if (k == name) {
            return &v;
        }
    }
    return nullptr;
}

void add_series(section_rows& into, const section& s, std::size_t column_index,
                const core::metric_labels& labels, std::int64_t value) {
    row_key key;
    for (string_view k : s.keys) {
        const std::string* v = label(labels, k);
        if (v == nullptr) {
            return; // a series of this metric that is not about this section's rows
        }
        key.push_back(*v);
    }
    auto& cells = into[key];
    auto [cell, fresh] = cells.try_emplace(column_index, value);
    if (!fresh) {
        cell->second = s.columns[column_index].how == combine::min ? std::min(cell->second, value)
                                                                   : cell->second + value;
    }
}

void write_row(core::json_writer& w, const section& s, const row_key& key, const row& cells) {
    w.begin_object();
    for (std::size_t i = 0; i < s.keys.size(); ++i) {
        w.field(s.keys[i], key[i]);
    }
    for (const auto& [column_index, value] : cells) {
        w.field(s.columns[column_index].field, value);
    }
    w.end_object();
}

} // namespace

std::string health_summary_json(const core::metrics_registry& metrics, const health& readiness,
                                std::int64_t now_ms) {
    const auto& all = sections();
    std::vector<section_rows> collected(all.size());
    metrics.visit([&](const core::metrics_registry::family_view& family) {
        for (std::size_t s = 0; s < all.size(); ++s) {
            const auto& columns = all[s].columns;
            for (std::size_t c = 0; c < columns.size(); ++c) {
                if (columns[c].metric != family.name) {
                    continue;
                }
                for (const auto& series : family.series) {
                    add_series(collected[s], all[s], c, series.labels, series.value);
                }
            }
        }
    });

    std::string out;
    core::json_writer w(out);
    w.begin_object().field("at_ms", now_ms);
    readiness.write(w);
    for (std::size_t s = 0; s < all.size(); ++s) {
        const section& sec = all[s];
        w.key(sec.name);
        if (sec.keys.empty()) {
            auto it = collected[s].find(row_key{});
            write_row(w, sec, {}, it == collected[s].end() ? row{} : it->second);
            continue;
        }
        w.begin_array();
        for (const auto& [key, cells] : collected[s]) {
            write_row(w, sec, key, cells);
        }
        w.end_array();
    }
    w.end_object();
    out += '\n';
    return out;
}

} // namespace vigil::api
