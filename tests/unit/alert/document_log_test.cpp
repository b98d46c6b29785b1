#include "alert/document_log.hpp"
#include "unit/temp_dir.hpp"

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <unistd.h>

using vigil::alert::document_log;
namespace fs = std::filesystem;

namespace {

using vigil::testing::temp_dir;

constexpr std::uint64_t hour_ms = document_log::hour_ms;

// `docs` appended to `log`: their places.
std::vector<document_log::location> appended(document_log& log,
                                             const std::vector<document_log::document>& docs) {
    auto placed = log.append(docs);
    REQUIRE(placed.has_value());
    REQUIRE(placed->size() == docs.size());
    return *placed;
}

std::unique_ptr<document_log> writable(const fs::path& dir) {
    auto log = document_log::open(dir, true);
    REQUIRE(log.has_value());
    return std::move(*log);
}

// Documents over `ids` and `jsons` (a document holds views of them), the i-th at time_ms(i).
template <typename TimeOf>
std::vector<document_log::document> documents_of(const std::vector<std::string>& ids,
                                                 const std::vector<std::string>& jsons,
                                                 TimeOf time_ms) {
    std::vector<document_log::document> docs;
    for (std::size_t i = 0; i < ids.size(); ++i) {
        docs.push_back({ids[i], jsons[i], time_ms(i)});
    }
    return docs;
}

std::size_t files_in(const fs::path& dir) {
    return static_cast<std::size_t>(
        std::distance(fs::directory_iterator(dir), fs::directory_iterator()));
}

} // namespace

TEST_CASE("document log keeps each document where it says, one file per hour",
          "[alert][document_log]") {
    temp_dir dir;
    auto log = writable(dir.path);
    const std::vector<document_log::document> docs = {
        {"01AAAAAAAAAAAAAAAAAAAAAAAA", R"({"n":1})", 10 * hour_ms + 5},
        {"01AAAAAAAAAAAAAAAAAAAAAAAB", R"({"n":2,"text":"two"})", 10 * hour_ms + 7},
        {"01AAAAAAAAAAAAAAAAAAAAAAAC", R"({"n":3})", 11 * hour_ms},
    };
    const auto placed = appended(*log, docs);
    CHECK(placed[0].hour == 10);
    CHECK(placed[1].hour == 10);
    CHECK(placed[1].offset == document_log::record_size(placed[0]));
    CHECK(placed[2].hour == 11);
    CHECK(placed[2].offset == 0);
    CHECK(files_in(dir.path) == 2);
    for (std::size_t i = 0; i < docs.size(); ++i) {
        // Through the RocksDB value that stands for the place, as the store reads it.
        const auto encoded = document_log::encode(placed[i]);
        const auto where = document_log::decode(std::string_view(encoded.data(), encoded.size()));
        REQUIRE(where.has_value());
        auto read = log->read(docs[i].id, *where);
        REQUIRE(read.has_value());
        CHECK(*read == docs[i].json);
    }
    CHECK(log->bytes() == document_log::record_size(placed[0]) +
                              document_log::record_size(placed[1]) +
                              document_log::record_size(placed[2]));
    CHECK(log->sync().has_value());
    CHECK_FALSE(document_log::decode(R"({"id":"x"})").has_value()); // a document in RocksDB

    // Reopened read-only (the CLI beside the daemon): the same documents, the same sizes.
    auto reader = document_log::open(dir.path, false);
    REQUIRE(reader.has_value());
    CHECK((*reader)->bytes() == log->bytes());
    CHECK((*reader)->read(docs[2].id, placed[2]).value() == docs[2].json);
}

TEST_CASE("document log says what is wrong with a damaged, cut or misplaced record",
          "[alert][document_log]") {
    temp_dir dir;
    auto log = writable(dir.path);
    const std::vector<document_log::document> docs = {
        {"01AAAAAAAAAAAAAAAAAAAAAAAA", R"({"n":1})", 5},
        {"01AAAAAAAAAAAAAAAAAAAAAAAB", R"({"n":2})", 6},
    };
    const auto placed = appended(*log, docs);
    const fs::path file = fs::directory_iterator(dir.path)->path();

    auto other = log->read(docs[1].id, placed[0]);
    REQUIRE_FALSE(other.has_value());
    CHECK_THAT(other.error(), Catch::Contains("holds another alert"));

    {
        std::fstream f(file, std::ios::in | std::ios::out | std::ios::binary);
        f.seekp(static_cast<std::streamoff>(placed[0].offset + 4 + 4 + 26 + 2));
        f.put('X'); // inside the first document
    }
    auto damaged = log->read(docs[0].id, placed[0]);
    REQUIRE_FALSE(damaged.has_value());
    CHECK_THAT(damaged.error(), Catch::Contains("checksum mismatch"));
    CHECK_THAT(damaged.error(), Catch::Contains(std::string(docs[0].id)));
    CHECK(log->read(docs[1].id, placed[1]).value() == docs[1].json); // the next one is whole

    // A place claiming more than the file holds (a damaged value): said so, nothing allocated.
    document_log::location huge = placed[1];
    huge.length = 4'000'000'000U;
    auto past = log->read(docs[1].id, huge);
    REQUIRE_FALSE(past.has_value());
    CHECK_THAT(past.error(), Catch::Contains("cut short"));

    fs::resize_file(file, placed[1].offset + 10); // a crash cut the file short
    auto cut = log->read(docs[1].id, placed[1]);
    REQUIRE_FALSE(cut.has_value());
    CHECK_THAT(cut.error(), Catch::Contains("cut short"));
}

