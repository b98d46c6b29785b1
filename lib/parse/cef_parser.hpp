#pragma once

#include "core/arena.hpp"
#include "parse/parse_error.hpp"
#include "parse/vendor_fields.hpp"

#include <string_view>

namespace vigil::parse {

// ArcSight Common Event Format: "CEF:Version|Device Vendor|Device Product|Device Version|
// Signature ID|Name|Severity|Extension". The header fields become cef.version,
// cef.device_vendor, cef.device_product, cef.device_version, cef.signature_id, cef.name and
// cef.severity (header escapes \| and \\ undone); the extension's key=value pairs keep their
// keys as given (escapes \=, \\, \n, \r undone; a backslash that escapes nothing is kept;
// values may hold spaces: a value ends where " key=" begins). A custom label pair
// (cs1Label=Threat cs1=Eicar) adds the value under the label as well: cef.label.Threat = Eicar.
//
// Stateless and immutable: workers share one or own one, as they like.
class cef_parser {
public:
    // `text` starts at "CEF:". Appends the fields to `out`; unescaped values go to `scratch`.
    // Returns the first problem: truncated_header (fewer than 7 header fields), unknown_version
    // (other than 0 or 1; the fields are still read), bad_extension (text that is not
    // key=value; the pairs around it are kept).
    [[nodiscard]] parse_error parse(std::string_view text, vendor_fields& out,
                                    core::arena& scratch) const;

    // True if `text` starts a CEF record ("CEF:" and a digit).
    [[nodiscard]] static bool starts(std::string_view text) {
        return text.size() > 4 && text.starts_with("CEF:") && text[4] >= '0' && text[4] <= '9';
    }

    static constexpr std::string_view name = "cef";
};

} // namespace vigil::parse
