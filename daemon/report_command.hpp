#pragma once

#include "command_line.hpp"

namespace vigil::daemon {

// `vigil report --period day|week|month [--until DATE] [--tenant T] [--format md|html|json]`:
// the report of the alert store (read-only beside a running vigild) on standard output
// (lib/report). Returns the exit code: 2 for a wrong option, 1 when the store cannot be read.
[[nodiscard]] int run_report_command(const command_line& args);

} // namespace vigil::daemon
