#include "core/ascii.hpp"

#include <catch2/catch.hpp>
#include <cstdint>
#include <string>

using vigil::core::ascii::find;

TEST_CASE("ascii::find finds what string_view::find finds", "[core][ascii]") {
    CHECK(find("", "") == 0);
    CHECK(find("abc", "") == 0);
    CHECK(find("", "a") == std::string_view::npos);
    CHECK(find("ab", "abc") == std::string_view::npos);
    CHECK(find("type=SYSCALL msg=audit(1.2:3)", " msg=audit(") == 12);
    // At the very end of a haystack longer than one 16-byte step, and across steps.
    const std::string long_text = std::string(40, 'x') + "needle";
    CHECK(find(long_text, "needle") == 40);
    CHECK(find(long_text, "xneedle") == 39);
    CHECK(find(long_text, "needlex") == std::string_view::npos);
    // Against the reference on random text over a small alphabet (many partial matches), at
    // every length around the 16-byte step and for needles of 1 to 6 bytes.
    std::uint64_t state = 7;
    auto next = [&](std::uint64_t n) {
        state = state * 6364136223846793005ULL + 1442695040888963407ULL;
        return (state >> 33) % n;
    };
    std::size_t found = 0;
    for (int round = 0; round < 20000; ++round) {
        std::string hay(next(48), ' ');
        for (auto& c : hay) {
            c = static_cast<char>('a' + next(3));
        }
        std::string needle(1 + next(6), ' ');
        for (auto& c : needle) {
            c = static_cast<char>('a' + next(3));
        }
        const std::size_t expected = std::string_view(hay).find(needle);
        INFO("haystack '" << hay << "' needle '" << needle << "'");
        REQUIRE(find(hay, needle) == expected);
        found += expected != std::string_view::npos;
    }
    CHECK(found > 5000); // the comparison covered hits as well as misses
}
