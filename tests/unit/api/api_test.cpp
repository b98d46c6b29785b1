#include "api/access_policy.hpp"
#include "api/health.hpp"
#include "api/health_summary.hpp"
#include "api/http_router.hpp"
#include "api/prometheus_text.hpp"

#include <catch2/catch.hpp>

using namespace vigil;

TEST_CASE("prometheus text has help, type and escaped labels", "[api][metrics]") {
    core::metrics_registry registry;
    registry.make_counter("vigil_dropped_total", "Records dropped.", {{"reason", "a\"b"}}).add(2);
    registry.make_gauge("vigil_rules_loaded", "Rules.").set(6);
    const std::string text = api::render_prometheus(registry);
    CHECK(text == "# HELP vigil_dropped_total Records dropped.\n"
                  "# TYPE vigil_dropped_total counter\n"
                  "vigil_dropped_total{reason=\"a\\\"b\"} 2\n"
                  "# HELP vigil_rules_loaded Rules.\n"
                  "# TYPE vigil_rules_loaded gauge\n"
                  "vigil_rules_loaded 6\n");
}

TEST_CASE("router answers 404 for unknown paths and 405 with Allow for other methods",
          "[api][router]") {
    api::http_router router;
    router.add("GET", "/healthz", [](const api::http_request&) {
        api::http_reply r;
        r.body = "ok";
        return r;
    });
    CHECK(router.dispatch({"GET", "/healthz", "", "", {}, {}, {}}).body == "ok");
    auto missing = router.dispatch({"GET", "/nope", "", "", {}, {}, {}});
    CHECK(missing.status == 404);
    CHECK(missing.body == "{\"error\":\"no such endpoint: /nope\"}\n");
    auto wrong = router.dispatch({"POST", "/healthz", "", "", {}, {}, {}});
    CHECK(wrong.status == 405);
    REQUIRE(wrong.headers.size() == 1);
    CHECK(wrong.headers[0] == std::pair<std::string, std::string>{"Allow", "GET"});
}

TEST_CASE("a route ending in {name} takes any last segment, exact routes come first",
          "[api][router]") {
    api::http_router router;
    auto echo = [](const char* what) {
        return [what](const api::http_request& request) {
            api::http_reply r;
            r.body = std::string(what) + ":" + request.path_parameter;
            return r;
        };
    };
    router.add("GET", "/api/v1/alerts", echo("list"));
    router.add("GET", "/api/v1/alerts/{id}", echo("one"));
    router.add("GET", "/api/v1/alerts/stats", echo("stats"));
    auto get = [&](const char* path) { return router.dispatch({"GET", path, "", "", {}, {}, {}}); };
    CHECK(get("/api/v1/alerts").body == "list:");
    CHECK(get("/api/v1/alerts/01JEXAMPLE").body == "one:01JEXAMPLE");
    CHECK(get("/api/v1/alerts/stats").body == "stats:");
    CHECK(get("/api/v1/alerts/").status == 404);
    CHECK(get("/api/v1/alerts/a/b").status == 404);
    CHECK(get("/api/v1/rules/x").status == 404);
    CHECK(router.dispatch({"POST", "/api/v1/alerts/x", "", "", {}, {}, {}}).status == 405);
}

TEST_CASE("query parameters are split and percent-decoded", "[api][router]") {
    using pairs = std::vector<std::pair<std::string, std::string>>;
    CHECK(api::query_parameters("") == pairs{});
    CHECK(api::query_parameters("since=15m&level=high%2Ccritical&host=web+1&&flag") ==
          pairs{{"since", "15m"}, {"level", "high,critical"}, {"host", "web 1"}, {"flag", ""}});
    CHECK(api::query_parameters("until=2026-12-01T08%3A00%3A00%2B08%3A00&bad=%zz%4") ==
          pairs{{"until", "2026-12-01T08:00:00+08:00"}, {"bad", "%zz%4"}});
}

