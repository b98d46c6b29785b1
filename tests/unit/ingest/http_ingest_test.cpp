#include "core/credentials.hpp"
#include "core/metrics.hpp"
#include "ingest/http_ingest.hpp"

#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>
#include <optional>
#include <string>
#include <vector>

using namespace vigil;

namespace {

// The pipeline's entrance as the ingest sees it: takes batches, or refuses them all (a full
// pipeline); what it takes is durable at once, or never (a full disk) when `stuck`.
class batch_collector final : public ingest::batch_sink, public ingest::durability_tracker {
public:
    explicit batch_collector(bool full = false) : full_(full) {}
    bool try_submit(std::unique_ptr<core::raw_batch>& batch) override {
        if (full_) {
            return false;
        }
        ++taken_;
        for (const auto& r : batch->records()) {
            records.emplace_back(r.bytes);
            CHECK(r.source == core::source_kind::http);
        }
        batch.reset();
        return true;
    }
    std::uint64_t next_sequence() const override { return taken_ + 1; }
    void request_durable(std::uint64_t sequence) override { requested = sequence; }
    std::uint64_t durable_sequence() const override { return stuck ? 0 : taken_; }

    std::vector<std::string> records;
    bool stuck = false;
    std::uint64_t requested = 0;

private:
    bool full_;
    std::uint64_t taken_ = 0;
};

struct fixture {
    explicit fixture(ingest::http_ingest_config config = {}, bool full = false)
        : sink(full), ingest(std::move(config), sink, acks, metrics, clock) {}

    // The answer to a request, however long it waits for durability.
    ingest::http_ingest_reply post(const ingest::http_ingest_request& request) {
        return answer(&ingest::http_ingest::ingest, request);
    }
    ingest::http_ingest_reply hec(const ingest::http_ingest_request& request) {
        return answer(&ingest::http_ingest::hec_event, request);
    }
    template <typename Handler>
    ingest::http_ingest_reply answer(Handler handler, const ingest::http_ingest_request& request) {
        std::optional<ingest::http_ingest_reply> reply;
        (ingest.*handler)(request, [&](ingest::http_ingest_reply r) { reply = std::move(r); });
        io.restart();
        while (!reply && io.run_one() > 0) {
        }
        REQUIRE(reply.has_value());
        return *reply;
    }

    core::manual_clock clock{1'795'000'000'000'000'000};
    core::metrics_registry metrics;
    boost::asio::io_context io;
    batch_collector sink;
    ingest::durable_acks acks{io, sink};
    ingest::http_ingest ingest;
};

std::string header(const ingest::http_ingest_reply& reply, const std::string& name) {
    for (const auto& [n, v] : reply.headers) {
        if (n == name) {
            return v;
        }
    }
    return {};
}

} // namespace

TEST_CASE("NDJSON and JSON arrays become one record per line or element", "[ingest][http]") {
    fixture f;
    auto reply = f.post({"", "", "{\"a\":1}\r\n\n  {\"b\":2}\n{\"c\":3}", {}});
    CHECK(reply.status == 200);
    CHECK(reply.body == "{\"accepted\":3}\n");
    REQUIRE(f.sink.records.size() == 3);
    CHECK(f.sink.records[0] == "{\"a\":1}");
    CHECK(f.sink.records[1] == "{\"b\":2}");
    CHECK(f.sink.records[2] == "{\"c\":3}");

    auto array = f.post({"", "", " [ {\"a\": 1}, {\"b\": [1, 2]} ] ", {}});
    CHECK(array.status == 200);
    REQUIRE(f.sink.records.size() == 5);
    CHECK(f.sink.records[3] == "{\"a\":1}");
    CHECK(f.sink.records[4] == "{\"b\":[1,2]}");

    auto bad = f.post({"", "", "[{\"a\": 1},", {}});
    CHECK(bad.status == 400);
    CHECK(bad.body.find("not a JSON array") != std::string::npos);
    CHECK(f.post({"", "", "\n \n", {}}).status == 400);
    CHECK(f.metrics.value("vigil_received_total", {{"source", "http"}}) == 5);
    CHECK(f.metrics.value("vigil_http_ingest_requests_total",
                          {{"endpoint", "ingest"}, {"result", "bad_request"}}) == 2);
}

