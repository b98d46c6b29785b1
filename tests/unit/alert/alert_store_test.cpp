#include "alert/alert_store.hpp"
#include "alert/incident_part.hpp"
#include "core/civil_time.hpp"
#include "unit/alert/store_families.hpp"
#include "unit/temp_dir.hpp"

#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <rocksdb/db.h>
#include <unistd.h>

using namespace vigil;
namespace fs = std::filesystem;

namespace {

using vigil::testing::family_keys;
using vigil::testing::temp_dir;
using vigil::testing::with_families;

struct alert_spec {
    std::string rule = "r1";
    std::string level = "medium";
    std::string host = "web-1";
    std::string source = "203.0.113.9";
    std::string original = "x";
};

// An alert document as the makers write it (the members the indexes read), indexed.
alert::alert make(core::ulid_generator& ids, std::uint64_t ms, const alert_spec& spec) {
    alert::alert a;
    a.id = ids.next(ms);
    a.json = R"({"id":")" + a.id.to_string() + R"(","rule":{"id":")" + spec.rule +
             R"(","level":")" + spec.level + R"("},"created_at":")" +
             core::format_rfc3339(static_cast<std::int64_t>(ms) * 1'000'000) +
             R"(","status":"new","host":")" + spec.host +
             R"(","evidence":[{"log.source.address":"192.0.2.7:514","fields":{"source.ip":")" +
             spec.source + R"(","event.original":")" + spec.original + R"("}}]})";
    alert::index_alert(a);
    return a;
}
alert::alert make(core::ulid_generator& ids, std::uint64_t ms, const std::string& rule) {
    return make(ids, ms, alert_spec{.rule = rule});
}

// A later state of `earlier` (an update of the same alert, as a suppression sends) whose
// document has the values of `spec`.
alert::alert later_state(const alert::alert& earlier, core::ulid_generator& ids, std::uint64_t ms,
                         const alert_spec& spec) {
    alert::alert a = make(ids, ms, spec);
    const std::string made = a.id.to_string();
    a.json.replace(a.json.find(made), made.size(), earlier.id.to_string());
    a.id = earlier.id;
    a.update = true;
    alert::index_alert(a);
    return a;
}

alert::alert_query query(std::optional<std::uint64_t> since_ms,
                         std::optional<std::string> rule_id = std::nullopt,
                         std::size_t limit = alert::alert_query::default_limit) {
    alert::alert_query q;
    q.since_ms = since_ms;
    q.rule_id = std::move(rule_id);
    q.limit = limit;
    return q;
}

std::vector<std::string> listed(const alert::alert_store& store, const alert::alert_query& q) {
    auto page = store.list(q);
    REQUIRE(page.has_value());
    return page->alerts;
}

} // namespace

TEST_CASE("alert store lists newest first, by time and by rule", "[alert][store]") {
    temp_dir dir;
    auto store = alert::alert_store::open(dir.path, alert::alert_store::mode::read_write);
    REQUIRE(store.has_value());
    core::ulid_generator ids;
    std::vector<alert::alert> batch{make(ids, 1000, "a"), make(ids, 2000, "b"),
                                    make(ids, 3000, "a")};
    REQUIRE((*store)->write(batch).has_value());
    const auto& s = **store;

    auto all = listed(s, {});
    REQUIRE(all.size() == 3);
    CHECK(all[0] == batch[2].json);
    CHECK(all[2] == batch[0].json);

    auto recent = listed(s, query(2000));
    REQUIRE(recent.size() == 2);
    CHECK(recent[1] == batch[1].json);

    auto rule_a = listed(s, query(std::nullopt, "a"));
    REQUIRE(rule_a.size() == 2);
    CHECK(rule_a[0] == batch[2].json);
    CHECK(rule_a[1] == batch[0].json);
    CHECK(listed(s, query(2500, "a")).size() == 1);
    CHECK(listed(s, query(std::nullopt, "missing")).empty());
    CHECK(listed(s, query(std::nullopt, std::nullopt, 1)).size() == 1);
}

