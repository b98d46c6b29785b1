#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

namespace vigil::daemon {

struct parse_command_options {
    std::string format = "auto";
    std::string mapping;                       // empty: detect
    std::optional<std::filesystem::path> file; // nothing: standard input
    std::filesystem::path schemas_dir;
    std::optional<std::int64_t> rfc3164_year;
    // --timezone ZONE: the zone of zone-less timestamps (UTC, +08:00, local, Europe/Berlin);
    // empty = UTC.
    std::string timezone;
    // --explain: how the event was classed and which rules of `rules_dir` can meet it.
    bool explain = false;
    std::filesystem::path rules_dir;
};

// `vigil parse`: reads records (lines; with --format json, JSON documents) and prints, per
// record, one JSON object with what vigil makes of it: parser, mapping, Sigma log source,
// event time, canonical fields, vendor fields and any parse error; with --explain also the
// envelopes taken off, the near-miss classes and the rules that can meet it. Returns the exit
// code.
[[nodiscard]] int run_parse_command(const parse_command_options& options);

} // namespace vigil::daemon
