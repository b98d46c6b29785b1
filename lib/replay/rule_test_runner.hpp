#pragma once

#include "core/diagnostic.hpp"
#include "rules/rule_set.hpp"

#include <cstddef>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace YAML {
class Node;
}

namespace vigil::replay {

// The outcome of one rule's tests from one file: a fixture (rules/tests/<name>.yml) or a
// SigmaHQ regression test (regression_data/**/info.yml).
struct rule_test_outcome {
    enum class kind { fixture, regression };
    kind type = kind::fixture;
    std::string rule_id;
    std::string source;       // the fixture or info.yml file
    std::size_t checked = 0;  // events examined
    std::size_t matched = 0;  // events the rule fired on (regression)
    std::size_t expected = 0; // regression: the match_count to reach
    std::vector<core::diagnostic> failures;
    // Rules a passing correlation fixture exercises besides its own (the rules it refers to).
    std::vector<std::string> covers;
    std::vector<std::string> warnings;

    [[nodiscard]] bool passed() const { return failures.empty(); }
};

struct rule_test_report {
    std::vector<rule_test_outcome> outcomes;
    std::vector<std::string> rules_without_tests; // rule ids
    core::diagnostics errors;                     // unreadable or malformed test files

    [[nodiscard]] std::size_t failed() const;
};

// Runs rule tests through the same parsers and matcher vigild uses.
//
// Fixtures (`rules/tests/*.yml`):
//
//   rule: <rule id>
//   match:       # records that must fire the rule
//     - '<34>Nov 21 10:00:00 host sshd[1]: Invalid user admin from 192.0.2.1'   # a raw line
//     - {Event: {System: {EventID: 1, Channel: ...}, EventData: {Image: ...}}}  # a JSON event
//   no_match:    # records that must not
//     - ...
//
// A string is a raw record (syslog, or JSON when it starts with '{'); a map is a JSON event.
//
// Correlation rules take cases instead, each a sequence of records fed in order through a
// correlator shard, and the exact number of alerts of the rule they raise:
//
//   rule: <correlation rule id>
//   cases:
//     - name: eight failures in two minutes
//       records: [...]
//       alerts: 1
//       key: {source.ip: 203.0.113.7}   # optional: the first alert's group-by values
//       advance: 20m                     # optional: event time moves on after the last record
//
// A passing correlation fixture also covers the rules the correlation refers to.
//
// SigmaHQ regression data: every `info.yml` names a rule and an event file (the .json beside
// the .evtx it mentions); the rule must fire on at least `match_count` of its events (one when
// not given). More matches than that is a warning, as in SigmaHQ's own checker.
class rule_test_runner {
public:
    explicit rule_test_runner(std::shared_ptr<const rules::rule_set> rules)
        : rules_(std::move(rules)) {}

    // Runs every *.yml / *.yaml fixture in `tests_dir` (not recursive).
    void run_fixtures(const std::filesystem::path& tests_dir, rule_test_report& report) const;
    // Runs every regression_data/**/info.yml under `tree`.
    void run_regression(const std::filesystem::path& tree, rule_test_report& report) const;
    // Lists the loaded rules that no outcome covers.
    void find_untested(rule_test_report& report) const;

private:
    [[nodiscard]] std::optional<std::uint32_t> rule_index(const std::string& id) const;
    void run_cases(const YAML::Node& doc, const std::string& file,
                   rule_test_outcome& outcome) const;

    std::shared_ptr<const rules::rule_set> rules_;
};

} // namespace vigil::replay
