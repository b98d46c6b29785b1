#include "ingest/http_ingest.hpp"

#include "core/ascii.hpp"
#include "core/civil_time.hpp"
#include "core/credentials.hpp"
#include "core/json_writer.hpp"

#include <charconv>
#include <cmath>
#include <expected>
#include <simdjson.h>
#include <zlib.h>

namespace vigil::ingest {
namespace {

http_ingest_reply json_reply(unsigned status, std::string_view key, std::string_view text) {
    http_ingest_reply reply;
    reply.status = status;
    core::json_writer w(reply.body);
    w.begin_object().field(key, text).end_object();
    reply.body += '\n';
    return reply;
}

// Splunk HEC answers {"text": ..., "code": n}; forwarders read the code.
http_ingest_reply hec_reply(unsigned status, std::string_view text, int code) {
    http_ingest_reply reply;
    reply.status = status;
    core::json_writer w(reply.body);
    w.begin_object().field("text", text).field("code", code).end_object();
    reply.body += '\n';
    return reply;
}

// POST /ingest's answer: how many records were taken and which lines were refused, and why (the
// first 100 of them).
http_ingest_reply accepted_reply(unsigned status, std::size_t accepted,
                                 const std::vector<http_ingest::rejected_record>& rejected) {
    http_ingest_reply reply;
    reply.status = status;
    core::json_writer w(reply.body);
    w.begin_object().field("accepted", static_cast<std::uint64_t>(accepted));
    if (!rejected.empty()) {
        w.field("rejected", static_cast<std::uint64_t>(rejected.size()));
        w.key("rejected_lines").begin_array();
        for (std::size_t i = 0; i < rejected.size() && i < 100; ++i) {
            w.begin_object()
                .field("line", static_cast<std::uint64_t>(rejected[i].line))
                .field("error", rejected[i].reason)
                .end_object();
        }
        w.end_array();
    }
    w.end_object();
    reply.body += '\n';
    return reply;
}

// HEC's `time`: epoch seconds as a number or a string, with or without a fraction, as Unix
// nanoseconds. Nothing when absent; an error when it is not a finite number of seconds from
// 1970 to the end of 9999 (an overflowing value once became year 1677, text was taken as no time).
std::expected<std::optional<std::int64_t>, std::string> epoch_ns(simdjson::dom::element doc) {
    simdjson::dom::element time;
    if (doc["time"].get(time) != simdjson::SUCCESS) {
        return std::nullopt;
    }
    double seconds = 0;
    std::int64_t whole = 0;
    std::string_view text;
    if (time.get(whole) == simdjson::SUCCESS) {
        seconds = static_cast<double>(whole);
    } else if (time.get(seconds) == simdjson::SUCCESS) {
    } else if (time.get(text) == simdjson::SUCCESS) {
        const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), seconds);
        if (ec != std::errc() || end != text.data() + text.size()) {
            return std::unexpected("'time' is not a number of seconds");
        }
    } else {
        return std::unexpected("'time' is not a number of seconds");
    }
    constexpr double end_of_9999 = 253402300800.0;
    if (!std::isfinite(seconds) || seconds < 0 || seconds >= end_of_9999) {
        return std::unexpected("'time' is outside 1970 to 9999");
    }
    return static_cast<std::int64_t>(std::llround(seconds * 1e9));
}

} // namespace

http_ingest::endpoint_probe::endpoint_probe(core::metrics_registry& metrics,
                                            const std::string& endpoint)
    : accepted(metrics.make_counter("vigil_http_ingest_requests_total",
                                    "HTTP ingest requests, by endpoint and result.",
                                    {{"endpoint", endpoint}, {"result", "accepted"}})),
      unauthorized(metrics.make_counter("vigil_http_ingest_requests_total",
                                        "HTTP ingest requests, by endpoint and result.",
                                        {{"endpoint", endpoint}, {"result", "unauthorized"}})),
      too_large(metrics.make_counter("vigil_http_ingest_requests_total",
                                     "HTTP ingest requests, by endpoint and result.",
                                     {{"endpoint", endpoint}, {"result", "too_large"}})),
      bad_request(metrics.make_counter("vigil_http_ingest_requests_total",
                                       "HTTP ingest requests, by endpoint and result.",
                                       {{"endpoint", endpoint}, {"result", "bad_request"}})),
      bad_time(metrics.make_counter("vigil_http_ingest_requests_total",
                                    "HTTP ingest requests, by endpoint and result.",
                                    {{"endpoint", endpoint}, {"result", "bad_time"}})),
      busy(metrics.make_counter("vigil_http_ingest_requests_total",
                                "HTTP ingest requests, by endpoint and result.",
                                {{"endpoint", endpoint}, {"result", "busy"}})),
      not_durable(metrics.make_counter("vigil_http_ingest_requests_total",
                                       "HTTP ingest requests, by endpoint and result.",
                                       {{"endpoint", endpoint}, {"result", "not_durable"}})),
      rejected_records(metrics.make_counter(
          "vigil_http_ingest_rejected_records_total",
          "Records of HTTP ingest requests refused (NDJSON lines that are not JSON).",
          {{"endpoint", endpoint}, {"reason", "not_json"}})) {}

