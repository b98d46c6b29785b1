#pragma once

#include "core/clock.hpp"
#include "core/metrics.hpp"
#include "core/raw_record.hpp"
#include "ingest/batch_sink.hpp"
#include "ingest/ingest_probe.hpp"

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace vigil::ingest {

struct http_ingest_config {
    std::string ingest_token; // Bearer token of POST /ingest; empty = no authentication
    std::string hec_token;    // "Splunk <token>" of the HEC endpoint; empty = no authentication
    std::size_t max_decompressed_bytes = 64 * 1024 * 1024;
    std::size_t max_compression_ratio = 100; // decompressed / compressed
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
    std::string body;                                        // JSON
    std::vector<std::pair<std::string, std::string>> headers; // Retry-After, WWW-Authenticate
};

// HTTP ingest (DESIGN.md §2, §10): `POST /ingest` takes NDJSON (one record per line) or a JSON
// array (one record per element); `POST /services/collector/event` takes Splunk HEC events
// (concatenated JSON objects whose `event` is the record; `time` and `host` become @timestamp
// and host.name). Bodies may be gzip-compressed (Content-Encoding: gzip), within a cap on the
// decompressed size and on the compression ratio (413 beyond). Tokens are compared in constant
// time. A request's records go to the pipeline as one batch: 200 once the pipeline accepted it,
// 503 with Retry-After when it pushes back (nothing of the request was taken; send it again).
// Runs on the I/O thread, the pipeline's single producer.
class http_ingest {
public:
    http_ingest(http_ingest_config config, batch_sink& sink, core::metrics_registry& metrics,
                const core::clock& clock);

    [[nodiscard]] http_ingest_reply ingest(const http_ingest_request& request);
    [[nodiscard]] http_ingest_reply hec_event(const http_ingest_request& request);

private:
    struct endpoint_probe {
        endpoint_probe(core::metrics_registry& metrics, const std::string& endpoint);
        core::counter& accepted;
        core::counter& unauthorized;
        core::counter& too_large;
        core::counter& bad_request;
        core::counter& bad_time; // HEC: an event's `time` is not a time
        core::counter& busy;
    };

    // The body, decompressed if it says so; an error reply otherwise.
    [[nodiscard]] std::optional<http_ingest_reply> decode(const http_ingest_request& request,
                                                          std::string& body,
                                                          endpoint_probe& probe);
    [[nodiscard]] http_ingest_reply submit(std::unique_ptr<core::raw_batch> batch,
                                           endpoint_probe& probe, bool hec);

    http_ingest_config config_;
    batch_sink& sink_;
    const core::clock& clock_;
    ingest_probe probe_;
    endpoint_probe ingest_probe_;
    endpoint_probe hec_probe_;
    std::string scratch_;
};

// Whether `given` equals `expected`, in time that depends only on their lengths.
[[nodiscard]] bool constant_time_equal(std::string_view given, std::string_view expected);

} // namespace vigil::ingest
