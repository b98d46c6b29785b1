#pragma once

#include "core/diagnostic.hpp"
#include "rules/rule_set.hpp"

#include <cstddef>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace vigil::match {

// The outcome of one fixture file (rules/tests/<name>.yml).
struct fixture_result {
    std::string file;
    std::string rule_id;
    std::size_t checked = 0;                // records checked
    std::vector<core::diagnostic> failures; // each names the fixture file, line and record
};

struct fixture_report {
    std::vector<fixture_result> fixtures;
    std::vector<std::string> rules_without_fixtures; // rule ids
    core::diagnostics errors;                        // unreadable or malformed fixture files

    [[nodiscard]] std::size_t failed() const;
};

// Runs the fixtures of a rule directory against a compiled rule set: every record under
// `match` must make the fixture's rule fire, every record under `no_match` must not. Records
// are raw syslog lines, parsed exactly as vigild parses them. Fixture format:
//
//   rule: <rule id>
//   match:    ["<34>Nov 21 10:00:00 host sshd[1]: Invalid user admin from 192.0.2.1", ...]
//   no_match: ["<34>Nov 21 10:00:00 host sshd[1]: Accepted password for alice", ...]
class rule_fixture_runner {
public:
    explicit rule_fixture_runner(std::shared_ptr<const rules::rule_set> rules)
        : rules_(std::move(rules)) {}

    // Runs every *.yml / *.yaml file in `tests_dir` (not recursive).
    [[nodiscard]] fixture_report run_directory(const std::filesystem::path& tests_dir) const;

private:
    void run_file(const std::filesystem::path& file, fixture_report& report) const;

    std::shared_ptr<const rules::rule_set> rules_;
};

} // namespace vigil::match
