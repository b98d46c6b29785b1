// Fuzz target: the whole record parser (format detection, payloads, the shipped vendor
// mappings with their dissect patterns and time formats). The first byte picks the format.
#include "core/arena.hpp"
#include "core/diagnostic.hpp"
#include "fuzz_input.hpp"
#include "parse/field_schema.hpp"
#include "parse/record_parser.hpp"

#include <cstdlib>
#include <iostream>

namespace {

struct schema {
    std::shared_ptr<vigil::core::field_catalog> catalog;
    vigil::parse::vendor_mapping_set mappings;
};

const schema& shipped() {
    static const schema s = [] {
        vigil::core::diagnostics diags;
        schema out;
        out.catalog = vigil::parse::load_field_catalog(
            std::string(VIGIL_SOURCE_DIR) + "/schemas/fields.yaml", diags);
        out.mappings = vigil::parse::load_vendor_mappings(
            std::string(VIGIL_SOURCE_DIR) + "/schemas/mappings", *out.catalog, diags);
        if (diags.has_errors()) {
            std::cerr << diags.to_string();
            std::abort();
        }
        return out;
    }();
    return s;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using vigil::parse::record_format;
    if (size == 0) {
        return 0;
    }
    static constexpr record_format formats[] = {
        record_format::auto_detect, record_format::syslog, record_format::cef, record_format::leef,
        record_format::json,        record_format::kv,     record_format::csv};
    static std::vector<std::unique_ptr<vigil::parse::record_parser>> parsers = [] {
        std::vector<std::unique_ptr<vigil::parse::record_parser>> p;
        for (auto f : formats) {
            vigil::parse::record_parser_config config;
            config.format = f;
            p.push_back(std::make_unique<vigil::parse::record_parser>(config));
        }
        return p;
    }();
    static vigil::core::arena scratch;
    static vigil::core::event event;
    static const vigil::parse::field_projection everything;
    const schema& s = shipped();
    scratch.reset();
    const vigil::core::raw_record record{fuzz_text(data + 1, size - 1),
                                         vigil::core::source_kind::file,
                                         1'795'000'000'000'000'000,
                                         {}};
    (void)parsers[data[0] % parsers.size()]->parse(record, s.mappings, *s.catalog, everything,
                                                   event, scratch);
    return 0;
}
