#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace vigil::report {

// Numbers as the Markdown and HTML reports print them.

// "45s", "12m", "1h 05m", "3d 4h"; "-" for none.
[[nodiscard]] std::string format_duration(std::optional<std::int64_t> ms);
// "83.3%" of part in whole; "-" when whole is 0.
[[nodiscard]] std::string format_percent(std::uint64_t part, std::uint64_t whole);
// A change against the previous period: "+3", "-2", "0".
[[nodiscard]] std::string format_change(std::uint64_t now, std::uint64_t before);
// "Daily", "Weekly" or "Monthly".
[[nodiscard]] std::string_view period_title(std::string_view length);
// The grade names of the contracts: "I particularly serious", ... "IV general".
[[nodiscard]] std::string_view grade_name(std::size_t index);

} // namespace vigil::report
