#include "alert/rate_guard.hpp"

#include <catch2/catch.hpp>
#include <simdjson.h>

using namespace vigil;

namespace {

alert::alert make(std::string_view rule, std::uint64_t ms, int n) {
    alert::alert a;
    a.id =
        alert::event_alert_id(rule, static_cast<std::int64_t>(ms) * 1'000'000, std::to_string(n));
    a.json = R"({"id":")" + a.id.to_string() + R"(","rule":{"id":")" + std::string(rule) +
             R"(","title":"t","level":"high","tags":[],"author":"a","rule_set_version":1},)" +
             R"("status":"new","evidence":[{"fields":{"message":"m)" + std::to_string(n) +
             R"("}}]})";
    alert::index_alert(a);
    return a;
}

std::uint64_t count_of(const alert::alert& a) {
    simdjson::dom::parser parser;
    std::uint64_t count = 0;
    REQUIRE(parser.parse(a.json)["count"].get(count) == simdjson::SUCCESS);
    return count;
}

} // namespace

TEST_CASE("a rule over its rate per minute becomes one counted summary alert", "[alert][rate]") {
    alert::rate_guard guard(3);
    const std::uint64_t minute = 1'800'000'000'000; // a whole minute
    std::vector<alert::alert> batch;
    for (int i = 0; i < 5; ++i) {
        batch.push_back(make("noisy", minute + 1000 * static_cast<std::uint64_t>(i), i));
    }
    batch.push_back(make("quiet", minute, 99));
    guard.apply(batch, 1);
    // 3 of "noisy" pass, "quiet" passes, one summary holds the other 2.
    REQUIRE(batch.size() == 5);
    const auto& summary = batch.back();
    CHECK_FALSE(summary.update);
    CHECK(summary.terms.rule_id == "noisy");
    CHECK(summary.terms.level == "high");
    CHECK(summary.id.time_ms() == minute);
    CHECK(count_of(summary) == 2);
    CHECK(summary.json.find(R"("summary":{"reason":"rate_limit","limit":3,"window":"1m")") !=
          std::string::npos);
    CHECK(summary.json.find(R"("message":"m3")") != std::string::npos); // the first held back
    CHECK(guard.held_back() == 2);

    // More in the same minute: the summary is updated (same id), not repeated.
    std::vector<alert::alert> more{make("noisy", minute + 30'000, 10),
                                   make("noisy", minute + 31'000, 11)};
    guard.apply(more, 2);
    REQUIRE(more.size() == 1);
    CHECK(more[0].update);
    CHECK(more[0].id == summary.id);
    CHECK(count_of(more[0]) == 4);

    // The next minute starts again.
    std::vector<alert::alert> next{make("noisy", minute + 60'000, 20)};
    guard.apply(next, 3);
    REQUIRE(next.size() == 1);
    CHECK(next[0].json.find("summary") == std::string::npos);

    // Updates of suppressed alerts always pass; a limit of 0 lets everything through.
    alert::rate_guard off(0);
    std::vector<alert::alert> many;
    for (int i = 0; i < 50; ++i) {
        many.push_back(make("noisy", minute, 100 + i));
    }
    off.apply(many, 4);
    CHECK(many.size() == 50);
}
