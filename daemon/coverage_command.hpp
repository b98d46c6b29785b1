#pragma once

#include "net/http_client.hpp"

#include <filesystem>
#include <optional>
#include <string>

namespace vigil::daemon {

struct coverage_command_options {
    // The running vigild's API; nothing: read the rules of `rules_dir` instead (no traffic).
    std::optional<std::string> url;
    net::http_call_options call; // token, CA
    std::filesystem::path rules_dir;
    std::filesystem::path schemas_dir;
    bool all = false; // also classes with neither rules nor events
};

// `vigil rules coverage`: per log source class, the rules that can meet it and the events that
// arrived in the last hour and since start (GET /api/v1/coverage of the running daemon), and
// the classes that receive events no rule watches. Returns the exit code.
[[nodiscard]] int run_coverage_command(const coverage_command_options& options);

} // namespace vigil::daemon