TEST_CASE("health is ready only when every check is", "[api][health]") {
    api::health h;
    CHECK_FALSE(h.ready());
    h.set_ready("rules");
    h.set_not_ready("listeners", "starting");
    CHECK_FALSE(h.ready());
    CHECK(h.to_json() == "{\"status\":\"not_ready\",\"checks\":{\"listeners\":{\"ready\":false,"
                         "\"reason\":\"starting\"},\"rules\":{\"ready\":true}}}\n");
    h.set_ready("listeners");
    CHECK(h.ready());
}

TEST_CASE("the router asks the access policy before every route that is not open",
          "[api][router][access]") {
    core::metrics_registry metrics;
    const api::access_policy policy({"r", "w", "m", true, {}}, metrics);
    api::http_router router;
    router.set_guard([&](const api::http_request& request, api::access need) {
        return policy.check(request, need);
    });
    auto ok = [](const api::http_request&) { return api::http_reply{}; };
    router.add("GET", "/healthz", ok);
    router.add("GET", "/api/v1/rules", ok, api::access::read);
    router.add("POST", "/api/v1/rules/reload", ok, api::access::write);
    router.add("GET", "/metrics", ok, api::access::metrics);
    auto call = [&](const char* method, const char* path, std::string authorization) {
        api::http_request request{method, path, "", "", {}, {}, {}};
        if (!authorization.empty()) {
            request.headers.emplace_back("authorization", std::move(authorization));
        }
        return router.dispatch(request).status;
    };
    CHECK(call("GET", "/healthz", "") == 200);
    CHECK(call("GET", "/api/v1/rules", "") == 401);
    CHECK(call("GET", "/api/v1/rules", "Bearer r") == 200);
    CHECK(call("GET", "/api/v1/rules", "bearer  w ") == 200); // write opens reads
    CHECK(call("GET", "/api/v1/rules", "Bearer rr") == 401);
    CHECK(call("GET", "/api/v1/rules", "Basic r") == 401);
    CHECK(call("POST", "/api/v1/rules/reload", "Bearer r") == 401);
    CHECK(call("POST", "/api/v1/rules/reload", "Bearer w") == 200);
    CHECK(call("GET", "/metrics", "Bearer r") == 401);
    CHECK(call("GET", "/metrics", "Bearer m") == 200);
    CHECK(metrics.value("vigil_api_requests_refused_total",
                        {{"access", "read"}, {"reason", "missing_token"}}) == 2); // "Basic r" too
    CHECK(metrics.value("vigil_api_requests_refused_total",
                        {{"access", "read"}, {"reason", "wrong_token"}}) == 1);

    // Tokens in use but not this route's: 403 naming the key.
    core::metrics_registry other;
    const api::access_policy ingest_only({"", "", "", true, {}}, other);
    auto refused = ingest_only.check({"GET", "/metrics", "", "", {}, {}, {}}, api::access::metrics);
    REQUIRE(refused.has_value());
    CHECK(refused->status == 403);
    CHECK(refused->body.find("http.metrics_token, which is not set") != std::string::npos);
    // No token anywhere: open.
    const api::access_policy none({"", "", "", false, {}}, other);
    CHECK_FALSE(
        none.check({"GET", "/metrics", "", "", {}, {}, {}}, api::access::metrics).has_value());
}

TEST_CASE("a tenant's read token opens the alert routes only", "[api][access][tenant]") {
    core::metrics_registry metrics;
    const api::access_policy policy({"r", "w", "m", true, {"acme-read"}}, metrics);
    auto status = [&](api::access need, const char* token) {
        api::http_request request{"GET", "/x", "", "", {}, {}, {}};
        request.headers.emplace_back("authorization", std::string("Bearer ") + token);
        auto refused = policy.check(request, need);
        return refused ? refused->status : 200U;
    };
    CHECK(status(api::access::alerts, "acme-read") == 200);
    CHECK(status(api::access::alerts, "r") == 200);
    // Known but forbidden elsewhere (rules, coverage, health, dead deliveries, writes).
    CHECK(status(api::access::read, "acme-read") == 403);
    CHECK(status(api::access::write, "acme-read") == 403);
    CHECK(status(api::access::metrics, "acme-read") == 403);
    CHECK(metrics.value("vigil_api_requests_refused_total",
                        {{"access", "read"}, {"reason", "tenant_token"}}) == 1);
    CHECK(status(api::access::read, "globex-read") == 401);
    CHECK(status(api::access::alerts, "globex-read") == 401);
    // A tenant's token alone is a token in use: the alert routes are not open without one.
    const api::access_policy tenants_only({"", "", "", true, {"acme-read"}}, metrics);
    CHECK(tenants_only.check({"GET", "/x", "", "", {}, {}, {}}, api::access::alerts)->status ==
          401);
}