http_ingest::http_ingest(http_ingest_config config, batch_sink& sink, durable_acks& acks,
                         core::metrics_registry& metrics, const core::clock& clock)
    : config_(std::move(config)), sink_(sink), acks_(acks), clock_(clock), probe_(metrics, "http"),
      ingest_probe_(metrics, "ingest"), hec_probe_(metrics, "hec") {}

std::optional<http_ingest_reply> http_ingest::decode(const http_ingest_request& request,
                                                     std::string& body, endpoint_probe& probe) {
    const std::string_view encoding = core::ascii::trim_blanks(request.content_encoding);
    if (encoding.empty() || core::ascii::equal_fold(encoding, "identity")) {
        body.assign(request.body);
        return std::nullopt;
    }
    // Content codings are case-insensitive (RFC 9110 §8.4.1).
    if (!core::ascii::equal_fold(encoding, "gzip") &&
        !core::ascii::equal_fold(encoding, "x-gzip")) {
        probe.bad_request.add();
        return json_reply(415, "error",
                          "unsupported Content-Encoding '" + std::string(encoding) +
                              "' (gzip or none)");
    }
    body.clear();
    const std::size_t limit =
        std::min(config_.max_decompressed_bytes,
                 std::max<std::size_t>(request.body.size(), 1) * config_.max_compression_ratio);
    z_stream z{};
    if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK) {
        return json_reply(500, "error", "cannot start gzip decompression");
    }
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(request.body.data()));
    z.avail_in = static_cast<uInt>(request.body.size());
    char chunk[64 * 1024];
    for (;;) {
        z.next_out = reinterpret_cast<Bytef*>(chunk);
        z.avail_out = sizeof(chunk);
        const int status = inflate(&z, Z_NO_FLUSH);
        if (status != Z_OK && status != Z_STREAM_END) {
            inflateEnd(&z);
            probe.bad_request.add();
            return json_reply(400, "error",
                              std::string("damaged gzip body: ") +
                                  (z.msg != nullptr ? z.msg : "truncated"));
        }
        body.append(chunk, sizeof(chunk) - z.avail_out);
        if (body.size() > limit) {
            inflateEnd(&z);
            probe.too_large.add();
            return json_reply(
                413, "error",
                "decompressed body larger than " + std::to_string(limit) + " bytes (limits: " +
                    std::to_string(config_.max_decompressed_bytes) + " bytes, " +
                    std::to_string(config_.max_compression_ratio) + " times the compressed size)");
        }
        if (status == Z_STREAM_END) {
            if (z.avail_in == 0) {
                break;
            }
            // A gzip body may be several members one after another (RFC 1952 2.2; what
            // concatenated .gz files and some shippers send): each is decoded in turn. Bytes
            // after the last member that are not one are a damaged body, never dropped quietly.
            inflateReset(&z);
            continue;
        }
        if (z.avail_in == 0 && z.avail_out != 0) {
            inflateEnd(&z);
            probe.bad_request.add();
            return json_reply(400, "error", "damaged gzip body: truncated");
        }
    }
    inflateEnd(&z);
    return std::nullopt;
}

void http_ingest::ingest(const http_ingest_request& request, reply_fn reply) {
    auto prepared = ingest_batch(request);
    if (!prepared) {
        reply(std::move(prepared.error()));
        return;
    }
    submit(std::move(*prepared), ingest_probe_, false, std::move(reply));
}

void http_ingest::hec_event(const http_ingest_request& request, reply_fn reply) {
    auto prepared = hec_batch(request);
    if (!prepared) {
        reply(std::move(prepared.error()));
        return;
    }
    submit(std::move(*prepared), hec_probe_, true, std::move(reply));
}

