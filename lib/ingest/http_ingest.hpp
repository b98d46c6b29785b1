#pragma once

#include "core/clock.hpp"
#include "core/defaults.hpp"
#include "core/metrics.hpp"
#include "core/raw_record.hpp"
#include "ingest/batch_sink.hpp"
#include "ingest/durable_acks.hpp"
#include "ingest/ingest_probe.hpp"

#include <chrono>
#include <cstddef>
#include <expected>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace vigil::ingest {

struct http_ingest_config {
    std::string ingest_token; // Bearer token of POST /ingest; empty = no authentication
    // Tenants' ingest tokens (also accepted by POST /ingest) and the tenant number each stamps
    // on its records (raw_record::tenant).
    std::vector<std::pair<std::string, std::uint16_t>> tenant_tokens;
    std::string hec_token; // "Splunk <token>" of the HEC endpoint; empty = no authentication
    std::size_t max_decompressed_bytes = defaults::http_max_decompressed_bytes;
    std::size_t max_compression_ratio = defaults::http_max_compression_ratio; // out / in
    // How long a request waits for its records to become durable before it is answered 503.
    std::chrono::milliseconds ack_timeout{defaults::http_ack_timeout_ns / 1'000'000};
};

// What the HTTP server hands over of a request (the ingest does not depend on the server).
struct http_ingest_request {
    std::string_view authorization;    // Authorization header
    std::string_view content_encoding; // Content-Encoding header
    std::string_view body;
    core::peer_address peer;
};

struct http_ingest_reply {
    unsigned status = 200;
    std::string body;                                         // JSON
    std::vector<std::pair<std::string, std::string>> headers; // Retry-After, WWW-Authenticate
};

// HTTP ingest (DESIGN.md §2, §10): `POST /ingest` takes NDJSON (one record per line) or a JSON
// array (one record per element); `POST /services/collector/event` takes Splunk HEC events
// (concatenated JSON objects whose `event` is the record; `time` and `host` become @timestamp
// and host.name). Bodies may be gzip-compressed (Content-Encoding: gzip), within a cap on the
// decompressed size and on the compression ratio (413 beyond). Tokens are compared in constant
// time. A request's records go to the pipeline as one batch, and the answer waits until they are
// durable (durable_acks): 200 then; 503 with Retry-After when the pipeline pushes back (nothing
// of the request was taken) or when the records are not durable within ack_timeout (a failing
// disk: taken, not acknowledged; sent again they may be processed twice, never lost). NDJSON
// lines that are not JSON are refused, counted and named in the answer; the others are taken.
// Runs on the I/O thread, the pipeline's single producer.
class http_ingest {
public:
    using reply_fn = std::function<void(http_ingest_reply)>;
    struct rejected_record {
        std::size_t line = 0; // from 1
        std::string reason;
    };

    http_ingest(http_ingest_config config, batch_sink& sink, durable_acks& acks,
                core::metrics_registry& metrics, const core::clock& clock);

    // Each calls `reply` exactly once, at once for a refused request, after durability otherwise.
    void ingest(const http_ingest_request& request, reply_fn reply);
    void hec_event(const http_ingest_request& request, reply_fn reply);

private:
    struct endpoint_probe {
        endpoint_probe(core::metrics_registry& metrics, const std::string& endpoint);
        core::counter& accepted;
        core::counter& unauthorized;
        core::counter& too_large;
        core::counter& bad_request;
        core::counter& bad_time; // HEC: an event's `time` is not a time
        core::counter& busy;
        core::counter& not_durable;      // taken, not durable within ack_timeout: 503
        core::counter& rejected_records; // NDJSON lines that are not JSON
    };
    struct prepared_request {
        std::unique_ptr<core::raw_batch> batch;
        std::vector<rejected_record> rejected;
    };
    using prepare_result = std::expected<prepared_request, http_ingest_reply>;

    [[nodiscard]] prepare_result ingest_batch(const http_ingest_request& request);
    [[nodiscard]] prepare_result hec_batch(const http_ingest_request& request);
    // The body, decompressed if it says so; an error reply otherwise.
    [[nodiscard]] std::optional<http_ingest_reply> decode(const http_ingest_request& request,
                                                          std::string& body, endpoint_probe& probe);
    void submit(prepared_request prepared, endpoint_probe& probe, bool hec, reply_fn reply);

    http_ingest_config config_;
    batch_sink& sink_;
    durable_acks& acks_;
    const core::clock& clock_;
    ingest_probe probe_;
    endpoint_probe ingest_probe_;
    endpoint_probe hec_probe_;
    std::string scratch_;
};

} // namespace vigil::ingest
