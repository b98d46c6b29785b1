#pragma once

#include "rules/sigma_rule.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vigil::rules {

// A rule value ready to be matched: literal bytes, wildcards and "any dash" classes.
struct value_pattern {
    struct piece {
        enum class kind : std::uint8_t { literal, any_run, any_one, any_dash };
        kind type = kind::literal;
        char byte = 0;
    };
    std::vector<piece> pieces;

    // True if every piece is a literal byte (the value can be compared exactly).
    [[nodiscard]] bool is_literal() const;
    // The bytes of a literal value.
    [[nodiscard]] std::string literal() const;
};

// Reads a value by Sigma's string rules (* and ? are wildcards; a backslash escapes *, ? and
// itself; any other backslash is literal) and applies the encodings in order. The result is a
// list because base64offset gives three variants; the value matches when any variant does.
[[nodiscard]] std::vector<value_pattern>
prepare_value(std::string_view value, const std::vector<value_encoding>& encodings);

// The value as a plain pattern (Sigma wildcards and escapes only).
[[nodiscard]] value_pattern parse_wildcards(std::string_view value);

// Standard base64 with padding, as pySigma's base64 modifier writes it.
[[nodiscard]] std::string base64_encode(std::string_view bytes);
// The three renderings of `bytes` inside a longer base64 text (pySigma's base64offset).
[[nodiscard]] std::vector<std::string> base64_offsets(std::string_view bytes);
// UTF-8 text to UTF-16 code units; nothing if the text is not valid UTF-8.
[[nodiscard]] std::optional<std::string> to_utf16(std::string_view utf8, bool big_endian);

// A number in a rule or an event ("42", "-1.5", "0x1F"), or nothing.
[[nodiscard]] std::optional<double> parse_number(std::string_view text);

// The placeholder names (%name%) in a value; `\%` is a literal percent.
[[nodiscard]] std::vector<std::string> placeholders(std::string_view value);
// `value` with placeholder %name% replaced by `entry` (and `\%` by a plain percent).
[[nodiscard]] std::string substitute(std::string_view value, const std::string& name,
                                     std::string_view entry);

} // namespace vigil::rules