TEST_CASE("a rule id that is a prefix of another does not leak into its listing",
          "[alert][store]") {
    temp_dir dir;
    auto store = alert::alert_store::open(dir.path, alert::alert_store::mode::read_write);
    REQUIRE(store.has_value());
    core::ulid_generator ids;
    std::vector<alert::alert> batch{make(ids, 1000, "rule"), make(ids, 2000, "rule-2")};
    REQUIRE((*store)->write(batch).has_value());
    CHECK(listed(**store, query(std::nullopt, "rule")).size() == 1);
    CHECK(listed(**store, query(std::nullopt, "rule-2")).size() == 1);
}

TEST_CASE("every filter selects through its index, alone and combined", "[alert][store]") {
    temp_dir dir;
    auto store = alert::alert_store::open(dir.path, alert::alert_store::mode::read_write);
    REQUIRE(store.has_value());
    core::ulid_generator ids;
    // 40 alerts: rule r<i%2>, level by i%4, host web-<i%5>, source 203.0.113.<i%3>, at i s.
    const std::vector<std::string> levels = {"low", "medium", "high", "critical"};
    std::vector<alert::alert> batch;
    for (int i = 0; i < 40; ++i) {
        batch.push_back(
            make(ids, 1000 * static_cast<std::uint64_t>(i + 1),
                 alert_spec{"r" + std::to_string(i % 2), levels[static_cast<std::size_t>(i % 4)],
                            "web-" + std::to_string(i % 5), "203.0.113." + std::to_string(i % 3)}));
    }
    REQUIRE((*store)->write(batch).has_value());
    // The expected answer, from the specs: ids of the matching alerts, newest first.
    auto expected = [&](auto holds) {
        std::vector<std::string> out;
        for (int i = 39; i >= 0; --i) {
            if (holds(i)) {
                out.push_back(batch[static_cast<std::size_t>(i)].json);
            }
        }
        return out;
    };
    alert::alert_query q;
    q.host = "web-3";
    CHECK(listed(**store, q) == expected([](int i) { return i % 5 == 3; }));
    q = {};
    q.source = "203.0.113.2";
    CHECK(listed(**store, q) == expected([](int i) { return i % 3 == 2; }));
    q.source = "192.0.2.7"; // the sender of every one
    CHECK(listed(**store, q).size() == 40);
    q = {};
    q.levels = {"high", "critical"};
    CHECK(listed(**store, q) == expected([](int i) { return i % 4 >= 2; }));
    q.statuses = {"new"};
    q.rule_id = "r1";
    CHECK(listed(**store, q) == expected([](int i) { return i % 4 == 3; }));
    q = {};
    q.statuses = {"closed"};
    CHECK(listed(**store, q).empty());
    q = {};
    q.host = "web-1";
    q.source = "203.0.113.0";
    q.since_ms = 10'000;
    q.until_ms = 35'000;
    CHECK(listed(**store, q) ==
          expected([](int i) { return i % 5 == 1 && i % 3 == 0 && i + 1 >= 10 && i + 1 < 35; }));
    auto found = (*store)->find(batch[7].id.to_string());
    REQUIRE(found.has_value());
    CHECK(*found == batch[7].json);
    CHECK_FALSE((*store)->find("01ARZ3NDEKTSV4RRFFQ69G5FAV")->has_value());
}

TEST_CASE("an index entry that no longer holds is not believed", "[alert][store]") {
    // An alert written again (a suppressed alert's update, a status change) keeps its old index
    // entries beside the new ones; the answer comes from the document.
    temp_dir dir;
    auto store = alert::alert_store::open(dir.path, alert::alert_store::mode::read_write);
    REQUIRE(store.has_value());
    core::ulid_generator ids;
    std::vector<alert::alert> first{make(ids, 1000, alert_spec{.host = "web-1"})};
    REQUIRE((*store)->write(first).has_value());
    std::vector<alert::alert> again = first;
    again[0].json.replace(again[0].json.find("web-1"), 5, "web-2");
    alert::index_alert(again[0]);
    REQUIRE((*store)->write(again).has_value());
    alert::alert_query q;
    q.host = "web-1";
    CHECK(listed(**store, q).empty());
    q.host = "web-2";
    CHECK(listed(**store, q) == std::vector<std::string>{again[0].json});
    q = {};
    q.levels = {"medium"};
    q.host = "web-1"; // walks the host index, checks the level on the document
    CHECK(listed(**store, q).empty());
}

