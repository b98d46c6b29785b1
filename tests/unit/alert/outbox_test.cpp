#include "alert/alert_store.hpp"
#include "alert/outbox.hpp"
#include "unit/alert/store_families.hpp"
#include "unit/temp_dir.hpp"

#include <algorithm>
#include <catch2/catch.hpp>
#include <thread>

using namespace vigil;
using vigil::testing::family_keys;
using vigil::testing::temp_dir;

namespace {

// An alert of `level`, indexed, with an id of millisecond `ms`.
alert::alert make(core::ulid_generator& ids, std::uint64_t ms, const std::string& level) {
    alert::alert a;
    a.id = ids.next(ms);
    a.json = R"({"id":")" + a.id.to_string() + R"(","rule":{"id":"r1","level":")" + level +
             R"("},"status":"new","host":"web-1"})";
    alert::index_alert(a);
    return a;
}

// `count` low alerts, a millisecond apart from `first_ms` on.
std::vector<alert::alert> low_alerts(core::ulid_generator& ids, int count, std::uint64_t first_ms) {
    std::vector<alert::alert> out;
    for (int i = 0; i < count; ++i) {
        out.push_back(make(ids, first_ms + static_cast<std::uint64_t>(i), "low"));
    }
    return out;
}

std::unique_ptr<alert::alert_store> open_store(const temp_dir& dir) {
    auto store = alert::alert_store::open(dir.path, alert::alert_store::mode::read_write);
    REQUIRE(store.has_value());
    // "all" takes every alert, "high" the high ones.
    (*store)->deliveries()->set_routes(
        {{"all", [](const alert::alert&) { return true; }},
         {"high", [](const alert::alert& a) { return a.terms.level == "high"; }}},
        [] {});
    return std::move(*store);
}

std::vector<std::string> ids_of(const std::vector<alert::outbox_entry>& entries) {
    std::vector<std::string> out;
    for (const auto& e : entries) {
        out.push_back(e.alert_id);
    }
    return out;
}

std::vector<alert::outbox_entry> pending(alert::alert_store& store, const std::string& name) {
    auto entries = store.deliveries()->pending(name, 0, 1000);
    REQUIRE(entries.has_value());
    return *entries;
}

} // namespace