TEST_CASE("document log removes whole hours and rewrites one hour into a new file",
          "[alert][document_log]") {
    temp_dir dir;
    auto log = writable(dir.path);
    std::vector<std::string> ids;
    for (int h = 0; h < 4; ++h) {
        for (int k = 0; k < 3; ++k) {
            ids.push_back("01AAAAAAAAAAAAAAAAAAAAAA" + std::to_string(h) + std::to_string(k));
        }
    }
    std::vector<std::string> jsons;
    for (const auto& id : ids) {
        jsons.push_back(R"({"i":")" + id + R"("})");
    }
    const auto docs = documents_of(ids, jsons, [](std::size_t i) { return (i / 3) * hour_ms + i; });
    const auto placed = appended(*log, docs);
    CHECK(files_in(dir.path) == 4);

    CHECK(log->remove_before(hour_ms + 1) == 1); // hour 0 ends before; hour 1 does not
    CHECK(files_in(dir.path) == 3);
    CHECK_FALSE(log->read(ids[0], placed[0]).has_value());
    CHECK(log->read(ids[3], placed[3]).value() == jsons[3]);

    // Hour 2 keeps its last document only: rewritten, it holds that one.
    const std::uint64_t before = log->bytes_of(2);
    auto moved = log->rewrite(2, std::span(docs).subspan(8, 1));
    REQUIRE(moved.has_value());
    CHECK((*moved)[0].serial == 1);
    CHECK(log->read(ids[8], (*moved)[0]).value() == jsons[8]);
    log->remove_replaced(2);
    CHECK(log->bytes_of(2) == document_log::record_size((*moved)[0]));
    CHECK(log->bytes_of(2) < before);
    CHECK_FALSE(log->read(ids[8], placed[8]).has_value()); // the old file is gone
    // Later appends of the hour go to its new file.
    auto later = log->append(std::span(docs).subspan(7, 1));
    REQUIRE(later.has_value());
    CHECK((*later)[0].serial == 1);
    CHECK(log->read(ids[7], (*later)[0]).value() == jsons[7]);

    // Reopened, it goes on in the newest file of each hour.
    log.reset();
    auto again = writable(dir.path);
    auto appended = again->append(std::span(docs).subspan(6, 1));
    REQUIRE(appended.has_value());
    CHECK((*appended)[0].serial == 1);
    CHECK((*appended)[0].offset == again->bytes_of(2) - document_log::record_size((*appended)[0]));
    CHECK(again->remove_before(10 * hour_ms) == 3);
    CHECK(files_in(dir.path) == 0);
}

TEST_CASE("document log writes a group of more records than one writev takes, each in place",
          "[alert][document_log]") {
    temp_dir dir;
    auto log = writable(dir.path);
    // Two buffers a record (head, document): 3,000 records are several IOV_MAX-sized calls.
    std::vector<std::string> ids;
    std::vector<std::string> jsons;
    for (int i = 0; i < 3'000; ++i) {
        std::string id = "01BBBBBBBBBBBBBBBBBB" + std::to_string(100'000 + i);
        ids.push_back(id.substr(0, 26));
        jsons.push_back(R"({"n":)" + std::to_string(i) + R"(,"pad":")" +
                        std::string(static_cast<std::size_t>(i % 97), 'x') + R"("})");
    }
    const auto docs = documents_of(ids, jsons, [](std::size_t i) { return 20 * hour_ms + i; });
    const auto placed = appended(*log, docs);
    std::uint64_t offset = 0;
    for (std::size_t i = 0; i < docs.size(); ++i) {
        CHECK(placed[i].offset == offset);
        offset += document_log::record_size(placed[i]);
    }
    CHECK(log->bytes() == offset);
    CHECK(fs::file_size(*fs::directory_iterator(dir.path)) == offset);
    for (const std::size_t i : {std::size_t{0}, std::size_t{511}, std::size_t{512},
                                std::size_t{1'023}, std::size_t{2'999}}) {
        CHECK(log->read(docs[i].id, placed[i]).value() == jsons[i]);
    }
}