TEST_CASE("pages follow each other by cursor, while alerts keep arriving, without repeats",
          "[alert][store]") {
    temp_dir dir;
    auto store = alert::alert_store::open(dir.path, alert::alert_store::mode::read_write);
    REQUIRE(store.has_value());
    core::ulid_generator ids;
    std::vector<alert::alert> first;
    for (int i = 0; i < 95; ++i) {
        first.push_back(make(ids, 1000 + static_cast<std::uint64_t>(i), i % 2 ? "odd" : "even"));
    }
    REQUIRE((*store)->write(first).has_value());
    for (const bool by_rule : {false, true}) {
        alert::alert_query q;
        q.limit = 10;
        q.until_ms = 5000; // not those that arrived during the first pass
        if (by_rule) {
            q.rule_id = "odd";
        }
        std::vector<std::string> seen;
        int pages = 0;
        std::uint64_t later = 5000;
        for (;;) {
            auto page = (*store)->list(q);
            REQUIRE(page.has_value());
            ++pages;
            seen.insert(seen.end(), page->alerts.begin(), page->alerts.end());
            // Newer alerts arrive between pages.
            std::vector<alert::alert> more{make(ids, later++, "odd"), make(ids, later++, "even")};
            REQUIRE((*store)->write(more).has_value());
            if (!page->next_cursor) {
                break;
            }
            q.cursor = page->next_cursor;
        }
        // Every alert there when paging began, once, newest first.
        const std::size_t wanted = by_rule ? 47 : 95;
        CHECK(pages == static_cast<int>((wanted + 9) / 10));
        REQUIRE(seen.size() == wanted);
        std::size_t at = 0;
        for (int i = 94; i >= 0; --i) {
            if (!by_rule || i % 2 == 1) {
                CHECK(seen[at++] == first[static_cast<std::size_t>(i)].json);
            }
        }
    }
}

