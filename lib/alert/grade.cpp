#include "alert/grade.hpp"

namespace vigil::alert {

std::string_view to_string(grade g) {
    switch (g) {
    case grade::I:
        return "I";
    case grade::II:
        return "II";
    case grade::III:
        return "III";
    case grade::IV:
        return "IV";
    }
    return "IV";
}

std::optional<grade> parse_grade(std::string_view text) {
    for (grade g : {grade::I, grade::II, grade::III, grade::IV}) {
        if (to_string(g) == text) {
            return g;
        }
    }
    return std::nullopt;
}

grade grade_for_level(std::string_view level) {
    if (level == "critical") {
        return grade::I;
    }
    if (level == "high") {
        return grade::II;
    }
    if (level == "medium") {
        return grade::III;
    }
    return grade::IV;
}

} // namespace vigil::alert