TEST_CASE("NDJSON lines that are not JSON are refused and named, the lines around them are taken",
          "[ingest][http]") {
    fixture f;
    // Line 2 once went to the workers and was read as RFC 3164 text; line 4 is cut short.
    auto reply = f.post(
        {"", "", "{\"a\":1}\nOct 11 22:14:15 host sshd: text\n{\"b\":2}\n{\"broken\": \n", {}});
    CHECK(reply.status == 200);
    CHECK(reply.body.starts_with("{\"accepted\":2,\"rejected\":2,\"rejected_lines\":[{\"line\":2,"
                                 "\"error\":\"not JSON: "));
    CHECK(reply.body.find("{\"line\":4,") != std::string::npos);
    REQUIRE(f.sink.records.size() == 2);
    CHECK(f.sink.records[1] == "{\"b\":2}");
    CHECK(f.metrics.value("vigil_http_ingest_rejected_records_total",
                          {{"endpoint", "ingest"}, {"reason", "not_json"}}) == 2);

    auto none = f.post({"", "", "not json\n", {}});
    CHECK(none.status == 400);
    CHECK(none.body.find("\"line\":1") != std::string::npos);
    CHECK(f.sink.records.size() == 2);
}

TEST_CASE("200 waits until the records are durable, 503 when they are not in time",
          "[ingest][http]") {
    ingest::http_ingest_config config;
    config.ack_timeout = std::chrono::milliseconds(50);
    fixture f(config);
    f.sink.stuck = true; // the store takes nothing (a full disk)
    const auto started = std::chrono::steady_clock::now();
    auto reply = f.post({"", "", "{\"a\":1}\n", {}});
    CHECK(std::chrono::steady_clock::now() - started >= std::chrono::milliseconds(50));
    CHECK(reply.status == 503);
    CHECK(header(reply, "Retry-After") == "1");
    CHECK(reply.body.find("not stored within 50 ms") != std::string::npos);
    CHECK(f.sink.requested == 1); // durability of its batch was asked for
    auto hec = f.hec({"", "", "{\"event\":\"x\"}", {}});
    CHECK(hec.status == 503);
    CHECK(hec.body.find("\"code\":9") != std::string::npos);
    CHECK(f.metrics.value("vigil_http_ingest_requests_total",
                          {{"endpoint", "ingest"}, {"result", "not_durable"}}) == 1);
    CHECK(f.metrics.value("vigil_http_ingest_requests_total",
                          {{"endpoint", "ingest"}, {"result", "accepted"}}) == 0);

    f.sink.stuck = false;
    CHECK(f.post({"", "", "{\"a\":1}\n", {}}).status == 200);
    CHECK(f.metrics.value("vigil_http_ingest_requests_total",
                          {{"endpoint", "ingest"}, {"result", "accepted"}}) == 1);
}

TEST_CASE("HEC events: the event is the record, time and host join an object event",
          "[ingest][http]") {
    fixture f;
    auto reply = f.hec({"",
                        "",
                        "{\"event\":{\"msg\":\"one\"},\"time\":1795000000.5,\"host\":\"web01\"}"
                        "{\"event\":\"a plain line\"}\n{\"event\":{},\"time\":\"1795000001\"}",
                        {}});
    CHECK(reply.status == 200);
    CHECK(reply.body == "{\"text\":\"Success\",\"code\":0}\n");
    REQUIRE(f.sink.records.size() == 3);
    CHECK(f.sink.records[0] ==
          "{\"@timestamp\":\"2026-11-18T11:06:40.500Z\",\"host.name\":\"web01\",\"msg\":\"one\"}");
    CHECK(f.sink.records[1] == "a plain line");
    CHECK(f.sink.records[2] == "{\"@timestamp\":\"2026-11-18T11:06:41Z\"}");

    auto missing = f.hec({"", "", "{\"event\":\"x\"}{\"fields\":{}}", {}});
    CHECK(missing.status == 400);
    CHECK(missing.body.find("\"code\":12") != std::string::npos);
    CHECK(missing.body.find("\"invalid-event-number\":1") != std::string::npos);
    CHECK(f.sink.records.size() == 3); // nothing of a refused request was taken
}

