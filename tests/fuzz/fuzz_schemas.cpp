// Fuzz target: vigil's own schema files, the same text through each reader: a vendor mapping
// (schemas/mappings/*.yaml: conditions, dissect patterns, time formats, translations), the log
// source map (schemas/logsources.yaml, with the shipped field catalog), the envelopes
// (schemas/envelopes.yaml) and the field schema (schemas/fields.yaml). Errors are expected;
// crashes are not.
#include "core/diagnostic.hpp"
#include "core/field_catalog.hpp"
#include "fuzz_input.hpp"
#include "parse/envelope.hpp"
#include "parse/field_schema.hpp"
#include "parse/vendor_mapping.hpp"
#include "rules/logsource_map.hpp"

#include <memory>
#include <string>

namespace {

// The shipped field catalog, read once: the log source map resolves field names against it.
const vigil::core::field_catalog& shipped_fields() {
    static const std::shared_ptr<vigil::core::field_catalog> catalog = [] {
        vigil::core::diagnostics diags;
        auto loaded =
            vigil::parse::load_field_catalog(VIGIL_SOURCE_DIR "/schemas/fields.yaml", diags);
        return loaded ? loaded : std::make_shared<vigil::core::field_catalog>();
    }();
    return *catalog;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text = fuzz_text(data, size);
    vigil::core::diagnostics diags;
    vigil::core::field_catalog catalog = shipped_fields();
    const auto mappings = vigil::parse::parse_vendor_mapping(text, "fuzz.yaml", catalog, diags);
    (void)vigil::rules::logsource_map::parse(text, "fuzz.yaml", catalog, diags, &mappings);
    (void)vigil::parse::envelope_set::parse(text, "fuzz.yaml", diags);
    (void)vigil::parse::parse_field_catalog(text, "fuzz.yaml", diags);
    (void)diags.to_string();
    return 0;
}
