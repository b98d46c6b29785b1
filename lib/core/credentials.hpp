#pragma once

#include <optional>
#include <string_view>

namespace vigil::core {

// The credential of an Authorization header after its scheme ("Bearer abc" -> "abc"; the scheme
// compared without case, blanks around ignored), or nothing if the scheme differs.
[[nodiscard]] std::optional<std::string_view> credential(std::string_view header,
                                                         std::string_view scheme);

// Whether `given` equals `expected`, in time that depends only on their lengths (tokens).
[[nodiscard]] bool constant_time_equal(std::string_view given, std::string_view expected);

} // namespace vigil::core
