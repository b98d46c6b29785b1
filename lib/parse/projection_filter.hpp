#pragma once

#include "core/field_catalog.hpp"
#include "core/flat_string_map.hpp"
#include "parse/field_projection.hpp"
#include "parse/json_parser.hpp"
#include "parse/vendor_mapping.hpp"

#include <string>

namespace vigil::parse {

// The JSON paths a projection needs, for the JSON parser to skip the rest: a path is kept when
// some JSON mapping detects, extracts, translates or reads its time from it, or renames it to
// a field the projection keeps, or an envelope detects it, or it is one of those once
// unwrapped. One per worker; answers are cached until the mappings, the
// catalog or the projection change (a reload: a new mapping set identity).
class projection_filter final : public json_path_filter {
public:
    // Prepares for records parsed with these (which must outlive the next keep() calls).
    void use(const vendor_mapping_set& mappings, const core::field_catalog& catalog,
             const field_projection& projection);

    [[nodiscard]] bool keep(std::string_view path) override;

private:
    // Needed by a mapping as it is, or once unwrapped from envelopes (`depth` so far).
    [[nodiscard]] bool needed(std::string_view path, std::size_t depth);
    [[nodiscard]] bool needed_by_mappings(std::string_view path);

    const vendor_mapping_set* mappings_ = nullptr;
    std::uint64_t mappings_identity_ = 0;
    const core::field_catalog* catalog_ = nullptr;
    const field_projection* projection_ = nullptr;
    core::flat_string_map<bool> cache_;
    std::string buffer_;
};

} // namespace vigil::parse
