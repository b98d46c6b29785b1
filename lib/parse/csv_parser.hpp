#pragma once

#include "core/arena.hpp"
#include "parse/parse_error.hpp"
#include "parse/vendor_fields.hpp"

#include <string_view>

namespace vigil::parse {

// Comma-separated records by position, as Palo Alto firewalls send their traffic and threat
// logs. Columns become fields named by their position ("0", "1", ...); the vendor mapping names
// them (schemas/mappings, `columns`). Values may be quoted ("a, b" with "" for a quote).
// Stateless.
class csv_parser {
public:
    // Appends the columns of `text` to `out`. Returns unterminated_quote (the value runs to the
    // end of the record).
    [[nodiscard]] parse_error parse(std::string_view text, vendor_fields& out,
                                    core::arena& scratch) const;

    // The name of column `index` ("0", "1", ...); static storage.
    [[nodiscard]] static std::string_view column_name(std::size_t index);

    static constexpr std::string_view name = "csv";
};

} // namespace vigil::parse
