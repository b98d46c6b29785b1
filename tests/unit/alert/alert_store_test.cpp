#include "alert/alert_store.hpp"

#include <catch2/catch.hpp>
#include <filesystem>
#include <unistd.h>

using namespace vigil;
namespace fs = std::filesystem;

namespace {

struct temp_dir {
    fs::path path = fs::temp_directory_path() /
                    ("vigil-store-" + std::to_string(::getpid()) + "-" + std::to_string(++count));
    temp_dir() { fs::remove_all(path); }
    ~temp_dir() { fs::remove_all(path); }
    static inline int count = 0;
};

alert::alert make(core::ulid_generator& ids, std::uint64_t ms, const std::string& rule) {
    alert::alert a;
    a.id = ids.next(ms);
    a.rule_id = rule;
    a.json = R"({"id":")" + a.id.to_string() + R"(","rule":{"id":")" + rule + R"("}})";
    return a;
}

alert::alert_query query(std::optional<std::uint64_t> since_ms,
                         std::optional<std::string> rule_id = std::nullopt, std::size_t limit = 0) {
    alert::alert_query q;
    q.since_ms = since_ms;
    q.rule_id = std::move(rule_id);
    q.limit = limit;
    return q;
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

    auto all = (*store)->list({});
    REQUIRE(all.has_value());
    REQUIRE(all->size() == 3);
    CHECK((*all)[0] == batch[2].json);
    CHECK((*all)[2] == batch[0].json);

    auto recent = (*store)->list(query(2000));
    REQUIRE(recent->size() == 2);
    CHECK((*recent)[1] == batch[1].json);

    auto rule_a = (*store)->list(query(std::nullopt, "a"));
    REQUIRE(rule_a->size() == 2);
    CHECK((*rule_a)[0] == batch[2].json);
    CHECK((*rule_a)[1] == batch[0].json);
    CHECK((*store)->list(query(2500, "a"))->size() == 1);
    CHECK((*store)->list(query(std::nullopt, "missing"))->empty());
    CHECK((*store)->list(query(std::nullopt, std::nullopt, 1))->size() == 1);
}

TEST_CASE("a rule id that is a prefix of another does not leak into its listing",
          "[alert][store]") {
    temp_dir dir;
    auto store = alert::alert_store::open(dir.path, alert::alert_store::mode::read_write);
    REQUIRE(store.has_value());
    core::ulid_generator ids;
    std::vector<alert::alert> batch{make(ids, 1000, "rule"), make(ids, 2000, "rule-2")};
    REQUIRE((*store)->write(batch).has_value());
    CHECK((*store)->list(query(std::nullopt, "rule"))->size() == 1);
    CHECK((*store)->list(query(std::nullopt, "rule-2"))->size() == 1);
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
        CHECK((*reader)->list({})->size() == 1);
        REQUIRE((*writer)->flush().has_value());
    }
    auto reopened = alert::alert_store::open(dir.path, alert::alert_store::mode::read_write);
    REQUIRE(reopened.has_value());
    CHECK((*reopened)->list({})->size() == 1);
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