TEST_CASE("a write queues one group per destination, its members in sequence order",
          "[alert][outbox]") {
    temp_dir dir;
    core::ulid_generator ids;
    std::vector<alert::alert> alerts;
    std::vector<std::string> all_ids;
    std::vector<std::string> high_ids;
    for (int i = 0; i < 5; ++i) {
        alerts.push_back(make(ids, 1'000 + static_cast<std::uint64_t>(i), i % 2 ? "high" : "low"));
        all_ids.push_back(alerts.back().id.to_string());
        if (i % 2) {
            high_ids.push_back(alerts.back().id.to_string());
        }
    }
    {
        auto store = open_store(dir);
        REQUIRE(store->write(alerts).has_value());
        const auto all = pending(*store, "all");
        CHECK(ids_of(all) == all_ids);
        for (std::size_t k = 1; k < all.size(); ++k) {
            CHECK(all[k].sequence == all[0].sequence + k);
        }
        CHECK(ids_of(pending(*store, "high")) == high_ids);
        CHECK(store->deliveries()->depth("all") == 5);
        CHECK(store->deliveries()->depth("high") == 2);
        // `after` and `max` as the delivery queue uses them.
        auto tail = store->deliveries()->pending("all", all[1].sequence, 2);
        REQUIRE(tail.has_value());
        CHECK(ids_of(*tail) == std::vector<std::string>{all_ids[2], all_ids[3]});
    }
    // One RocksDB entry per destination, not one per alert.
    CHECK(family_keys(dir.path, "outbox").size() == 2);
}

TEST_CASE("members leave one by one, the last removes its group and every marker",
          "[alert][outbox]") {
    temp_dir dir;
    core::ulid_generator ids;
    const auto alerts = low_alerts(ids, 4, 2'000);
    {
        auto store = open_store(dir);
        REQUIRE(store->write(alerts).has_value());
        auto* outbox = store->deliveries();
        auto all = pending(*store, "all");
        REQUIRE(all.size() == 4);
        REQUIRE(outbox->delivered("all", all[2].sequence).has_value());
        CHECK(ids_of(pending(*store, "all")) ==
              std::vector<std::string>{all[0].alert_id, all[1].alert_id, all[3].alert_id});
        REQUIRE(outbox->give_up("all", all[0], 3, "HTTP 500", 5'000).has_value());
        auto dead = outbox->dead();
        REQUIRE(dead.has_value());
        REQUIRE(dead->size() == 1);
        CHECK(dead->front().find(all[0].alert_id) != std::string::npos);
        CHECK(ids_of(pending(*store, "all")) ==
              std::vector<std::string>{all[1].alert_id, all[3].alert_id});
        CHECK(outbox->depth("all") == 2);
        REQUIRE(outbox->delivered("all", all[3].sequence).has_value());
        REQUIRE(outbox->delivered("all", all[1].sequence).has_value());
        CHECK(pending(*store, "all").empty());
        CHECK(outbox->depth("all") == 0);
    }
    CHECK(family_keys(dir.path, "outbox").empty());
    CHECK(family_keys(dir.path, "outbox_dead").size() == 1);
}

TEST_CASE("a reopened outbox keeps what left gone and numbers new entries after the old",
          "[alert][outbox]") {
    temp_dir dir;
    core::ulid_generator ids;
    const auto first = low_alerts(ids, 3, 3'000);
    std::uint64_t highest = 0;
    std::string dead_id;
    {
        auto store = open_store(dir);
        REQUIRE(store->write(first).has_value());
        auto all = pending(*store, "all");
        REQUIRE(all.size() == 3);
        highest = all.back().sequence;
        REQUIRE(store->deliveries()->delivered("all", all[0].sequence).has_value());
        REQUIRE(store->deliveries()->give_up("all", all[1], 1, "refused", 4'000).has_value());
        dead_id = all[1].alert_id;
    }
    auto store = open_store(dir);
    CHECK(store->deliveries()->depth("all") == 1);
    CHECK(ids_of(pending(*store, "all")) == std::vector<std::string>{first[2].id.to_string()});
    std::vector<alert::alert> second{make(ids, 3'003, "high")};
    REQUIRE(store->write(second).has_value());
    const auto all = pending(*store, "all");
    REQUIRE(all.size() == 2);
    CHECK(all[1].sequence > highest);
    // A dead delivery queued again: a group of one, after everything else.
    auto retried = store->deliveries()->retry_dead("all", 6'000);
    REQUIRE(retried.has_value());
    CHECK(*retried == 1);
    const auto now = pending(*store, "all");
    REQUIRE(now.size() == 3);
    CHECK(now.back().alert_id == dead_id);
    CHECK(now.back().sequence > all[1].sequence);
}

TEST_CASE("members of one group leaving from several threads at once remove the group",
          "[alert][outbox]") {
    temp_dir dir;
    core::ulid_generator ids;
    const auto alerts = low_alerts(ids, 200, 7'000);
    {
        auto store = open_store(dir);
        REQUIRE(store->write(alerts).has_value());
        const auto all = pending(*store, "all");
        REQUIRE(all.size() == alerts.size());
        std::vector<std::thread> senders;
        std::atomic<int> failed{0};
        for (std::size_t t = 0; t < 4; ++t) {
            senders.emplace_back([&, t] {
                for (std::size_t k = t; k < all.size(); k += 4) {
                    if (!store->deliveries()->delivered("all", all[k].sequence)) {
                        ++failed;
                    }
                }
            });
        }
        for (auto& s : senders) {
            s.join();
        }
        CHECK(failed == 0);
        CHECK(pending(*store, "all").empty());
        CHECK(store->deliveries()->depth("all") == 0);
    }
    // "high" took none of them: nothing of "all" is left either.
    CHECK(family_keys(dir.path, "outbox").empty());
}
