#include "core/flat_string_map.hpp"

#include <catch2/catch.hpp>
#include <map>
#include <random>
#include <string>

using vigil::core::flat_string_map;
using vigil::core::static_string_map;

TEST_CASE("flat_string_map finds what std::map finds, through growth", "[core][flat_string_map]") {
    flat_string_map<int> map;
    std::map<std::string, int> reference;
    std::mt19937 random(7);
    for (int i = 0; i < 3000; ++i) {
        std::string key = "detail.requestParameters." + std::to_string(random() % 1000);
        map[key] = i;
        reference[key] = i;
    }
    CHECK(map.size() == reference.size());
    for (const auto& [key, value] : reference) {
        const int* found = map.find(key);
        REQUIRE(found != nullptr);
        CHECK(*found == value);
    }
    CHECK(map.find("detail.requestParameters.1000") == nullptr);
    CHECK(map.find("") == nullptr);
    map.clear();
    CHECK(map.size() == 0);
    CHECK(map.find("detail.requestParameters.1") == nullptr);
}

TEST_CASE("static_string_map tells apart keys its hash cannot", "[core][flat_string_map]") {
    // Same length, same first and last eight bytes: one hash, told apart by comparison.
    static_string_map<int> map;
    map["Microsoft-Windows-A-Operational"] = 1;
    map["Microsoft-Windows-B-Operational"] = 2;
    map["Microsoft-Windows-C-Operational"] = 3;
    map[""] = 4;
    map["a"] = 5;
    CHECK(*map.find("Microsoft-Windows-A-Operational") == 1);
    CHECK(*map.find("Microsoft-Windows-B-Operational") == 2);
    CHECK(*map.find("Microsoft-Windows-C-Operational") == 3);
    CHECK(map.find("Microsoft-Windows-D-Operational") == nullptr);
    CHECK(*map.find("") == 4);
    CHECK(*map.find("a") == 5);
    CHECK(map.find("b") == nullptr);
    // A key inserted again keeps one entry.
    map["a"] = 6;
    CHECK(map.size() == 5);
    CHECK(*map.find("a") == 6);
}
