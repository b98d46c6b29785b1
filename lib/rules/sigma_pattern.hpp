#pragma once

#include "rules/sigma_rule.hpp"
#include "rules/sigma_value.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace vigil::rules {

// One Hyperscan expression: the pattern text and its HS_FLAG_* flags.
struct hs_expression {
    std::string pattern;
    unsigned flags = 0;

    friend bool operator==(const hs_expression&, const hs_expression&) = default;
    friend auto operator<=>(const hs_expression&, const hs_expression&) = default;
};

// The expression that finds `value` in a field as `kind` says (equals, contains, startswith,
// endswith): literal bytes escaped, wildcards as .* and ., dash classes as alternations,
// ASCII case ignored unless `cased`. Leading and trailing * runs become unanchored literals,
// which Hyperscan matches fastest.
[[nodiscard]] hs_expression build_expression(const value_pattern& value, match_kind kind,
                                             bool cased);

// A |re value as Hyperscan takes it: case-sensitive unless |re|i.
[[nodiscard]] hs_expression build_regex(std::string_view pattern, const regex_flags& flags);

// Why a regular expression would make Hyperscan slow or fail (a bounded repeat above
// vigil's limit, such as {0,32767}), or nothing.
[[nodiscard]] std::optional<std::string> regex_hazard(std::string_view pattern);

// An expression that is a plain byte string, perhaps anchored at either end: decided by
// comparing bytes rather than with Hyperscan.
struct literal_pattern {
    std::string bytes; // lower-case when !cased
    bool anchor_start = false;
    bool anchor_end = false;
    bool cased = true;
};

// The literal an expression stands for (escaped bytes and letters, digits and '_' between an
// optional \A and an optional \z, without UTF-8 or Unicode flags), or nothing.
[[nodiscard]] std::optional<literal_pattern> as_literal(const hs_expression& expression);

// The longest byte string, lower-cased, that every match of the expression contains (a run of
// literal bytes outside groups, classes and quantifiers, when the expression has no top-level
// alternation), or nothing. Found case-insensitively, it is a cheap necessary condition for a
// regular expression: the matcher looks for it first and runs the expression only on a hit.
[[nodiscard]] std::optional<std::string> required_literal(const hs_expression& expression);

// The expression that finds `bytes` anywhere, ignoring ASCII case.
[[nodiscard]] hs_expression contains_caseless(std::string_view bytes);

// The largest bounded repeat ({n,m}) a |re value may use.
inline constexpr unsigned max_regex_repeat = 1000;

} // namespace vigil::rules
