#pragma once

#include "core/diagnostic.hpp"
#include "core/field_catalog.hpp"
#include "rules/correlation_rule.hpp"
#include "rules/correlation_set.hpp"
#include "rules/rule_set.hpp"

#include <cstddef>
#include <vector>

namespace vigil::rules {

// Compiles correlation rules against the detection rules of a rule set (control plane).
//
// References (`rules:` by id or name) are resolved to detection rules or to other correlations
// (chaining); cycles and unknown names are errors. Group-by names are resolved per referenced
// rule through `aliases`; a chained correlation's group-by must name fields of the key of the
// correlation it refers to. A correlation with any problem is left out with diagnostics naming
// file, line, rule id and reason; so is every correlation that refers to it.
class correlation_compiler {
public:
    // `infos` holds the detection rules' rule_info (their indices are the detection rule
    // indices); one rule_info per compiled correlation is appended to it. Field names the
    // catalog does not know are added as vendor fields. Returns the number of rejected rules.
    static std::size_t compile(std::vector<correlation_rule> rules, std::vector<rule_info>& infos,
                               core::field_catalog& catalog, correlation_set& out,
                               core::diagnostics& diags);

    // Every field a feed reads (the projection must keep them).
    [[nodiscard]] static std::vector<core::field_id> fields_read(const correlation_set& set);
};

} // namespace vigil::rules
