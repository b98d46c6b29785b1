#include "api/health.hpp"
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
    CHECK(router.dispatch({"GET", "/healthz", "", "", {}, {}}).body == "ok");
    auto missing = router.dispatch({"GET", "/nope", "", "", {}, {}});
    CHECK(missing.status == 404);
    CHECK(missing.body == "{\"error\":\"no such endpoint: /nope\"}\n");
    auto wrong = router.dispatch({"POST", "/healthz", "", "", {}, {}});
    CHECK(wrong.status == 405);
    REQUIRE(wrong.headers.size() == 1);
    CHECK(wrong.headers[0] == std::pair<std::string, std::string>{"Allow", "GET"});
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
