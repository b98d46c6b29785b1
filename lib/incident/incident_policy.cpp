#include "incident/incident_policy.hpp"

#include <algorithm>

namespace vigil::incident {
namespace {
constexpr std::int64_t minute_ns = 60'000'000'000;
} // namespace

incident_policy::incident_policy() {
    using alert::grade;
    matrix = {{
        {grade::I, grade::I, grade::I, grade::II},      // critical
        {grade::I, grade::II, grade::II, grade::III},   // high
        {grade::II, grade::III, grade::III, grade::IV}, // medium
        {grade::III, grade::IV, grade::IV, grade::IV},  // low
        {grade::IV, grade::IV, grade::IV, grade::IV},   // informational
    }};
    sla = {{
        {30 * minute_ns, 60 * minute_ns, 1},
        {30 * minute_ns, 60 * minute_ns, 2},
        {30 * minute_ns, 60 * minute_ns, 3},
        {60 * minute_ns, 240 * minute_ns, 4},
    }};
}

std::optional<std::size_t> incident_policy::level_row(std::string_view level) {
    const auto it = std::find(levels.begin(), levels.end(), level);
    return it == levels.end() ? std::nullopt
                              : std::optional(static_cast<std::size_t>(it - levels.begin()));
}

alert::grade incident_policy::grade_for(std::string_view level, unsigned criticality) const {
    if (criticality < 1 || criticality > criticalities) {
        criticality = default_criticality;
    }
    return matrix[level_row(level).value_or(levels.size() - 1)][criticality - 1];
}

} // namespace vigil::incident
