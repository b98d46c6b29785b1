#include "correlate/version_order.hpp"

#include <catch2/catch.hpp>
#include <string>

using vigil::correlate::compare_versions;

namespace {

int sign(std::string_view a, std::string_view b) {
    const auto o = compare_versions(a, b);
    return o < 0 ? -1 : o > 0 ? 1 : 0;
}

} // namespace

TEST_CASE("versions compare run by run, numbers as numbers", "[correlate][version]") {
    struct row {
        const char* a;
        const char* b;
        int order;
    };
    const row rows[] = {
        {"2024.05.15.003", "2024.05.14.010", 1}, // a later day
        {"2024.05.15.003", "2024.05.15.010", -1},
        {"2026.12.9", "2026.12.10", -1},             // numbers, not text
        {"2026.12.10.1", "2026.12.10.001", 0},       // leading zeros do not count
        {"15140 (20170321)", "15139 (20170320)", 1}, // ESET's "engine (date)"
        {"15140 (20170321)", "15140 (20170322)", -1},
        {"2024-05-15", "2024-05-09", 1}, // dates
        {"12.0.1189", "12.0.1189", 0},
        {"1.0", "1.0.1", -1}, // more runs: newer
        {"1.0.1", "1.0", 1},
        {"1.0rc1", "1.0rc2", -1},
        {"1.0rc1", "1.0", -1}, // a pre-release before its release
        {"1.0.beta", "1.0", -1},
        {"1.0.beta", "1.0.1", -1},
        {"1.0.1", "1.0.beta", 1},                                   // a number after a word
        {"V1.010", "v1.10", 0},                                     // case and zeros
        {"18446744073709551616123", "18446744073709551616124", -1}, // longer than 64 bits
        {"", "1", -1},
        {"", "", 0},
        {"--", "", 0}, // separators only
    };
    for (const auto& r : rows) {
        INFO(r.a << " vs " << r.b);
        CHECK(sign(r.a, r.b) == r.order);
        CHECK(sign(r.b, r.a) == -r.order);
    }
}
