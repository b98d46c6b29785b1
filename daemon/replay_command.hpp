#pragma once

#include "config/vigil_config.hpp"

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace vigil::daemon {

struct replay_command_options {
    std::vector<std::filesystem::path> files;
    std::string format = "auto";
    std::filesystem::path rules_dir;
    std::filesystem::path schemas_dir;
    bool json = false;
};

// `vigil replay FILE... [--format F] [--rules DIR] [--json]`: runs log files through exactly
// the daemon's parse -> match -> correlate code (replay::replay_session), at full speed, with
// the configuration's parsing, event-time and correlation settings, and prints the alerts
// (their final state; a table, or one JSON document per line). Each file is one input, as a
// connection is for vigild; several files are read side by side, the one whose events are
// oldest first, so that event time advances over all of them together. Returns the exit code.
[[nodiscard]] int run_replay_command(const replay_command_options& options,
                                     const config::vigil_config& cfg);

} // namespace vigil::daemon
