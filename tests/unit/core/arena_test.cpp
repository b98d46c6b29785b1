#include "core/arena.hpp"

#include <catch2/catch.hpp>
#include <cstdint>
#include <string>

using vigil::core::arena;

TEST_CASE("arena copies text and keeps earlier copies valid when it grows", "[core][arena]") {
    arena a(64);
    const auto first = a.copy("first value");
    std::string big(1000, 'x');
    const auto second = a.copy(big); // larger than a block: a block of its own
    const auto third = a.copy("third");
    CHECK(first == "first value");
    CHECK(second == big);
    CHECK(third == "third");
}

TEST_CASE("arena aligns allocations", "[core][arena]") {
    arena a(256);
    (void)a.allocate(3);
    char* p = a.allocate(16, 8);
    CHECK(reinterpret_cast<std::uintptr_t>(p) % 8 == 0);
}

TEST_CASE("arena reset keeps one block so steady state does not allocate", "[core][arena]") {
    arena a(128);
    for (int i = 0; i < 10; ++i) {
        (void)a.allocate(100);
    }
    CHECK(a.bytes_reserved() >= 1000);
    a.reset();
    const auto reserved = a.bytes_reserved();
    CHECK(reserved >= 128);
    CHECK(reserved < 1000);
    (void)a.allocate(64);
    CHECK(a.bytes_reserved() == reserved);
}

TEST_CASE("arena copy of an empty string needs no storage", "[core][arena]") {
    arena a;
    CHECK(a.copy("").empty());
}
