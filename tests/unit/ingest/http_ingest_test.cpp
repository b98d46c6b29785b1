#include "core/metrics.hpp"
#include "ingest/http_ingest.hpp"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

using namespace vigil;

namespace {

// The pipeline's entrance as the ingest sees it: takes batches, or refuses them all (a full
// pipeline).
class batch_collector final : public ingest::batch_sink {
public:
    explicit batch_collector(bool full = false) : full_(full) {}
    bool try_submit(std::unique_ptr<core::raw_batch>& batch) override {
        if (full_) {
            return false;
        }
        for (const auto& r : batch->records()) {
            records.emplace_back(r.bytes);
            CHECK(r.source == core::source_kind::http);
        }
        batch.reset();
        return true;
    }
    std::vector<std::string> records;

private:
    bool full_;
};

struct fixture {
    explicit fixture(ingest::http_ingest_config config = {}, bool full = false)
        : sink(full), ingest(std::move(config), sink, metrics, clock) {}
    core::manual_clock clock{1'795'000'000'000'000'000};
    core::metrics_registry metrics;
    batch_collector sink;
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
    auto reply = f.ingest.ingest({"", "", "{\"a\":1}\r\n\n  {\"b\":2}\n{\"broken\": \n", {}});
    CHECK(reply.status == 200);
    CHECK(reply.body == "{\"accepted\":3}\n");
    REQUIRE(f.sink.records.size() == 3);
    CHECK(f.sink.records[0] == "{\"a\":1}");
    CHECK(f.sink.records[1] == "{\"b\":2}");
    CHECK(f.sink.records[2] == "{\"broken\":"); // kept: the worker parses and counts it

    auto array = f.ingest.ingest({"", "", " [ {\"a\": 1}, {\"b\": [1, 2]} ] ", {}});
    CHECK(array.status == 200);
    REQUIRE(f.sink.records.size() == 5);
    CHECK(f.sink.records[3] == "{\"a\":1}");
    CHECK(f.sink.records[4] == "{\"b\":[1,2]}");

    auto bad = f.ingest.ingest({"", "", "[{\"a\": 1},", {}});
    CHECK(bad.status == 400);
    CHECK(bad.body.find("not a JSON array") != std::string::npos);
    CHECK(f.ingest.ingest({"", "", "\n \n", {}}).status == 400);
    CHECK(f.metrics.value("vigil_received_total", {{"source", "http"}}) == 5);
    CHECK(f.metrics.value("vigil_http_ingest_requests_total",
                          {{"endpoint", "ingest"}, {"result", "bad_request"}}) == 2);
}

TEST_CASE("HEC events: the event is the record, time and host join an object event",
          "[ingest][http]") {
    fixture f;
    auto reply = f.ingest.hec_event(
        {"", "",
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

    auto missing = f.ingest.hec_event({"", "", "{\"event\":\"x\"}{\"fields\":{}}", {}});
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
    auto none = f.ingest.ingest({"", "", body, {}});
    CHECK(none.status == 401);
    CHECK(header(none, "WWW-Authenticate") == "Bearer realm=\"vigil\"");
    CHECK(f.ingest.ingest({"Bearer s3cret-ingesT", "", body, {}}).status == 401);
    CHECK(f.ingest.ingest({"Bearer s3cret-ingest-and-more", "", body, {}}).status == 401);
    CHECK(f.ingest.ingest({"Basic s3cret-ingest", "", body, {}}).status == 401);
    CHECK(f.ingest.ingest({"bearer  s3cret-ingest ", "", body, {}}).status == 200);

    const std::string event = "{\"event\":\"x\"}";
    CHECK(f.ingest.hec_event({"", "", event, {}}).status == 401);
    CHECK(f.ingest.hec_event({"Splunk wrong", "", event, {}}).status == 403);
    CHECK(f.ingest.hec_event({"Splunk 11111111-2222-3333-4444-555555555555", "", event, {}})
              .status == 200);
    CHECK(f.sink.records.size() == 2);
    CHECK(f.metrics.value("vigil_http_ingest_requests_total",
                          {{"endpoint", "ingest"}, {"result", "unauthorized"}}) == 4);

    CHECK(ingest::constant_time_equal("abc", "abc"));
    CHECK_FALSE(ingest::constant_time_equal("abd", "abc"));
    CHECK_FALSE(ingest::constant_time_equal("ab", "abc"));
    CHECK_FALSE(ingest::constant_time_equal("abcd", "abc"));
    CHECK_FALSE(ingest::constant_time_equal("", "abc"));
}

TEST_CASE("a full pipeline answers 503 with Retry-After and takes nothing", "[ingest][http]") {
    fixture f({}, true);
    auto reply = f.ingest.ingest({"", "", "{\"a\":1}\n", {}});
    CHECK(reply.status == 503);
    CHECK(header(reply, "Retry-After") == "1");
    auto hec = f.ingest.hec_event({"", "", "{\"event\":\"x\"}", {}});
    CHECK(hec.status == 503);
    CHECK(hec.body.find("\"code\":9") != std::string::npos);
    CHECK(f.metrics.value("vigil_received_total", {{"source", "http"}}) == 0);
    CHECK(f.metrics.value("vigil_http_ingest_requests_total",
                          {{"endpoint", "ingest"}, {"result", "busy"}}) == 1);
}

TEST_CASE("unsupported encodings and damaged gzip are refused with a reason", "[ingest][http]") {
    fixture f;
    auto br = f.ingest.ingest({"", "br", "xx", {}});
    CHECK(br.status == 415);
    CHECK(br.body.find("unsupported Content-Encoding 'br'") != std::string::npos);
    auto damaged = f.ingest.ingest({"", "gzip", std::string("\x1f\x8b\x08\x00garbage", 11), {}});
    CHECK(damaged.status == 400);
    CHECK(damaged.body.find("damaged gzip body") != std::string::npos);
    CHECK(f.sink.records.empty());
}