TEST_CASE("tokens: Bearer for /ingest, Splunk for HEC, compared in full", "[ingest][http]") {
    ingest::http_ingest_config config;
    config.ingest_token = "s3cret-ingest";
    config.hec_token = "11111111-2222-3333-4444-555555555555";
    fixture f(config);
    const std::string body = "{\"a\":1}\n";
    auto none = f.post({"", "", body, {}});
    CHECK(none.status == 401);
    CHECK(header(none, "WWW-Authenticate") == "Bearer realm=\"vigil\"");
    CHECK(f.post({"Bearer s3cret-ingesT", "", body, {}}).status == 401);
    CHECK(f.post({"Bearer s3cret-ingest-and-more", "", body, {}}).status == 401);
    CHECK(f.post({"Basic s3cret-ingest", "", body, {}}).status == 401);
    CHECK(f.post({"bearer  s3cret-ingest ", "", body, {}}).status == 200);

    const std::string event = "{\"event\":\"x\"}";
    CHECK(f.hec({"", "", event, {}}).status == 401);
    CHECK(f.hec({"Splunk wrong", "", event, {}}).status == 403);
    CHECK(f.hec({"Splunk 11111111-2222-3333-4444-555555555555", "", event, {}}).status == 200);
    CHECK(f.sink.records.size() == 2);
    CHECK(f.metrics.value("vigil_http_ingest_requests_total",
                          {{"endpoint", "ingest"}, {"result", "unauthorized"}}) == 4);

    CHECK(core::constant_time_equal("abc", "abc"));
    CHECK_FALSE(core::constant_time_equal("abd", "abc"));
    CHECK_FALSE(core::constant_time_equal("ab", "abc"));
    CHECK_FALSE(core::constant_time_equal("abcd", "abc"));
    CHECK_FALSE(core::constant_time_equal("", "abc"));
}

TEST_CASE("a full pipeline answers 503 with Retry-After and takes nothing", "[ingest][http]") {
    fixture f({}, true);
    auto reply = f.post({"", "", "{\"a\":1}\n", {}});
    CHECK(reply.status == 503);
    CHECK(header(reply, "Retry-After") == "1");
    auto hec = f.hec({"", "", "{\"event\":\"x\"}", {}});
    CHECK(hec.status == 503);
    CHECK(hec.body.find("\"code\":9") != std::string::npos);
    CHECK(f.metrics.value("vigil_received_total", {{"source", "http"}}) == 0);
    CHECK(f.metrics.value("vigil_http_ingest_requests_total",
                          {{"endpoint", "ingest"}, {"result", "busy"}}) == 1);
}

TEST_CASE("unsupported encodings and damaged gzip are refused with a reason", "[ingest][http]") {
    fixture f;
    auto br = f.post({"", "br", "xx", {}});
    CHECK(br.status == 415);
    CHECK(br.body.find("unsupported Content-Encoding 'br'") != std::string::npos);
    auto damaged = f.post({"", "GZip", std::string("\x1f\x8b\x08\x00garbage", 11), {}});
    CHECK(damaged.status == 400);
    CHECK(damaged.body.find("damaged gzip body") != std::string::npos);
    CHECK(f.sink.records.empty());
}
