#pragma once

#include "rules/sigma_rule.hpp"

#include <string>
#include <string_view>

namespace vigil::rules {

// One Hyperscan expression: the pattern text and its HS_FLAG_* flags.
struct hs_expression {
    std::string pattern;
    unsigned flags = 0;

    friend bool operator==(const hs_expression&, const hs_expression&) = default;
};

// Builds the expression that tests one value of a field test. Plain values follow Sigma's
// string rules: * and ? are wildcards, a backslash escapes *, ? and itself, every other byte is
// literal, and comparison ignores ASCII case unless |cased. |re values are passed to Hyperscan
// as written, case-sensitive unless |re|i. Precondition: test.kind is a string comparison
// (equals, contains, startswith, endswith, regex).
[[nodiscard]] hs_expression build_expression(const field_test& test, std::string_view value);

} // namespace vigil::rules
