#pragma once

#include "api/health.hpp"
#include "core/metrics.hpp"

#include <cstdint>
#include <string>

namespace vigil::api {

// The console's health panel as one JSON document (GET /api/v1/health), read from the metrics
// registry and the readiness checks: counters and gauges regrouped per source, Kafka partition,
// ring, webhook or Kafka destination, drop reason, plus the pipeline's and the store's totals.
// Counters are totals since start; a reader gets rates from two documents and their `at_ms`
// (the console does). Shape in ARCHITECTURE.md ("Control plane"):
//   {"at_ms":…, "status":"ready"|"not_ready", "checks":{…},
//    "sources":[{"source":…, "received":…, …}], "kafka_partitions":[…], "queues":[…],
//    "destinations":[…], "drops":[…], "dead_letters":[…], "pipeline":{…}, "store":{…}}
[[nodiscard]] std::string health_summary_json(const core::metrics_registry& metrics,
                                              const health& readiness, std::int64_t now_ms);

} // namespace vigil::api
