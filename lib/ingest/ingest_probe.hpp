#pragma once

#include "core/metrics.hpp"

#include <string>

namespace vigil::ingest {

// The metrics of one listener (STYLE.md: each component owns its metrics in a probe).
// Series carry the label source="<transport>" (syslog_udp, syslog_tcp).
struct ingest_probe {
    ingest_probe(core::metrics_registry& registry, const std::string& source);

    core::counter& records;            // vigil_received_total
    core::counter& bytes;              // vigil_received_bytes_total
    core::counter& dropped_oversize;   // vigil_dropped_total{reason="oversize_frame"}
    core::counter& dropped_pipeline;   // vigil_dropped_total{reason="pipeline_full"}
    core::counter& dropped_shutdown;   // vigil_dropped_total{reason="shutdown_timeout"}
    core::counter& bad_octet_count;    // vigil_framing_errors_total{reason="bad_octet_count"}
    core::counter& truncated;          // vigil_framing_errors_total{reason="truncated_frame"}
    core::counter& skipped_bytes;      // vigil_framing_skipped_bytes_total
    core::counter& connections;        // vigil_connections_total
    core::gauge& open_connections;     // vigil_open_connections
    core::counter& backpressure_waits; // vigil_backpressure_waits_total
};

} // namespace vigil::ingest
