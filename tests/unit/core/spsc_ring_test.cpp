#include "core/spsc_ring.hpp"

#include <catch2/catch.hpp>
#include <memory>
#include <stdexcept>
#include <thread>
#include <vector>

using vigil::core::spsc_ring;

TEST_CASE("spsc ring refuses capacities that are not powers of two", "[core][ring]") {
    CHECK_THROWS_AS(spsc_ring<int>(3), std::invalid_argument);
    CHECK_THROWS_AS(spsc_ring<int>(1), std::invalid_argument);
    CHECK_NOTHROW(spsc_ring<int>(4));
}

TEST_CASE("spsc ring is FIFO and reports full and empty", "[core][ring]") {
    spsc_ring<int> ring(4);
    CHECK_FALSE(ring.try_pop().has_value());
    for (int i = 0; i < 4; ++i) {
        int v = i;
        REQUIRE(ring.try_push(v));
    }
    int extra = 99;
    CHECK_FALSE(ring.try_push(extra));
    CHECK(extra == 99); // a refused value is left with the caller
    CHECK(ring.size_approx() == 4);
    for (int i = 0; i < 4; ++i) {
        auto v = ring.try_pop();
        REQUIRE(v.has_value());
        CHECK(*v == i);
    }
    CHECK(ring.empty_approx());
}

TEST_CASE("spsc ring moves owning values through", "[core][ring]") {
    spsc_ring<std::unique_ptr<int>> ring(2);
    auto p = std::make_unique<int>(7);
    REQUIRE(ring.try_push(p));
    CHECK(p == nullptr);
    auto out = ring.try_pop();
    REQUIRE(out.has_value());
    CHECK(**out == 7);
}

TEST_CASE("spsc ring hands a million values across threads in order", "[core][ring]") {
    constexpr int count = 1'000'000;
    spsc_ring<int> ring(64);
    std::thread producer([&] {
        for (int i = 0; i < count; ++i) {
            int v = i;
            while (!ring.try_push(v)) {
                std::this_thread::yield();
            }
        }
    });
    int expected = 0;
    bool in_order = true;
    while (expected < count) {
        if (auto v = ring.try_pop()) {
            in_order = in_order && *v == expected;
            ++expected;
        } else {
            std::this_thread::yield();
        }
    }
    producer.join();
    CHECK(in_order);
    CHECK(expected == count);
}
