#pragma once

#include "rules/sigma_loader.hpp"

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vigil::rules {

// Which of the rules found under the rules directory run (config `rules_policy`): a list of
// selections, each for the rule files under one folder, with the statuses it admits and the
// least level. The first selection whose folder holds a rule's file decides; a rule that no
// selection covers runs. So a SigmaHQ tree copied into the rules directory can be held to its
// mature, serious rules while the pack's own rules all run.
struct rule_selection {
    std::string folder;                // relative to the rules directory; "" = every folder
    std::vector<std::string> statuses; // stable, test, experimental, deprecated, unsupported
    std::string min_level;             // informational, low, medium, high or critical
};

struct rule_policy {
    std::vector<rule_selection> selections; // none: every rule runs

    // The default (packaging/vigil.yaml): under sigmahq/, stable and test rules of level medium
    // and above (SigmaHQ's "core+" package); everywhere else every status but deprecated and
    // unsupported, at any level.
    [[nodiscard]] static rule_policy shipped_default();

    // Why a rule in `relative_file` (relative to the rules directory) with `status` and `level`
    // does not run; nothing when it runs. A rule without a status counts as experimental; one
    // without a level (an inner correlation of a chain) passes any level threshold.
    [[nodiscard]] std::optional<std::string> excludes(const std::filesystem::path& relative_file,
                                                      std::string_view status,
                                                      std::string_view level) const;

    // The error in a selection (an unknown status or level), for the configuration reader.
    [[nodiscard]] static std::optional<std::string> check(const rule_selection& selection);
};

// What applying a policy to a load did.
struct policy_result {
    std::size_t left_out = 0;       // rules and correlations that do not run
    std::size_t kept_as_inputs = 0; // ... that would not, but a running correlation names them
    std::vector<std::string> why;   // per rule left out: "ID (FILE): REASON"
};

// Removes from `loaded` the rules and correlations `policy` excludes, except those a running
// correlation names (directly or through a chain): a correlation runs with all its inputs.
// `roots`: the rule directories the files were found under.
policy_result apply_rule_policy(const rule_policy& policy,
                                const std::vector<std::filesystem::path>& roots,
                                load_result& loaded);

} // namespace vigil::rules