void http_ingest::submit(prepared_request prepared, endpoint_probe& probe, bool hec,
                         reply_fn reply) {
    const std::size_t records = prepared.batch->size();
    const std::size_t bytes = prepared.batch->bytes();
    const std::uint64_t sequence = acks_.next_sequence();
    if (!sink_.try_submit(prepared.batch)) {
        // Nothing of the request was taken: the client sends it again.
        probe.busy.add();
        probe_.backpressure_waits.add();
        auto busy = hec ? hec_reply(503, "Server is busy", 9)
                        : json_reply(503, "error", "the pipeline is full; retry");
        busy.headers.emplace_back("Retry-After", "1");
        reply(std::move(busy));
        return;
    }
    probe_.records.add(records);
    probe_.bytes.add(bytes);
    // 200 only once the records are durable: their alerts stored and the correlators' state
    // after them checkpointed, so that a crash after the answer loses none of them.
    auto ok = hec ? hec_reply(200, "Success", 0) : accepted_reply(200, records, prepared.rejected);
    const auto timeout = config_.ack_timeout;
    acks_.when_durable(
        sequence, timeout,
        [&probe, hec, timeout, ok = std::move(ok), reply = std::move(reply)](bool durable) mutable {
            if (durable) {
                probe.accepted.add();
                reply(std::move(ok));
                return;
            }
            // Taken, but not stored in time (a full or failing disk): not
            // acknowledged. Sent again, they may be processed twice, never lost.
            probe.not_durable.add();
            const std::string why = "the records were taken but not stored within " +
                                    std::to_string(timeout.count()) +
                                    " ms (see /healthz); send them again";
            auto late = hec ? hec_reply(503, why, 9) : json_reply(503, "error", why);
            late.headers.emplace_back("Retry-After", "1");
            reply(std::move(late));
        });
}

http_ingest::prepare_result http_ingest::ingest_batch(const http_ingest_request& request) {
    auto& probe = ingest_probe_;
    std::uint16_t tenant = 0;
    if (!config_.ingest_token.empty() || !config_.tenant_tokens.empty()) {
        auto token = core::credential(request.authorization, "Bearer");
        bool known = token && !config_.ingest_token.empty() &&
                     core::constant_time_equal(*token, config_.ingest_token);
        for (const auto& [tenant_token, number] : config_.tenant_tokens) {
            if (!known && token && core::constant_time_equal(*token, tenant_token)) {
                known = true;
                tenant = number;
            }
        }
        if (!known) {
            probe.unauthorized.add();
            auto reply =
                json_reply(401, "error", token ? "invalid token" : "a Bearer token is required");
            reply.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"vigil\"");
            return std::unexpected(std::move(reply));
        }
    }
    if (auto failed = decode(request, scratch_, probe)) {
        return std::unexpected(std::move(*failed));
    }
    const std::string_view body = scratch_;
    const std::int64_t now = clock_.now_ns();
    const core::input_id input = core::input_for_peer(core::source_kind::http, request.peer, false);
    prepared_request prepared;
    prepared.batch = std::make_unique<core::raw_batch>();
    auto& batch = prepared.batch;
    const std::size_t first = body.find_first_not_of(" \t\r\n");
    if (first != std::string_view::npos && body[first] == '[') {
        // A JSON array: one record per element.
        simdjson::dom::parser parser;
        simdjson::dom::array array;
        if (auto error = parser.parse(body.data(), body.size()).get_array().get(array); error) {
            probe.bad_request.add();
            return std::unexpected(
                json_reply(400, "error",
                           std::string("body starts with '[' but is not a JSON array: ") +
                               simdjson::error_message(error)));
        }
        for (simdjson::dom::element element : array) {
            batch->add(simdjson::minify(element), core::source_kind::http, now, request.peer, input,
                       tenant);
        }
    } else {
        // NDJSON: one record per non-empty line. A line that is not JSON is refused and named in
        // the answer (it would otherwise be read as text of another format); the lines around it
        // are taken.
        simdjson::dom::parser parser;
        std::string_view rest = body;
        std::size_t number = 0;
        while (!rest.empty()) {
            const std::size_t end = rest.find('\n');
            const std::string_view line = core::ascii::trim_blanks(rest.substr(0, end));
            ++number;
            if (!line.empty()) {
                simdjson::dom::element ignored;
                if (auto error = parser.parse(line.data(), line.size()).get(ignored); error) {
                    probe.rejected_records.add();
                    prepared.rejected.push_back(
                        {number, std::string("not JSON: ") + simdjson::error_message(error)});
                } else {
                    batch->add(line, core::source_kind::http, now, request.peer, input, tenant);
                }
            }
            if (end == std::string_view::npos) {
                break;
            }
            rest.remove_prefix(end + 1);
        }
    }
    if (batch->empty()) {
        probe.bad_request.add();
        auto reply = accepted_reply(400, 0, prepared.rejected);
        if (prepared.rejected.empty()) {
            reply = json_reply(400, "error", "no records in the body (NDJSON or a JSON array)");
        }
        return std::unexpected(std::move(reply));
    }
    return prepared;
}

