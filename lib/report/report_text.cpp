#include "report/report_text.hpp"

#include <array>
#include <cstdio>

namespace vigil::report {

std::string format_duration(std::optional<std::int64_t> ms) {
    if (!ms) {
        return "-";
    }
    const std::int64_t s = *ms / 1000;
    char text[32];
    if (s < 60) {
        std::snprintf(text, sizeof(text), "%llds", static_cast<long long>(s));
    } else if (s < 3600) {
        std::snprintf(text, sizeof(text), "%lldm", static_cast<long long>(s / 60));
    } else if (s < 86400) {
        std::snprintf(text, sizeof(text), "%lldh %02lldm", static_cast<long long>(s / 3600),
                      static_cast<long long>(s % 3600 / 60));
    } else {
        std::snprintf(text, sizeof(text), "%lldd %lldh", static_cast<long long>(s / 86400),
                      static_cast<long long>(s % 86400 / 3600));
    }
    return text;
}

std::string format_percent(std::uint64_t part, std::uint64_t whole) {
    if (whole == 0) {
        return "-";
    }
    char text[16];
    std::snprintf(text, sizeof(text), "%.1f%%",
                  100.0 * static_cast<double>(part) / static_cast<double>(whole));
    return text;
}

std::string format_change(std::uint64_t now, std::uint64_t before) {
    if (now >= before) {
        return now == before ? "0" : "+" + std::to_string(now - before);
    }
    return "-" + std::to_string(before - now);
}

std::string_view period_title(std::string_view length) {
    return length == "week" ? "Weekly" : length == "month" ? "Monthly" : "Daily";
}

std::string_view grade_name(std::size_t index) {
    static constexpr std::array<std::string_view, 4> names = {
        "I particularly serious", "II serious", "III relatively serious", "IV general"};
    return index < names.size() ? names[index] : "";
}

} // namespace vigil::report
