#pragma once

#include "alert/grade.hpp"

#include <array>
#include <cstdint>
#include <string_view>

namespace vigil::incident {

// What a grade promises (config `incidents.sla`): notify within, contain within, and the
// response level (1-4) it calls for.
struct sla_target {
    std::int64_t notify_ns = 0;
    std::int64_t contain_ns = 0;
    std::uint8_t response_level = 4;
    bool operator==(const sla_target&) const = default;
};

// How alerts become incidents (config `incidents`): the grade of an alert from its rule's
// Sigma level and the criticality of the asset involved (1 most critical ... 4 least), and the
// SLA targets of each grade. Defaults follow a typical MDR contract: grade I, an expert
// responds within 30 minutes (contain within 1 hour); II and III, notify within 30 minutes and
// contain within 1 hour; IV, notify within 1 hour and contain within 4 hours.
class incident_policy {
public:
    // The rows of the grade matrix, most severe first.
    static constexpr std::array<std::string_view, 5> levels = {"critical", "high", "medium", "low",
                                                               "informational"};
    static constexpr unsigned criticalities = 4;

    incident_policy();

    // The grade for a rule level (an unknown level counts as informational) and an asset
    // criticality (1-4; anything else is the default criticality).
    [[nodiscard]] alert::grade grade_for(std::string_view level, unsigned criticality) const;
    [[nodiscard]] const sla_target& target(alert::grade g) const {
        return sla[static_cast<std::size_t>(g) - 1];
    }
    // The row of a level, or nothing for an unknown one.
    [[nodiscard]] static std::optional<std::size_t> level_row(std::string_view level);

    // matrix[level row][criticality - 1]. By default criticality 2 and 3 give the level's base
    // grade (critical I, high II, medium III, low and informational IV), 1 one grade more
    // severe and 4 one grade less.
    std::array<std::array<alert::grade, criticalities>, levels.size()> matrix;
    unsigned default_criticality = 2; // for an alert whose asset is unknown
    std::array<sla_target, 4> sla;    // per grade, I first
};

} // namespace vigil::incident
