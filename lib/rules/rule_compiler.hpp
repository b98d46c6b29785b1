#pragma once

#include "core/diagnostic.hpp"
#include "core/field_catalog.hpp"
#include "parse/vendor_mapping.hpp"
#include "rules/correlation_rule.hpp"
#include "rules/ioc_list.hpp"
#include "rules/logsource_map.hpp"
#include "rules/rule_policy.hpp"
#include "rules/rule_set.hpp"
#include "rules/sigma_rule.hpp"

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace vigil::rules {

// What a rule set is compiled against besides its rule files (schemas/): the field catalog
// (fields.yaml), the log source classes (logsources.yaml) and the JSON mappings (mappings/).
// Loading rules adds the vendor field names they use to the catalog, so each compile starts
// from its own copy.
struct rule_schema {
    core::field_catalog catalog;
    logsource_map logsources;
    parse::vendor_mapping_set mappings = parse::vendor_mapping_set::generic_only();
};

// Reads schemas/fields.yaml, schemas/logsources.yaml and schemas/mappings/ under `dir`.
[[nodiscard]] rule_schema load_rule_schema(const std::filesystem::path& dir,
                                           core::diagnostics& diags);

// The outcome of building a rule set. `rules` is never null: with no valid rule it is empty.
struct compile_result {
    std::shared_ptr<const rule_set> rules;
    std::size_t loaded = 0;         // rules in the set
    std::size_t rejected = 0;       // rule documents left out, each with at least one diagnostic
    std::size_t outside_policy = 0; // valid rules the rules policy leaves out
    std::size_t kept_as_inputs = 0; // ... it would, but a running correlation names them
    std::vector<std::string> outside_policy_why; // per rule left out: "ID (FILE): REASON"
    std::size_t files = 0;
    std::size_t lists = 0; // IOC lists read
    std::size_t list_entries = 0;
    double compile_ms = 0;
    std::map<std::string, std::size_t> rejected_by_reason; // diagnostic code -> rules
};

// Compiles validated Sigma rules into a rule_set (DESIGN.md §5). For every log source class a
// program is built from the rules that apply to it: string tests become Hyperscan expressions
// in a database per field (plus one for keywords); exact values, networks and IOC domains go to
// hash and prefix tables; presence, numeric and field-reference tests become checks; each
// condition becomes a flat expression over the class's predicates. Identical tests share one
// predicate and identical databases are compiled once. A rule that cannot be compiled is left
// out with a diagnostic naming file, line, rule and reason; the others still compile. Control
// plane only.
class rule_compiler {
public:
    // Values (in all the tests of all the rules) in one rule set, at most: about four times
    // SigmaHQ's whole repository, so that a reload cannot compile for hours.
    static constexpr std::size_t max_values_per_set = 125'000;

    [[nodiscard]] static compile_result compile(std::vector<sigma_rule> rules, rule_schema schema,
                                                const ioc_lists& lists, std::uint64_t version,
                                                core::diagnostics& diags,
                                                std::vector<correlation_rule> correlations = {});

    // Loads the schema from `schemas_dir`, every rule file and IOC list under `rules_dir`, and
    // compiles the valid rules that `policy` lets run (config rules_policy; empty: all).
    [[nodiscard]] static compile_result
    load_directory(const std::filesystem::path& rules_dir, const std::filesystem::path& schemas_dir,
                   std::uint64_t version, core::diagnostics& diags, const rule_policy& policy = {});

    // The same for rules spread over several directories (a SigmaHQ tree's rules*/ folders),
    // with IOC lists from `lists_dir`.
    [[nodiscard]] static compile_result
    load_directories(const std::vector<std::filesystem::path>& rule_dirs,
                     const std::filesystem::path& lists_dir,
                     const std::filesystem::path& schemas_dir, std::uint64_t version,
                     core::diagnostics& diags, const rule_policy& policy = {});
};

} // namespace vigil::rules
