#pragma once

#include "command_line.hpp"
#include "config/vigil_config.hpp"

#include <optional>
#include <string>

namespace vigil::daemon {

// Loads the configuration the way both executables do: --config FILE, else the default path,
// else built-in defaults; then --data-dir, --rules-dir and --schemas-dir override. When the
// schemas directory does not exist where the configuration says (a command run outside the
// checkout), the one beside the executable is used (build tree or installed share/vigil). On
// error prints every diagnostic to stderr and returns nothing (the caller exits with 2).
[[nodiscard]] std::optional<config::vigil_config> load_configuration(const command_line& args,
                                                                     std::string& source);

} // namespace vigil::daemon