http_ingest::prepare_result http_ingest::hec_batch(const http_ingest_request& request) {
    auto& probe = hec_probe_;
    if (!config_.hec_token.empty()) {
        if (core::ascii::trim_blanks(request.authorization).empty()) {
            probe.unauthorized.add();
            return std::unexpected(hec_reply(401, "Token is required", 2));
        }
        auto token = core::credential(request.authorization, "Splunk");
        if (!token || !core::constant_time_equal(*token, config_.hec_token)) {
            probe.unauthorized.add();
            return std::unexpected(hec_reply(403, "Invalid token", 4));
        }
    }
    if (auto failed = decode(request, scratch_, probe)) {
        return std::unexpected(std::move(*failed));
    }
    const std::int64_t now = clock_.now_ns();
    const core::input_id input = core::input_for_peer(core::source_kind::http, request.peer, false);
    prepared_request prepared;
    prepared.batch = std::make_unique<core::raw_batch>();
    auto& batch = prepared.batch;
    simdjson::dom::parser parser;
    simdjson::dom::document_stream events;
    if (auto error = parser.parse_many(scratch_).get(events); error) {
        probe.bad_request.add();
        return std::unexpected(hec_reply(400, "Invalid data format", 6));
    }
    std::string record;
    std::size_t index = 0;
    // HEC's answer for a bad event: which one, counting from 0.
    auto invalid_event = [&](std::string_view text, int code, core::counter& counted) {
        counted.add();
        auto reply = hec_reply(400, text, code);
        reply.body.insert(reply.body.size() - 2,
                          ",\"invalid-event-number\":" + std::to_string(index));
        return reply;
    };
    for (auto result : events) {
        simdjson::dom::element doc;
        simdjson::dom::element event;
        if (result.get(doc) != simdjson::SUCCESS || !doc.is_object() ||
            doc["event"].get(event) != simdjson::SUCCESS) {
            return std::unexpected(invalid_event("Event field is required", 12, probe.bad_request));
        }
        const auto time = epoch_ns(doc);
        if (!time) {
            return std::unexpected(
                invalid_event("Invalid data format: " + time.error(), 6, probe.bad_time));
        }
        ++index;
        // The event is the record. Of the envelope, `time` (epoch seconds) and `host` are kept
        // as @timestamp and host.name of an object event.
        if (!event.is_object()) {
            std::string_view text;
            if (event.get(text) == simdjson::SUCCESS) {
                batch->add(text, core::source_kind::http, now, request.peer, input);
            } else {
                batch->add(simdjson::minify(event), core::source_kind::http, now, request.peer,
                           input);
            }
            continue;
        }
        record.clear();
        record += '{';
        bool fields = false;
        if (*time) {
            std::string t;
            core::json_writer::escape(t, core::format_rfc3339(**time));
            record += "\"@timestamp\":\"" + t + "\"";
            fields = true;
        }
        std::string_view host;
        if (doc["host"].get(host) == simdjson::SUCCESS) {
            std::string h;
            core::json_writer::escape(h, host);
            record += std::string(fields ? "," : "") + "\"host.name\":\"" + h + "\"";
            fields = true;
        }
        const std::string inner = simdjson::minify(event);
        if (inner.size() > 2) {
            record += fields ? "," : "";
            record.append(inner, 1, std::string::npos); // without its '{'
        } else {
            record += '}';
        }
        batch->add(record, core::source_kind::http, now, request.peer, input);
    }
    if (batch->empty()) {
        probe.bad_request.add();
        return std::unexpected(hec_reply(400, "No data", 5));
    }
    return prepared;
}

} // namespace vigil::ingest