TEST_CASE("the health summary regroups the metrics per source, destination and ring",
          "[api][health]") {
    core::metrics_registry metrics;
    metrics.make_counter("vigil_received_total", "r", {{"source", "http"}}).add(5);
    metrics.make_counter("vigil_received_bytes_total", "b", {{"source", "http"}}).add(700);
    metrics.make_counter("vigil_received_total", "r", {{"source", "kafka"}}).add(2);
    // A source's drops add up over their reasons; the drops section adds up over sources.
    metrics
        .make_counter("vigil_dropped_total", "d",
                      {{"reason", "oversize_frame"}, {"source", "http"}})
        .add(1);
    metrics
        .make_counter("vigil_dropped_total", "d", {{"reason", "pipeline_full"}, {"source", "http"}})
        .add(2);
    metrics
        .make_counter("vigil_dropped_total", "d",
                      {{"reason", "pipeline_full"}, {"source", "kafka"}})
        .add(4);
    metrics.make_counter("vigil_delivery_sent_total", "s", {{"destination", "chat"}}).add(3);
    metrics
        .make_counter("vigil_delivery_failed_total", "f",
                      {{"destination", "chat"}, {"reason", "status"}})
        .add(1);
    metrics
        .make_counter("vigil_delivery_failed_total", "f",
                      {{"destination", "chat"}, {"reason", "timeout"}})
        .add(2);
    metrics.make_gauge("vigil_delivery_queue_depth", "q", {{"destination", "chat"}}).set(7);
    metrics.make_gauge("vigil_kafka_consumer_lag", "l", {{"partition", "1"}, {"topic", "logs"}})
        .set(9);
    metrics.make_gauge("vigil_ring_occupancy", "o", {{"ring", "worker_input"}, {"index", "0"}})
        .set(2);
    // The watermark is the slowest shard's.
    metrics.make_gauge("vigil_correlation_watermark_seconds", "w", {{"shard", "0"}}).set(1000);
    metrics.make_gauge("vigil_correlation_watermark_seconds", "w", {{"shard", "1"}}).set(990);
    metrics.make_gauge("vigil_alert_store_bytes", "s").set(4096);
    metrics.make_gauge("vigil_unrelated", "u").set(1);
    api::health readiness;
    readiness.set_ready("rules");
    readiness.set_not_ready("alert_store", "disk full");

    CHECK(api::health_summary_json(metrics, readiness, 1234) ==
          "{\"at_ms\":1234,\"status\":\"not_ready\",\"checks\":{"
          "\"alert_store\":{\"ready\":false,\"reason\":\"disk full\"},\"rules\":{\"ready\":true}},"
          "\"sources\":[{\"source\":\"http\",\"received\":5,\"bytes\":700,\"dropped\":3},"
          "{\"source\":\"kafka\",\"received\":2,\"dropped\":4}],"
          "\"kafka_partitions\":[{\"topic\":\"logs\",\"partition\":\"1\",\"lag\":9}],"
          "\"queues\":[{\"ring\":\"worker_input\",\"index\":\"0\",\"batches\":2}],"
          "\"destinations\":[{\"destination\":\"chat\",\"sent\":3,\"failed\":3,\"queue_depth\":7}],"
          "\"drops\":[{\"reason\":\"oversize_frame\",\"count\":1},{\"reason\":\"pipeline_full\","
          "\"count\":6}],\"dead_letters\":[],\"pipeline\":{\"watermark_seconds\":990},"
          "\"store\":{\"bytes\":4096}}\n");
}
