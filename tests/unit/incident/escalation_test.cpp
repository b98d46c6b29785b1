#include "alert/alert_store.hpp"
#include "incident/escalation_watch.hpp"
#include "incident/grader.hpp"
#include "incident/lifecycle.hpp"

#include <catch2/catch.hpp>
#include <filesystem>
#include <simdjson.h>
#include <unistd.h>

using namespace vigil;
namespace fs = std::filesystem;

namespace {

constexpr std::int64_t minute = 60'000'000'000;
constexpr std::int64_t created = 1'796'000'000'000'000'000;

struct temp_store {
    fs::path path = fs::temp_directory_path() / ("vigil-escalation-" + std::to_string(::getpid()) +
                                                 "-" + std::to_string(++count));
    temp_store() { fs::remove_all(path); }
    ~temp_store() { fs::remove_all(path); }
    std::unique_ptr<alert::alert_store> open() const {
        auto store = alert::alert_store::open(path, alert::alert_store::mode::read_write);
        REQUIRE(store.has_value());
        return std::move(*store);
    }
    static inline int count = 0;
};

// A graded alert of a high rule (grade II: notify in 30 minutes, contain in an hour).
alert::alert graded(core::ulid_generator& ids, std::string host) {
    alert::alert a;
    a.id = ids.next(static_cast<std::uint64_t>(created / 1'000'000));
    a.created_ns = created;
    a.json =
        R"({"id":")" + a.id.to_string() +
        R"(","rule":{"id":"r1","title":"t","level":"high"},"host":")" + host +
        R"(","count":1,"first_seen":"2026-12-01T00:00:00Z","last_seen":"2026-12-01T00:00:00Z","evidence":[]})";
    alert::index_alert(a);
    incident::grader(incident::incident_policy{}).grade(a, nullptr);
    return a;
}

std::vector<std::string> escalations_of(alert::alert_store& store) {
    alert::alert_query q;
    std::vector<std::string> out;
    auto page = store.list(q);
    REQUIRE(page.has_value());
    for (const auto& doc : page->alerts) {
        if (doc.find("\"escalation\":{") != std::string::npos) {
            out.push_back(doc);
        }
    }
    return out;
}

// One lifecycle step, as the API takes it.
void step(alert::alert_store& store, const alert::alert& a, std::string status,
          std::int64_t at_ns) {
    auto changed = store.change_incident(a.id.to_string(), [&](alert::incident_part& p) {
        return incident::change_status(p, {status, "alice", "", at_ns});
    });
    REQUIRE(changed.has_value());
    REQUIRE(changed->has_value());
}

} // namespace

TEST_CASE("a missed deadline escalates once, shown on the alert, counted",
          "[incident][escalation]") {
    temp_store dir;
    auto store = dir.open();
    core::ulid_generator ids;
    auto late = graded(ids, "web-1");
    auto acked = graded(ids, "web-2");
    REQUIRE(store->write(std::vector{late, acked}).has_value());
    // One entry per alert: its earliest deadline (notify).
    const std::int64_t far_ms = created / 1'000'000 + 1'000 * 60'000;
    auto watched = store->due_deadlines(far_ms, 10);
    REQUIRE(watched->size() == 2);
    CHECK((*watched)[0].kind == alert::deadline_kind::notify);
    CHECK((*watched)[1].kind == alert::deadline_kind::notify);
    // web-2 is acknowledged in time: its notify deadline is decided, its contain one watched.
    step(*store, acked, "acknowledged", created + 5 * minute);
    watched = store->due_deadlines(far_ms, 10);
    REQUIRE(watched->size() == 2);
    CHECK((*watched)[0].alert_id == late.id.to_string());
    CHECK((*watched)[1].alert_id == acked.id.to_string());
    CHECK((*watched)[1].kind == alert::deadline_kind::contain);

    core::manual_clock clock(created + 29 * minute);
    core::metrics_registry metrics;
    incident::escalation_watch watch(*store, clock, metrics, 1'000'000'000);
    CHECK(watch.pass() == 0); // nothing due yet
    clock.set(created + 31 * minute);
    CHECK(watch.pass() == 1); // web-1's notify deadline
    CHECK(watch.pass() == 0); // once
    auto escalations = escalations_of(*store);
    REQUIRE(escalations.size() == 1);
    simdjson::dom::parser parser;
    simdjson::dom::element e = parser.parse(escalations[0]);
    CHECK(std::string_view(e["escalation"]["alert"]) == late.id.to_string());
    CHECK(std::string_view(e["escalation"]["deadline"]) == "notify");
    CHECK(std::string_view(e["escalation"]["status"]) == "new");
    CHECK(std::string_view(e["grade"]) == "II");
    CHECK(std::string_view(e["host"]) == "web-1");
    const std::string escalation_id{std::string_view(e["id"])};
    // Shown on the alert.
    auto part = alert::read_incident_part(**store->find(late.id.to_string()));
    REQUIRE(part->escalations.size() == 1);
    CHECK(part->escalations[0] ==
          alert::incident_part::escalation_ref{"notify", created + 31 * minute, escalation_id});
    CHECK(metrics.make_counter("vigil_escalations_total", "", {{"deadline", "notify"}}).value() ==
          1);

    // An hour on, both contain deadlines (web-2 acknowledged but not contained) pass.
    clock.set(created + 61 * minute);
    CHECK(watch.pass() == 2);
    CHECK(escalations_of(*store).size() == 3);
    CHECK(watch.pass() == 0);
}

TEST_CASE("deadlines survive a restart: one that passed while stopped escalates at start, once",
          "[incident][escalation]") {
    temp_store dir;
    core::ulid_generator ids;
    auto a = graded(ids, "db-1");
    {
        auto store = dir.open();
        REQUIRE(store->write(std::vector{a}).has_value());
    } // stopped before the deadline
    {
        auto store = dir.open();
        core::manual_clock clock(created + 45 * minute);
        core::metrics_registry metrics;
        incident::escalation_watch watch(*store, clock, metrics, 1'000'000'000);
        CHECK(watch.pass() == 1);
    }
    {
        auto store = dir.open();
        core::manual_clock clock(created + 50 * minute);
        core::metrics_registry metrics;
        incident::escalation_watch watch(*store, clock, metrics, 1'000'000'000);
        CHECK(watch.pass() == 0); // not again after another restart
        CHECK(escalations_of(*store).size() == 1);
    }
}

TEST_CASE("a deadline met in time never escalates, a decided one is not watched",
          "[incident][escalation]") {
    temp_store dir;
    auto store = dir.open();
    core::ulid_generator ids;
    auto a = graded(ids, "web-3");
    REQUIRE(store->write(std::vector{a}).has_value());
    step(*store, a, "false_positive", created + minute);
    CHECK(store->due_deadlines(created / 1'000'000 + 300 * 60'000, 10)->empty());
    core::manual_clock clock(created + 300 * minute);
    core::metrics_registry metrics;
    incident::escalation_watch watch(*store, clock, metrics, 1'000'000'000);
    CHECK(watch.pass() == 0);
    CHECK(escalations_of(*store).empty());
}