TEST_CASE("retention removes alerts by age and by size, with their index entries",
          "[alert][store]") {
    temp_dir dir;
    auto store = alert::alert_store::open(dir.path, alert::alert_store::mode::read_write);
    REQUIRE(store.has_value());
    core::ulid_generator ids;
    const std::uint64_t day = 86'400'000;
    const std::uint64_t now = 400 * day;
    std::vector<alert::alert> batch;
    for (std::uint64_t d = 0; d < 300; ++d) {
        batch.push_back(
            make(ids, now - (300 - d) * day, alert_spec{.host = "h" + std::to_string(d % 3)}));
    }
    REQUIRE((*store)->write(batch).has_value());

    alert::retention_policy age;
    age.max_age_ms = 100 * day;
    auto expired = (*store)->expire(age, static_cast<std::int64_t>(now));
    REQUIRE(expired.has_value());
    CHECK(expired->by_age == 200); // 300..101 days old; the one exactly 100 days old stays
    CHECK(expired->by_size == 0);
    alert::alert_query q;
    q.limit = 1000;
    auto left = listed(**store, q);
    REQUIRE(left.size() == 100);
    CHECK(left.back() == batch[200].json);
    q.host = "h0";
    CHECK(listed(**store, q).size() == 33); // the index holds no expired alert
    CHECK((*store)->expire(age, static_cast<std::int64_t>(now))->by_age == 0);

    // By size: 1000 more alerts of about 1 KiB each, then half the space.
    batch.clear();
    std::string filler;
    std::uint64_t noise = 88172645463325252ULL; // xorshift: text that does not compress
    for (std::uint64_t i = 0; i < 1000; ++i) {
        filler.clear();
        for (int c = 0; c < 1000; ++c) {
            noise ^= noise << 13;
            noise ^= noise >> 7;
            noise ^= noise << 17;
            filler += static_cast<char>('a' + noise % 26);
        }
        batch.push_back(make(ids, now - 50 * day + i, alert_spec{.original = filler}));
    }
    REQUIRE((*store)->write(batch).has_value());
    REQUIRE((*store)->flush().has_value());
    const std::uint64_t before = (*store)->alerts_bytes();
    REQUIRE(before > 500'000);
    alert::retention_policy size;
    size.max_bytes = before / 2;
    expired = (*store)->expire(size, static_cast<std::int64_t>(now));
    REQUIRE(expired.has_value());
    INFO("before " << before << " after " << (*store)->alerts_bytes());
    CHECK(expired->by_size >= 550); // half of 1100, and a tenth of the limit more
    CHECK(expired->by_size <= 700);
    CHECK((*store)->alerts_bytes() <= size.max_bytes);
    q.host.reset();
    q.limit = 10'000;
    left = listed(**store, q);
    CHECK(left.size() == 1100 - expired->by_size);
    CHECK(left.front() == batch.back().json); // the newest stay
}

TEST_CASE("alerts survive reopening and are readable read-only while the writer is open",
          "[alert][store]") {
    temp_dir dir;
    core::ulid_generator ids;
    {
        auto writer = alert::alert_store::open(dir.path, alert::alert_store::mode::read_write);
        REQUIRE(writer.has_value());
        std::vector<alert::alert> batch{make(ids, 1000, "a")};
        REQUIRE((*writer)->write(batch).has_value());
        auto reader = alert::alert_store::open(dir.path, alert::alert_store::mode::read_only);
        REQUIRE(reader.has_value());
        CHECK(listed(**reader, {}).size() == 1);
        REQUIRE((*writer)->flush().has_value());
    }
    auto reopened = alert::alert_store::open(dir.path, alert::alert_store::mode::read_write);
    REQUIRE(reopened.has_value());
    CHECK(listed(**reopened, {}).size() == 1);
}

TEST_CASE("read-only opening of a missing store says what is missing", "[alert][store]") {
    temp_dir dir;
    auto store = alert::alert_store::open(dir.path, alert::alert_store::mode::read_only);
    REQUIRE_FALSE(store.has_value());
    CHECK(store.error().find("no alert database at") != std::string::npos);
}

TEST_CASE("a second writer is refused with RocksDB's reason", "[alert][store]") {
    temp_dir dir;
    auto first = alert::alert_store::open(dir.path, alert::alert_store::mode::read_write);
    REQUIRE(first.has_value());
    auto second = alert::alert_store::open(dir.path, alert::alert_store::mode::read_write);
    REQUIRE_FALSE(second.has_value());
    CHECK(second.error().find("cannot open alert database") != std::string::npos);
}

TEST_CASE("query parameters read the same for the CLI and the API", "[alert][query]") {
    using params = std::vector<std::pair<std::string, std::string>>;
    const std::int64_t now = 1'799'000'000'000;
    auto q = alert::read_alert_query(params{{"since", "15m"},
                                            {"until", "2027-01-15T08:00:00.250+08:00"},
                                            {"rule", "r1"},
                                            {"level", "high,critical"},
                                            {"status", "new"},
                                            {"grade", "I,II"},
                                            {"host", "web-1"},
                                            {"source", "203.0.113.9"},
                                            {"limit", "25"},
                                            {"cursor", "01arz3ndektsv4rrffq69g5fav"}},
                                     now);
    REQUIRE(q.has_value());
    CHECK(*q->since_ms == static_cast<std::uint64_t>(now - 15 * 60'000));
    CHECK(*q->until_ms == 1'799'971'200'250ULL); // 2027-01-15T00:00:00.250Z
    CHECK(q->rule_id == "r1");
    CHECK(q->levels == std::vector<std::string>{"high", "critical"});
    CHECK(q->statuses == std::vector<std::string>{"new"});
    CHECK(q->grades == std::vector<std::string>{"I", "II"});
    alert::alert_terms graded;
    graded.rule_id = "r1";
    graded.level = "high";
    graded.status = "new";
    graded.hosts = {"web-1"};
    graded.sources = {"203.0.113.9"};
    graded.grade = "II";
    CHECK(q->holds(graded));
    graded.grade = "III";
    CHECK_FALSE(q->holds(graded));
    CHECK(q->host == "web-1");
    CHECK(q->source == "203.0.113.9");
    CHECK(q->limit == 25);
    CHECK(q->cursor == "01ARZ3NDEKTSV4RRFFQ69G5FAV");
    CHECK(alert::read_alert_query({}, now)->limit == alert::alert_query::default_limit);
    CHECK(*alert::read_alert_query(params{{"since", "2026-12-01"}}, now)->since_ms ==
          1'796'083'200'000ULL);

    auto error = [&](params p) {
        auto refused = alert::read_alert_query(p, now);
        REQUIRE_FALSE(refused.has_value());
        return refused.error();
    };
    CHECK(error({{"level", "severe"}}) ==
          "level: 'severe' is none of informational, low, medium, high, critical");
    CHECK(error({{"grade", "V"}}) == "grade: 'V' is none of I, II, III, IV");
    CHECK(error({{"limit", "0"}}) == "limit: '0' is not a number from 1 to 10000");
    CHECK(error({{"limit", "10001"}}).starts_with("limit:"));
    CHECK(error({{"since", "yesterday"}}).starts_with("since: 'yesterday' is neither a duration"));
    CHECK(error({{"since", "2026-02-30"}}).starts_with("since:"));
    CHECK(error({{"cursor", "nope"}}) == "cursor: 'nope' is not a cursor (an alert id)");
    CHECK(error({{"hots", "x"}}).starts_with("unknown parameter 'hots'"));
    CHECK(error({{"since", "1h"}, {"until", "2h"}}) == "since: it must be before until");
}

TEST_CASE("checkpoint segments are added, retired and replaced with the shard's state",
          "[alert][store]") {
    temp_dir dir;
    auto store = alert::alert_store::open(dir.path, alert::alert_store::mode::read_write);
    REQUIRE(store.has_value());
    auto& s = **store;
    // A state larger than a chunk (4 MiB), so that it is stored in several.
    const std::string big(5 << 20, 's');
    REQUIRE(s.write_checkpoint(0, {big, true, {{1, "one"}, {2, "two"}}, {}}).has_value());
    REQUIRE(s.write_checkpoint(1, {"other shard", true, {{1, "its own"}}, {}}).has_value());
    auto read = [&] {
        auto all = s.read_checkpoints();
        REQUIRE(all.has_value());
        return *all;
    };
    using segments = std::vector<std::pair<std::uint64_t, std::string>>;
    auto all = read();
    REQUIRE(all.size() == 2);
    CHECK(all[0].state == big);
    CHECK(all[0].segments == segments{{1, "one"}, {2, "two"}});
    CHECK(all[1].segments == segments{{1, "its own"}});
    // Later: a smaller state (no chunk of the old one may stay), segment 1 retired, 3 added;
    // serials past 255 and 65,535 sort as numbers.
    REQUIRE(s.write_checkpoint(0, {"small", false, {{3, "three"}, {70'000, "big serial"}}, {1}})
                .has_value());
    all = read();
    CHECK(all[0].state == "small");
    CHECK(all[0].segments == segments{{2, "two"}, {3, "three"}, {70'000, "big serial"}});
    CHECK(all[1].state == "other shard"); // another shard is left alone
    // A full checkpoint replaces every segment of its shard.
    REQUIRE(s.write_checkpoint(0, {"again", true, {{1, "new one"}}, {}}).has_value());
    all = read();
    CHECK(all[0].state == "again");
    CHECK(all[0].segments == segments{{1, "new one"}});
    CHECK(all[1].segments == segments{{1, "its own"}});
    REQUIRE(s.drop_checkpoints_from(1).has_value());
    CHECK(read().size() == 1);
}

TEST_CASE("a lifecycle change is stored with its status index, and a later state of the "
          "detection keeps it",
          "[alert][store][incident]") {
    temp_dir dir;
    auto store = alert::alert_store::open(dir.path, alert::alert_store::mode::read_write);
    REQUIRE(store.has_value());
    core::ulid_generator ids;
    alert::alert a = make(ids, 1000, alert_spec{});
    a.json.replace(a.json.find(R"("status":"new",)"), 15, ""); // as the makers write it now
    alert::incident_part part;
    part.grade = alert::grade::III;
    part.notify_by_ns = 1'800'000'000'000;
    part.contain_by_ns = 3'600'000'000'000;
    alert::append_incident_part(a.json, part);
    alert::index_alert(a);
    REQUIRE((*store)->write(std::vector{a}).has_value());
    const std::string id = a.id.to_string();

    auto ack = [&](std::string status, std::int64_t at_ns) {
        return (*store)->change_incident(
            id, [&](alert::incident_part& p) -> std::expected<void, std::string> {
                if (p.status == status) {
                    return std::unexpected("already " + status);
                }
                p.history.push_back({p.status, status, at_ns, "alice", ""});
                p.status = status;
                return {};
            });
    };
    auto changed = ack("acknowledged", 60'000'000'000);
    REQUIRE(changed.has_value());
    REQUIRE(changed->has_value());
    CHECK(alert::read_incident_part(**changed)->status == "acknowledged");
    // Refused: nothing written, the reason given.
    auto again = ack("acknowledged", 61'000'000'000);
    REQUIRE_FALSE(again.has_value());
    CHECK(again.error().why == alert::alert_store::change_error::kind::rejected);
    CHECK(again.error().reason == "already acknowledged");
    // No such alert.
    auto missing = (*store)->change_incident(
        ids.next(5).to_string(),
        [](alert::incident_part&) -> std::expected<void, std::string> { return {}; });
    REQUIRE(missing.has_value());
    CHECK_FALSE(missing->has_value());

    // The correlator's next state of the alert (a higher count) comes with a fresh incident part.
    alert::alert later = a;
    later.update = true;
    later.json.replace(later.json.find("web-1"), 5, "web-9");
    alert::index_alert(later);
    REQUIRE((*store)->write(std::vector{later}).has_value());
    auto stored = (*store)->find(id);
    REQUIRE(stored.has_value());
    REQUIRE(stored->has_value());
    CHECK(stored->value().find("web-9") != std::string::npos); // the new detection
    auto kept = alert::read_incident_part(**stored);
    REQUIRE(kept.has_value());
    CHECK(kept->status == "acknowledged"); // the analyst's step survived
    REQUIRE(kept->history.size() == 1);
    alert::alert_query q;
    q.statuses = {"acknowledged"};
    CHECK(listed(**store, q) == std::vector<std::string>{**stored});
    q.statuses = {"new"};
    CHECK(listed(**store, q).empty());
}

// Retention by age deletes the one alert (of time `ms`) of the store in `data_dir`; then the
// documents and every index family hold nothing, as RocksDB itself reads them.
void expire_the_alert_and_find_every_family_empty(const fs::path& data_dir, std::uint64_t ms) {
    {
        auto store = alert::alert_store::open(data_dir, alert::alert_store::mode::read_write);
        REQUIRE(store.has_value());
        alert::retention_policy age;
        age.max_age_ms = 1000;
        REQUIRE((*store)->expire(age, static_cast<std::int64_t>(ms) + 60'000)->by_age == 1);
    }
    for (const char* family : {"alerts", "alerts_by_rule", "alerts_by_level", "alerts_by_status",
                               "alerts_by_host", "alerts_by_source", "alerts_by_tenant"}) {
        INFO(family);
        CHECK(family_keys(data_dir, family).empty());
    }
}

TEST_CASE("a lifecycle step moves the alert's status entry, retention leaves no index entry",
          "[alert][store][incident]") {
    temp_dir dir;
    core::ulid_generator ids;
    const std::uint64_t ms = 1'800'000'000'000;
    alert::alert a = make(ids, ms, alert_spec{});
    a.json.replace(a.json.find(R"("status":"new",)"), 15, "");
    alert::append_incident_part(a.json, alert::incident_part{});
    alert::index_alert(a);
    const std::string id = a.id.to_string();
    auto step = [&](alert::alert_store& store, const std::string& status) {
        auto changed = store.change_incident(
            id, [&](alert::incident_part& p) -> std::expected<void, std::string> {
                p.history.push_back({p.status, status, 1, "alice", ""});
                p.status = status;
                return {};
            });
        REQUIRE(changed.has_value());
        REQUIRE(changed->has_value());
    };
    {
        auto store = alert::alert_store::open(dir.path, alert::alert_store::mode::read_write);
        REQUIRE(store.has_value());
        REQUIRE((*store)->write(std::vector{a}).has_value());
        step(**store, "acknowledged");
        step(**store, "closed");
    }
    CHECK(family_keys(dir.path, "alerts_by_status") ==
          std::vector<std::string>{"closed" + std::string(1, '\0') + id});
    expire_the_alert_and_find_every_family_empty(dir.path, ms);
}

TEST_CASE("an update whose values changed leaves no entry of the old ones behind",
          "[alert][store]") {
    temp_dir dir;
    core::ulid_generator ids;
    const std::uint64_t ms = 1'800'000'000'000;
    const alert::alert first = make(ids, ms, alert_spec{});
    // The next state of the same alert: the rule's level was raised by a reload, its evidence
    // names another host and another source address.
    const alert::alert later = later_state(
        first, ids, ms, alert_spec{.level = "high", .host = "web-9", .source = "198.51.100.1"});
    const std::string id = first.id.to_string();
    const std::string nul(1, '\0');
    {
        auto store = alert::alert_store::open(dir.path, alert::alert_store::mode::read_write);
        REQUIRE(store.has_value());
        REQUIRE((*store)->write(std::vector{first}).has_value());
        REQUIRE((*store)->write(std::vector{later}).has_value());
        alert::alert_query q;
        q.levels = {"medium"};
        CHECK(listed(**store, q).empty());
        q.levels = {"high"};
        CHECK(listed(**store, q) == std::vector<std::string>{later.json});
    }
    CHECK(family_keys(dir.path, "alerts_by_level") == std::vector<std::string>{"high" + nul + id});
    CHECK(family_keys(dir.path, "alerts_by_host") == std::vector<std::string>{"web-9" + nul + id});
    CHECK(family_keys(dir.path, "alerts_by_source") ==
          std::vector<std::string>{"192.0.2.7" + nul + id, "198.51.100.1" + nul + id});
    CHECK(family_keys(dir.path, "alerts_by_rule") == std::vector<std::string>{"r1" + nul + id});
    CHECK(family_keys(dir.path, "alerts_by_status") == std::vector<std::string>{"new" + nul + id});
    expire_the_alert_and_find_every_family_empty(dir.path, ms);
}

TEST_CASE("states of one alert in one write group leave the index entries of the last only",
          "[alert][store]") {
    core::ulid_generator ids;
    const std::uint64_t ms = 1'800'000'000'000;
    const alert::alert first = make(ids, ms, alert_spec{});
    const std::string id = first.id.to_string();
    const std::string nul(1, '\0');
    const alert::alert moved = later_state(
        first, ids, ms, alert_spec{.level = "high", .host = "web-9", .source = "198.51.100.1"});
    alert::alert back = first; // the first values again, as an update
    back.update = true;
    auto store_and_check = [&](const std::vector<std::vector<alert::alert>>& groups,
                               const alert::alert& last) {
        temp_dir dir;
        {
            auto store = alert::alert_store::open(dir.path, alert::alert_store::mode::read_write);
            REQUIRE(store.has_value());
            for (const auto& group : groups) {
                REQUIRE((*store)->write(group).has_value());
            }
            alert::alert_query q;
            q.host = last.terms.hosts.front();
            CHECK(listed(**store, q).size() == 1);
        }
        CHECK(family_keys(dir.path, "alerts_by_level") ==
              std::vector<std::string>{last.terms.level + nul + id});
        CHECK(family_keys(dir.path, "alerts_by_host") ==
              std::vector<std::string>{last.terms.hosts.front() + nul + id});
        CHECK(family_keys(dir.path, "alerts_by_source").size() == last.terms.sources.size());
    };
    SECTION("raised and updated in the same group") {
        store_and_check({{first, moved}}, moved);
    }
    SECTION("stored, then moved away and back in one group") {
        // The stored values come back last: their entries must stay.
        store_and_check({{first}, {moved, back}}, back);
    }
    SECTION("stored, then moved twice in one group") {
        store_and_check({{first}, {back, moved}}, moved);
    }
}

TEST_CASE("the tenant filter selects one customer's alerts through its index",
          "[alert][store][tenant]") {
    temp_dir dir;
    auto store = alert::alert_store::open(dir.path, alert::alert_store::mode::read_write);
    REQUIRE(store.has_value());
    core::ulid_generator ids;
    std::vector<alert::alert> alerts;
    for (int i = 0; i < 9; ++i) {
        alert::alert a = make(ids, 1000 + static_cast<std::uint64_t>(i), alert_spec{});
        const char* tenant = i % 3 == 0 ? "acme" : i % 3 == 1 ? "globex" : nullptr;
        if (tenant != nullptr) {
            a.json.insert(a.json.find(R"(,"rule")"), std::string(R"(,"tenant":")") + tenant + "\"");
        }
        alert::index_alert(a);
        CHECK(a.terms.tenant == (tenant != nullptr ? tenant : ""));
        alerts.push_back(a);
    }
    REQUIRE((*store)->write(alerts).has_value());
    alert::alert_query q;
    q.tenant = "acme";
    const auto acme = listed(**store, q);
    REQUIRE(acme.size() == 3);
    for (const auto& doc : acme) {
        CHECK(doc.find(R"("tenant":"acme")") != std::string::npos);
    }
    q.levels = {"medium"}; // walks the level index, checks the tenant on each document
    CHECK(listed(**store, q).size() == 3);
    auto parsed = alert::read_alert_query({{"tenant", "globex"}}, 0);
    REQUIRE(parsed.has_value());
    CHECK(listed(**store, *parsed).size() == 3);
}

TEST_CASE("the stage's documents live in hour files beside RocksDB, and documents in RocksDB "
          "itself (a store of format 3) stay readable",
          "[alert][store]") {
    temp_dir dir;
    core::ulid_generator ids;
    constexpr std::uint64_t hour = 3'600'000;
    const std::uint64_t base = 480'000 * hour; // an hour boundary
    std::vector<alert::alert> batch{make(ids, base + 1, "a"), make(ids, base + 2, "b"),
                                    make(ids, base + hour + 3, "c")};
    {
        auto store = alert::alert_store::open(dir.path, alert::alert_store::mode::read_write);
        REQUIRE(store.has_value());
        REQUIRE((*store)->write(batch).has_value());
    }
    const fs::path documents = dir.path / "documents";
    std::vector<std::string> files;
    for (const auto& entry : fs::directory_iterator(documents)) {
        files.push_back(entry.path().filename().string());
    }
    std::sort(files.begin(), files.end());
    CHECK(files == std::vector<std::string>{"0000480000-0000.docs", "0000480001-0000.docs"});

    // What RocksDB holds of an alert is its place (21 bytes), not its document.
    core::ulid_generator earlier; // (ids only go forward)
    const std::string old_id = earlier.next(base + 5).to_string();
    const std::string old_json = R"({"id":")" + old_id +
                                 R"(","rule":{"id":"old","level":"high"},"status":"new",)"
                                 R"("host":"web-9","evidence":[]})";
    with_families(
        dir.path, true,
        [&](const std::string& family, rocksdb::ColumnFamilyHandle* handle, rocksdb::DB& db) {
            if (family == "alerts") {
                std::string value;
                REQUIRE(
                    db.Get(rocksdb::ReadOptions(), handle, batch[0].id.to_string(), &value).ok());
                CHECK(value.size() == 21);
                CHECK(value[0] == '\0');
                // An alert as vigild of format 3 stored it: the document itself.
                REQUIRE(db.Put(rocksdb::WriteOptions(), handle, old_id, old_json).ok());
            } else if (family == "meta") {
                REQUIRE(db.Put(rocksdb::WriteOptions(), handle, "alerts_format", "3").ok());
            }
        });

    auto store = alert::alert_store::open(dir.path, alert::alert_store::mode::read_write);
    REQUIRE(store.has_value());
    CHECK((*store)->find(old_id).value() == old_json);
    for (const auto& a : batch) {
        CHECK((*store)->find(a.id.to_string()).value() == a.json);
    }
    alert::alert_query q;
    q.limit = 10;
    CHECK(listed(**store, q) ==
          std::vector<std::string>{batch[2].json, old_json, batch[1].json, batch[0].json});

    // Retention by age: the first hour's alerts go, and with them its file.
    alert::retention_policy age;
    age.max_age_ms = hour;
    auto expired = (*store)->expire(age, static_cast<std::int64_t>(base + 2 * hour));
    REQUIRE(expired.has_value());
    CHECK(expired->by_age == 3);
    files.clear();
    for (const auto& entry : fs::directory_iterator(documents)) {
        files.push_back(entry.path().filename().string());
    }
    CHECK(files == std::vector<std::string>{"0000480001-0000.docs"});
    CHECK(listed(**store, q) == std::vector<std::string>{batch[2].json});
}
