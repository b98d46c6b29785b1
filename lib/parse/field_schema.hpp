#pragma once

#include "core/diagnostic.hpp"
#include "core/field_catalog.hpp"

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

namespace vigil::parse {

// Reads schemas/fields.yaml: canonical fields with types and aliases, on top of the built-in
// syslog fields (which the file lists first, in their fixed order). Problems go to `diags`
// with file and line; the catalog returned holds everything that was valid.
[[nodiscard]] std::shared_ptr<core::field_catalog>
load_field_catalog(const std::filesystem::path& file, core::diagnostics& diags);
[[nodiscard]] std::shared_ptr<core::field_catalog>
parse_field_catalog(std::string_view yaml, const std::string& file_name, core::diagnostics& diags);

} // namespace vigil::parse
