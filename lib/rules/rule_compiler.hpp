#pragma once

#include "core/diagnostic.hpp"
#include "core/field_catalog.hpp"
#include "rules/rule_set.hpp"
#include "rules/sigma_rule.hpp"

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <vector>

namespace vigil::rules {

// The outcome of building a rule set. `rules` is never null: with no valid rule it is empty.
struct compile_result {
    std::shared_ptr<const rule_set> rules;
    std::size_t loaded = 0;   // rules in the set
    std::size_t rejected = 0; // rule documents left out, each with at least one diagnostic
    std::size_t files = 0;
    double compile_ms = 0;
};

// Compiles validated Sigma rules into a rule_set (DESIGN.md §5): every string test becomes a
// Hyperscan expression in the database of its field (identical tests of different rules share
// one predicate), presence tests become presence checks, and each condition becomes a flat
// expression over predicates. A rule whose expressions Hyperscan rejects is left out with a
// diagnostic naming file, line, rule and reason; the others still compile. Control plane only.
class rule_compiler {
public:
    [[nodiscard]] static compile_result compile(std::vector<sigma_rule> rules,
                                                std::uint64_t version, core::diagnostics& diags);

    // Loads every rule file under `dir` (see sigma_loader) and compiles the valid rules.
    [[nodiscard]] static compile_result load_directory(const std::filesystem::path& dir,
                                                       std::uint64_t version,
                                                       core::diagnostics& diags);
};

} // namespace vigil::rules
