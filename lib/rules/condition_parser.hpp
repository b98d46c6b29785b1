#pragma once

#include "rules/sigma_rule.hpp"

#include <expected>
#include <string>
#include <string_view>
#include <vector>

namespace vigil::rules {

// Parses a Sigma condition (`selection and not 1 of filter_*`) against the search identifiers
// of its rule. Grammar, loosest to tightest: or, and, not, `1 of`/`all of` (a pattern with *
// wildcards, or `them`), parentheses. Identifiers are resolved and patterns expanded here, so an
// unknown identifier or a pattern that matches nothing is an error with its reason.
[[nodiscard]] std::expected<condition_expr, std::string>
parse_condition(std::string_view text, const std::vector<search>& searches);

} // namespace vigil::rules
