#pragma once

#include "command_line.hpp"
#include "config/vigil_config.hpp"

#include <optional>
#include <string>

namespace vigil::daemon {

// Loads the configuration the way both executables do: --config FILE, else the default path,
// else built-in defaults; then --data-dir and --rules-dir override. On error prints every
// diagnostic to stderr and returns nothing (the caller exits with 2).
[[nodiscard]] std::optional<config::vigil_config> load_configuration(const command_line& args,
                                                                     std::string& source);

} // namespace vigil::daemon
