#pragma once

#include <compare>
#include <string_view>

namespace vigil::correlate {

// The order of two version texts as products report their definitions, engines and agents:
// "2024.05.15.003", "15140 (20170321)", "12.0.1189", "2024-05-15", "1.0rc2". Both are read as
// runs of digits and runs of letters (anything else separates); runs are compared in turn,
// digits as numbers of any length, letters case-insensitively, a number after a word. When
// every run so far is equal, the text with more runs is the newer ("1.0" < "1.0.1"), unless
// what it has more starts with a word: a pre-release ("1.0rc1" < "1.0", "1.0.beta" < "1.0").
[[nodiscard]] std::strong_ordering compare_versions(std::string_view a, std::string_view b);

} // namespace vigil::correlate
