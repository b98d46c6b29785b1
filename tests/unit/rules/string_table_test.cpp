#include "rules/string_table.hpp"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

using vigil::rules::string_table;

namespace {
std::vector<std::uint32_t> ids(std::span<const std::uint32_t> found) {
    return {found.begin(), found.end()};
}
} // namespace

TEST_CASE("a string table finds each key's ids and nothing else", "[rules][string_table]") {
    string_table::builder b;
    b.add("cmd.exe", 1);
    b.add("powershell.exe", 2);
    b.add("cmd.exe", 7);
    b.add("", 9);
    const string_table t = b.build();
    CHECK(t.size() == 3);
    CHECK(ids(t.find("cmd.exe")) == std::vector<std::uint32_t>{1, 7});
    CHECK(ids(t.find("powershell.exe")) == std::vector<std::uint32_t>{2});
    CHECK(ids(t.find("")) == std::vector<std::uint32_t>{9});
    CHECK(t.find("cmd.ex").empty());
    CHECK(t.find("cmd.exe ").empty());
    CHECK(t.find("CMD.EXE").empty()); // callers fold case
    CHECK(t.min_key_size() == 0);
    CHECK(t.max_key_size() == 14);
}

TEST_CASE("a string table holds many keys and an empty one holds none", "[rules][string_table]") {
    CHECK(string_table{}.find("x").empty());
    CHECK(string_table::builder{}.build().find("").empty());
    string_table::builder b;
    for (std::uint32_t i = 0; i < 100'000; ++i) {
        b.add("10.0." + std::to_string(i / 256) + "." + std::to_string(i % 256), i);
    }
    const string_table t = b.build();
    CHECK(t.size() == 100'000);
    for (std::uint32_t i = 0; i < 100'000; i += 997) {
        const auto found =
            ids(t.find("10.0." + std::to_string(i / 256) + "." + std::to_string(i % 256)));
        CHECK(found == std::vector<std::uint32_t>{i});
    }
    CHECK(t.find("10.0.0.256").empty());
    CHECK(t.min_key_size() == 8);
}
