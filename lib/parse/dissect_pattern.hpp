#pragma once

#include "parse/vendor_fields.hpp"

#include <expected>
#include <string>
#include <string_view>
#include <vector>

namespace vigil::parse {

// A dissect pattern: literal text with %{name} captures between, as vendor mappings use to cut
// fields out of free-text messages without regular expressions:
//   "Built %{network.direction} %{network.transport} connection %{} for %{src_if}:%{src}/%{sport}"
// Each capture ends where the next literal text first occurs after it; the last capture, if
// the pattern ends with one, takes the rest. %{} matches without keeping anything. The whole
// pattern must match or nothing is kept. Immutable.
class dissect_pattern {
public:
    [[nodiscard]] static std::expected<dissect_pattern, std::string> compile(std::string_view text);

    // Appends the captures to `out` and returns true if `text` matches; otherwise adds nothing.
    bool apply(std::string_view text, vendor_fields& out) const;

    [[nodiscard]] const std::string& text() const { return text_; }
    // The literal text the pattern starts with ("" if it starts with a capture).
    [[nodiscard]] const std::string& leading_literal() const { return parts_.front().literal; }
    // The name of the first kept capture ("" if none is kept).
    [[nodiscard]] const std::string& first_field() const { return first_field_; }

private:
    struct part {
        std::string literal; // text before the capture
        std::string name;    // empty: skip
        bool capture = false;
    };
    std::string text_;
    std::vector<part> parts_;
    std::string tail_; // literal text after the last capture
    std::string first_field_;
};

} // namespace vigil::parse
