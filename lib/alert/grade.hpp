#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace vigil::alert {

// The four incident grades of MDR contracts (DESIGN.md §1): I particularly serious (特大) to
// IV general (一般).
enum class grade : std::uint8_t { I = 1, II = 2, III = 3, IV = 4 };

[[nodiscard]] std::string_view to_string(grade g);
[[nodiscard]] std::optional<grade> parse_grade(std::string_view text);

// The base grade of a Sigma level (DESIGN.md §6): critical -> I, high -> II, medium -> III,
// low and informational -> IV. Asset criticality adjusts it once the inventory exists.
[[nodiscard]] grade grade_for_level(std::string_view level);

} // namespace vigil::alert
