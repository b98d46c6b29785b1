#include "core/ulid.hpp"

#include <catch2/catch.hpp>
#include <set>
#include <vector>

using vigil::core::ulid;
using vigil::core::ulid_generator;

TEST_CASE("ulid text round-trips and carries its millisecond", "[core][ulid]") {
    ulid_generator gen;
    const ulid id = gen.next(1'795'000'000'123);
    const std::string text = id.to_string();
    CHECK(text.size() == 26);
    auto parsed = ulid::parse(text);
    REQUIRE(parsed.has_value());
    CHECK(*parsed == id);
    CHECK(id.time_ms() == 1'795'000'000'123);
}

TEST_CASE("ulid text of every bit pattern parses back to the same bytes", "[core][ulid]") {
    // The text is written in 64-bit parts: bits on either side of each part's edge.
    std::vector<ulid> ids(4);
    ids[1].bytes.fill(0xff);
    for (std::size_t i = 0; i < 16; ++i) {
        ids[2].bytes[i] = static_cast<std::uint8_t>(0xa5 ^ (i * 37));
        ids[3].bytes[i] = static_cast<std::uint8_t>(i == 7 || i == 8 ? 0x0f << (i - 7) * 4 : 0);
    }
    for (int bit = 0; bit < 128; ++bit) {
        ulid one;
        one.bytes[static_cast<std::size_t>(15 - bit / 8)] =
            static_cast<std::uint8_t>(1u << bit % 8);
        ids.push_back(one);
    }
    for (const auto& id : ids) {
        const std::string text = id.to_string();
        INFO(text);
        auto parsed = ulid::parse(text);
        REQUIRE(parsed.has_value());
        CHECK(*parsed == id);
    }
    CHECK(ids[1].to_string() == "7ZZZZZZZZZZZZZZZZZZZZZZZZZ");
    CHECK(ids[4].to_string() == "00000000000000000000000001");
    CHECK(ids[131].to_string() == "40000000000000000000000000");
}

TEST_CASE("ulid of a known time has the known prefix", "[core][ulid]") {
    // Crockford base32 of 1469918176385 ms, as in the ULID specification's examples.
    CHECK(ulid::lower_bound(1'469'918'176'385).to_string().substr(0, 10) == "01ARYZ6S41");
    CHECK(ulid::lower_bound(1'469'918'176'385).to_string().substr(10) == "0000000000000000");
}

TEST_CASE("ulids of one generator increase strictly, also within one millisecond", "[core][ulid]") {
    ulid_generator gen;
    std::string previous;
    bool increasing = true;
    std::set<std::string> seen;
    for (int i = 0; i < 10'000; ++i) {
        const std::string text =
            gen.next(1'795'000'000'000u + static_cast<unsigned>(i / 1000)).to_string();
        increasing = increasing && text > previous;
        previous = text;
        seen.insert(text);
    }
    CHECK(increasing);
    CHECK(seen.size() == 10'000);
}

TEST_CASE("ulid sorts after the lower bound of its millisecond", "[core][ulid]") {
    ulid_generator gen;
    const ulid id = gen.next(1'795'000'000'500);
    CHECK(id.to_string() >= ulid::lower_bound(1'795'000'000'500).to_string());
    CHECK(id.to_string() < ulid::lower_bound(1'795'000'000'501).to_string());
}

TEST_CASE("ulid parse rejects malformed text", "[core][ulid]") {
    CHECK_FALSE(ulid::parse("short").has_value());
    CHECK_FALSE(ulid::parse("81ARYZ6S41TSV4RRFFQ69G5FAV").has_value()); // overflows 128 bits
    CHECK_FALSE(ulid::parse("01ARYZ6S41TSV4RRFFQ69G5FA!").has_value());
    CHECK(ulid::parse("01aryz6s41tsv4rrffq69g5fav").has_value()); // case-insensitive
}
