// Fuzz target: the LEEF parser on a record body (the input after "LEEF:").
#include "core/arena.hpp"
#include "fuzz_input.hpp"
#include "parse/leef_parser.hpp"

#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static vigil::parse::leef_parser parser;
    static vigil::parse::vendor_fields fields;
    static vigil::core::arena scratch;
    static std::string text;
    text.assign("LEEF:");
    text.append(fuzz_text(data, size));
    fields.clear();
    scratch.reset();
    std::optional<std::int64_t> time_ns;
    (void)parser.parse(text, fields, time_ns, scratch);
    return 0;
}
