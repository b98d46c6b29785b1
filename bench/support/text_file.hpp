#pragma once

#include <string>
#include <vector>

namespace vigil::bench {

// The non-empty lines of a text file; none if it cannot be read (the caller says what it skips).
[[nodiscard]] std::vector<std::string> read_lines(const std::string& path);

} // namespace vigil::bench
