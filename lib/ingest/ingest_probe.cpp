#include "ingest/ingest_probe.hpp"

namespace vigil::ingest {

ingest_probe::ingest_probe(core::metrics_registry& registry, const std::string& source)
    : records(registry.make_counter("vigil_received_total", "Records received, per source.",
                                    {{"source", source}})),
      bytes(registry.make_counter("vigil_received_bytes_total",
                                  "Bytes of records received, per source.", {{"source", source}})),
      dropped_oversize(registry.make_counter("vigil_dropped_total",
                                             "Records dropped, by reason and source.",
                                             {{"reason", "oversize_frame"}, {"source", source}})),
      dropped_pipeline(registry.make_counter("vigil_dropped_total",
                                             "Records dropped, by reason and source.",
                                             {{"reason", "pipeline_full"}, {"source", source}})),
      dropped_shutdown(registry.make_counter("vigil_dropped_total",
                                             "Records dropped, by reason and source.",
                                             {{"reason", "shutdown_timeout"}, {"source", source}})),
      bad_octet_count(registry.make_counter(
          "vigil_framing_errors_total",
          "Damaged frames (kept as records after resynchronising), by reason and source.",
          {{"reason", "bad_octet_count"}, {"source", source}})),
      truncated(registry.make_counter(
          "vigil_framing_errors_total",
          "Damaged frames (kept as records after resynchronising), by reason and source.",
          {{"reason", "truncated_frame"}, {"source", source}})),
      skipped_bytes(
          registry.make_counter("vigil_framing_skipped_bytes_total",
                                "Damaged bytes dropped while resynchronising a stream, per source.",
                                {{"source", source}})),
      connections(registry.make_counter("vigil_connections_total",
                                        "Connections accepted, per source.", {{"source", source}})),
      open_connections(registry.make_gauge(
          "vigil_open_connections", "Connections open now, per source.", {{"source", source}})),
      backpressure_waits(registry.make_counter(
          "vigil_backpressure_waits_total",
          "Times a source paused reading because the pipeline was full, per source.",
          {{"source", source}})) {}

} // namespace vigil::ingest
